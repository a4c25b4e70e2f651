"""Reading sources into clean frames: bytes -> RawTable -> clean rows.

``read_table`` turns an uploaded CSV or XLSX into a ``RawTable``: every cell as
the file holds it (CSV text, XLSX native values), one header, spreadsheet row
numbers kept for messages. ``clean_rows`` applies a ``ColumnMapping``: dates,
dimension text and floats, or an ``ImportProblem`` naming every bad cell.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from kpi.errors import ImportProblem, Location, bad_rows_table
from kpi.file_rows import (
    DELIMITER_NAMES,
    UPLOAD_ADVICE,
    XLSX_MAGIC,
    csv_rows,
    decode_text,
    problem,
    visible_sheets,
    xlsx_rows,
)
from kpi.headers import HEADER_SCAN_ROWS, column_names, find_header_row, is_blank
from kpi.model import ColumnMapping
from kpi.values import (
    blank_mask,
    date_order_votes,
    parse_date_column,
    parse_number_column,
    uses_decimal_comma,
)


@dataclass(frozen=True)
class RawTable:
    """One CSV or sheet as read, before any column has a meaning.

    ``frame`` has object columns: CSV cells as text (None when empty), XLSX
    cells as openpyxl gives them. ``row_numbers`` holds the spreadsheet row of
    each frame row; when empty, rows follow the header without gaps.
    """

    file_name: str
    sheet: str | None
    frame: pd.DataFrame
    encoding: str | None
    header_row: int
    notes: tuple[str, ...] = ()
    row_numbers: tuple[int, ...] = ()

    def sheet_row(self, index: int) -> int:
        """The spreadsheet row number of frame row ``index`` (positional)."""
        if self.row_numbers:
            return self.row_numbers[index]
        return self.header_row + 1 + index

    def location(self, row: int | None = None, column: str | None = None) -> Location:
        """Where in this file (and sheet) a problem sits."""
        return Location(self.file_name, self.sheet, row, column)


def content_hash(content: bytes) -> str:
    """The sha256 hex digest of an upload, to recognise the same file again."""
    return hashlib.sha256(content).hexdigest()


def sheet_names(file_name: str, content: bytes) -> list[str]:
    """The visible sheets of an XLSX in workbook order; [] for anything else."""
    if not content.startswith(XLSX_MAGIC):
        return []
    return visible_sheets(file_name, content)


def read_table(file_name: str, content: bytes, sheet: str | None = None) -> RawTable:
    """Read a CSV or XLSX (told apart by content, not by name) into a RawTable.

    XLSX: ``sheet`` defaults to the first visible sheet. CSV: the encoding
    (UTF-8, UTF-8 with BOM, UTF-16, else Windows-1252) and the delimiter are
    detected. Title rows above the header are skipped, empty rows dropped.
    Raises ImportProblem: empty_file, not_a_spreadsheet, no_header, unknown_sheet.
    """
    if not content.strip():
        location = Location(file_name)
        what = f"{location.describe()} is empty."
        raise problem("empty_file", location, what, UPLOAD_ADVICE)
    if content.startswith(XLSX_MAGIC):
        rows, title, notes = xlsx_rows(file_name, content, sheet)
        return table_from_rows(file_name, title, rows, None, notes)

    text, encoding, notes = decode_text(file_name, content)
    rows, delimiter = csv_rows(file_name, text)
    if delimiter != ",":
        notes.append(f"Columns are separated by {DELIMITER_NAMES[delimiter]}.")
    return table_from_rows(file_name, None, rows, encoding, notes)


def clean_rows(raw: RawTable, mapping: ColumnMapping) -> pd.DataFrame:
    """A new frame with only the mapped columns, typed.

    The date column becomes datetime64[ns] (times kept, no time zone shift),
    dimensions text ("" for empty), numbers float64 (NaN for empty). Rows
    without a date are dropped with a warning. Raises ImportProblem:
    missing_column, ambiguous_dates, not_a_date, not_a_number.
    """
    dimensions = [
        name
        for name in dict.fromkeys([*mapping.dimensions, mapping.team, mapping.person])
        if name is not None and name != mapping.date and name not in mapping.numbers
    ]
    _check_columns_exist(raw, [mapping.date, *dimensions, *mapping.numbers])

    dates = _clean_dates(raw, mapping)
    keep = dates.notna().to_numpy()
    if not keep.all():
        warnings.warn(_skipped_rows_message(raw, mapping.date, ~keep), stacklevel=2)

    columns = {mapping.date: dates[keep]}
    for name in dimensions:
        columns[name] = _dimension_text(raw.frame[name][keep])
    numbers = tuple(name for name in mapping.numbers if name != mapping.date)
    columns.update(_clean_numbers(raw, numbers, keep))
    return pd.DataFrame(columns).reset_index(drop=True)


def table_from_rows(
    file_name: str,
    sheet: str | None,
    rows: list[list[Any]],
    encoding: str | None,
    notes: list[str],
) -> RawTable:
    """A table from rows of cells as a reader found them (CSV, Excel or a
    Google Sheet): the header row found, the cells below it kept as text or
    numbers for ``clean_rows`` to type. Raises ``ImportProblem`` ("no_header")
    when no row looks like column names."""
    location = Location(file_name, sheet)
    header_index = find_header_row(rows)
    if header_index is None:
        if any(not is_blank(cell) for row in rows for cell in row):
            what = (
                f"{location.describe()} has no header row "
                f"in its first {HEADER_SCAN_ROWS} rows."
            )
            advice = (
                "Put the column names (two or more, as text) in a row above the data."
            )
            raise problem("no_header", location, what, advice)
        raise problem(
            "empty_file", location, f"{location.describe()} is empty.", UPLOAD_ADVICE
        )

    header, body = rows[header_index], rows[header_index + 1 :]
    width = max(len(row) for row in (header, *body))
    frame = pd.DataFrame(
        [[*row, *([None] * (width - len(row)))] for row in body],
        columns=range(width),
        dtype=object,
    )
    blank = frame.apply(blank_mask) if len(frame) else frame.astype(bool)
    keep = ~blank.all(axis=1)
    row_numbers = np.arange(header_index + 2, header_index + 2 + len(body))[
        keep.to_numpy()
    ]
    frame = frame.where(~blank, None)[keep].reset_index(drop=True)
    if frame.empty:
        what = (
            f"{location.describe()} has a header on row {header_index + 1} "
            "but no rows of data."
        )
        raise problem("empty_file", location, what, UPLOAD_ADVICE)

    names, positions, name_notes = column_names(header, width, blank[keep].all(axis=0))
    frame = frame[positions].set_axis(names, axis=1)
    if header_index:
        notes.append(
            f"The header is on row {header_index + 1}; the rows above it were skipped."
        )
    notes.extend(name_notes)
    notes.extend(_decimal_comma_notes(frame))
    return RawTable(
        file_name=file_name,
        sheet=sheet,
        frame=frame,
        encoding=encoding,
        header_row=header_index + 1,
        notes=tuple(notes),
        row_numbers=tuple(int(n) for n in row_numbers),
    )


def _decimal_comma_notes(frame: pd.DataFrame) -> list[str]:
    notes = []
    for name in frame.columns:
        values = frame[name]
        if not uses_decimal_comma(values):
            continue
        numbers, bad = parse_number_column(values, decimal_comma=True)
        if bad.any() or numbers.isna().all():
            continue
        first = int(numbers.notna().to_numpy().argmax())
        notes.append(
            f'Column "{name}" uses a decimal comma: "{values.iloc[first]}" '
            f"is read as {numbers.iloc[first]:g}."
        )
    return notes


def _sheet_rows(raw: RawTable) -> np.ndarray:
    if raw.row_numbers:
        return np.asarray(raw.row_numbers)
    return raw.header_row + 1 + np.arange(len(raw.frame))


def _check_columns_exist(raw: RawTable, names: list[str]) -> None:
    for name in names:
        if name not in raw.frame.columns:
            listed = ", ".join(f'"{c}"' for c in list(raw.frame.columns)[:20])
            location = raw.location(column=name)
            what = f"{location.describe()} is not in the file (its columns: {listed})."
            advice = (
                "Pick another column in the mapping, or upload the file that has it."
            )
            raise problem("missing_column", location, what, advice)


def _clean_dates(raw: RawTable, mapping: ColumnMapping) -> pd.Series:
    values = raw.frame[mapping.date]
    day_first = mapping.day_first
    if day_first is None:
        votes = date_order_votes(values)
        if votes.needs_choice:
            raise _ambiguous_dates(raw, mapping.date)
        day_first = votes.decided

    dates, bad = parse_date_column(values, day_first)
    if bad.any():
        advice = (
            "Fix the cell, or map the column as a dimension "
            "and pick another date column."
        )
        raise _bad_cells(raw, "not_a_date", {mapping.date: bad}, "not a date", advice)
    return dates


def _ambiguous_dates(raw: RawTable, column: str) -> ImportProblem:
    values = raw.frame[column]
    as_day_first, _ = parse_date_column(values, day_first=True)
    as_month_first, _ = parse_date_column(values, day_first=False)
    differ = (as_day_first != as_month_first) & (
        as_day_first.notna() | as_month_first.notna()
    )
    position = int(differ.to_numpy().argmax())
    location = raw.location(raw.sheet_row(position), column)
    what = (
        f"{location.describe()}: the order of day and month in dates such as "
        f'"{values.iloc[position]}" cannot be told from this column.'
    )
    return problem(
        "ambiguous_dates",
        location,
        what,
        "Choose day-first or month-first in the mapping.",
    )


def _clean_numbers(
    raw: RawTable, names: tuple[str, ...], keep: np.ndarray
) -> dict[str, pd.Series]:
    columns, bad_by_column = {}, {}
    for name in names:
        numbers, bad = parse_number_column(raw.frame[name])
        columns[name] = numbers[keep]
        if (bad & keep).any():
            bad_by_column[name] = bad & keep
    if bad_by_column:
        advice = "Fix the cell, or map the column as a dimension."
        raise _bad_cells(raw, "not_a_number", bad_by_column, "not a number", advice)
    return columns


def _bad_cells(
    raw: RawTable,
    reason: str,
    bad_by_column: dict[str, pd.Series],
    complaint: str,
    advice: str,
) -> ImportProblem:
    """An ImportProblem naming the first bad cell; ``bad_rows`` lists them all."""
    rows = _sheet_rows(raw)
    cells: list[tuple[int, str, str]] = []
    for name, bad in bad_by_column.items():
        positions = np.flatnonzero(bad.to_numpy())
        values = raw.frame[name].to_numpy()[positions]
        cells += [
            (int(rows[p]), name, str(v)) for p, v in zip(positions, values, strict=True)
        ]
    cells.sort(key=lambda cell: cell[0])
    records = [
        {"row": row, "column": column, "value": value, "problem": complaint}
        for row, column, value in cells
    ]

    first_row, first_column, first_value = cells[0]
    location = raw.location(first_row, first_column)
    count = f"{len(records)} bad cell{'s' if len(records) != 1 else ''} in all"
    what = f'{location.describe()}: "{first_value}" is {complaint} ({count}).'
    return ImportProblem(reason, f"{what} {advice}", location, bad_rows_table(records))


def _skipped_rows_message(raw: RawTable, column: str, skipped: np.ndarray) -> str:
    rows = _sheet_rows(raw)[skipped]
    shown = ", ".join(str(row) for row in rows[:10]) + (
        ", ..." if len(rows) > 10 else ""
    )
    if len(rows) == 1:
        what = "1 row without a date was skipped"
        return f'{what} (row {shown}): column "{column}" is empty.'
    return (
        f"{len(rows)} rows without a date were skipped (rows {shown}): "
        f'column "{column}" is empty there.'
    )


def _dimension_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed text; empty cells become ""."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    texts = np.array([*(_as_text(value) for value in uniques), ""], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype="str")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        midnight = value.time() == time(0)
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
