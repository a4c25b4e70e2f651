"""Reading sources: bytes -> RawTable, then the rows an import stores.

``read_table`` turns an uploaded CSV or XLSX into a ``RawTable``: every cell as
the file holds it (CSV text, XLSX native values), one header, spreadsheet row
numbers kept for messages, and notes on how it was read (encoding, delimiter,
title rows, several tables, formulas without a saved value). Applying a
``ColumnMapping`` is ``kpi.import_check.check_rows``: the typed rows to store
and a report of the rows set aside; ``clean_rows`` is its short form.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from kpi.errors import Location
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
from kpi.import_check import check_rows
from kpi.model import ColumnMapping
from kpi.report_layout import report_layout
from kpi.set_aside import set_aside_messages
from kpi.table_blocks import TableBlock, find_tables, labels
from kpi.values import (
    blank_mask,
    parse_number_column,
    uses_decimal_comma,
)


@dataclass(frozen=True)
class RawTable:
    """One CSV or sheet as read, before any column has a meaning.

    ``frame`` has object columns: CSV cells as text (None when empty), XLSX
    cells as openpyxl gives them. ``row_numbers`` holds the spreadsheet row of
    each frame row; when empty, rows follow the header without gaps. When the
    CSV or sheet holds several tables, ``tables`` labels each ("Table 2: rows
    14–30 (Date, Region, Revenue)") and ``table`` is the index of the one read.
    """

    file_name: str
    sheet: str | None
    frame: pd.DataFrame
    encoding: str | None
    header_row: int
    notes: tuple[str, ...] = ()
    row_numbers: tuple[int, ...] = ()
    tables: tuple[str, ...] = ()
    table: int = 0

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


def read_table(
    file_name: str, content: bytes, sheet: str | None = None, table: int | None = None
) -> RawTable:
    """Read a CSV or XLSX (told apart by content, not by name) into a RawTable.

    XLSX: ``sheet`` defaults to the first visible sheet. CSV: the encoding
    (UTF-8, UTF-8 with BOM, UTF-16, else Windows-1252) and the delimiter are
    detected. Title rows above the header are skipped, empty rows dropped.
    ``table`` picks one of several tables (see ``table_from_rows``).
    Raises ImportProblem: empty_file, not_a_spreadsheet, no_header,
    unknown_sheet, unknown_table.
    """
    if not content.strip():
        location = Location(file_name)
        what = f"{location.describe()} is empty."
        raise problem("empty_file", location, what, UPLOAD_ADVICE)
    if content.startswith(XLSX_MAGIC):
        rows, title, notes = xlsx_rows(file_name, content, sheet)
        return table_from_rows(file_name, title, rows, None, notes, table)

    text, encoding, notes = decode_text(file_name, content)
    rows, delimiter = csv_rows(file_name, text)
    if delimiter != ",":
        notes.append(f"Columns are separated by {DELIMITER_NAMES[delimiter]}.")
    return table_from_rows(file_name, None, rows, encoding, notes, table)


def clean_rows(raw: RawTable, mapping: ColumnMapping) -> pd.DataFrame:
    """The rows ``check_rows`` would store: only the mapped columns, typed.

    The date column becomes datetime64[ns] (times kept, no time zone shift),
    dimensions text ("" for empty), numbers float64 (NaN for empty). Rows set
    aside (no date, a cell that is not a date or a number, a total line) are
    left out with one warning per kind of reason. Raises ImportProblem as
    ``kpi.import_check.check_rows`` does.
    """
    check = check_rows(raw, mapping)
    for message in set_aside_messages(check.set_aside):
        warnings.warn(message, stacklevel=2)
    return check.rows


def table_from_rows(
    file_name: str,
    sheet: str | None,
    rows: list[list[Any]],
    encoding: str | None,
    notes: list[str],
    table: int | None = None,
) -> RawTable:
    """A table from rows of cells as a reader found them (CSV, Excel or a
    Google Sheet): the header row found, the cells below it kept as text or
    numbers for ``clean_rows`` to type. Raises ``ImportProblem`` ("no_header")
    when no row looks like column names.

    When blank rows or columns part several tables (``kpi.table_blocks``),
    ``table`` is the index of the one to read, None for the first (the
    first stays what a file read before tables were told apart gave);
    ``RawTable.tables`` labels them all and a note says so. A table that is a
    report with months across gets a note offering to turn it into rows.
    Raises ImportProblem ``unknown_table`` for an index past the last table.
    """
    location = Location(file_name, sheet)
    tables = find_tables(rows)
    chosen = _chosen_table(location, len(tables), table)
    if len(tables) > 1:
        notes.append(_tables_note(location, tables, chosen))
        raw = _read_block(location, rows, tables[chosen], encoding, notes)
        return replace(raw, tables=labels(tables), table=chosen)

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
    if header_index:
        notes.append(
            f"The header is on row {header_index + 1}; the rows above it were skipped."
        )
    width = max(len(row) for row in rows)
    whole = TableBlock(header_index + 1, len(rows), 1, width, (), 0)
    return _read_block(location, rows, whole, encoding, notes)


def _read_block(
    location: Location,
    rows: list[list[Any]],
    block: TableBlock,
    encoding: str | None,
    notes: list[str],
) -> RawTable:
    """The RawTable of one table: its header row and the rows below it down
    to ``block.last_row``, within its columns."""
    header_index, first_column = block.first_row - 1, block.first_column - 1
    header = rows[header_index][first_column : block.last_column]
    body = [
        row[first_column : block.last_column]
        for row in rows[header_index + 1 : block.last_row]
    ]
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

    names, positions, name_notes = column_names(
        header, width, blank[keep].all(axis=0), block.first_column
    )
    frame = frame[positions].set_axis(names, axis=1)
    notes.extend(name_notes)
    notes.extend(_decimal_comma_notes(frame))
    layout = report_layout(frame)
    if layout is not None:
        notes.append(layout.note())
    return RawTable(
        file_name=location.file,
        sheet=location.sheet,
        frame=frame,
        encoding=encoding,
        header_row=header_index + 1,
        notes=tuple(notes),
        row_numbers=tuple(int(n) for n in row_numbers),
    )


def _chosen_table(location: Location, count: int, table: int | None) -> int:
    """``table`` checked against the tables found (None is the first)."""
    if table is None or 0 <= table < max(count, 1):
        return table or 0
    found = f"{count} tables" if count > 1 else "one table"
    what = f"{location.describe()} holds {found}; there is no table {table + 1}."
    raise problem("unknown_table", location, what, "Pick one of the tables listed.")


def _tables_note(location: Location, tables: list[TableBlock], chosen: int) -> str:
    where = "sheet" if location.sheet else "file"
    if chosen == 0:
        shown = "the first is shown"
    else:
        block = tables[chosen]
        shown = f"table {chosen + 1} (rows {block.first_row}–{block.last_row}) is shown"
    return f"This {where} holds {len(tables)} tables; {shown}, pick another below."


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
