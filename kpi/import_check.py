"""The validation report of an import, made before anything is stored.

``check_rows`` applies a ``ColumnMapping`` to a ``RawTable``: the rows that
will be stored, typed, and the rows set aside with one line per offending
cell. A row is set aside when it is a total or subtotal line, has no date
or a date cell that is not a date, or a number cell that is not a number.
What only a whole column can tell still refuses the import with an
``ImportProblem``: a mapped column the file lacks, dates whose day and month
order stays unclear, a number kind that does not exist, and a date or number
column none of whose cells can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpi.errors import ImportProblem
from kpi.file_rows import problem
from kpi.model import ColumnMapping
from kpi.number_kinds import (
    NUMBER_KINDS,
    RUNNING_TOTAL,
    SNAPSHOT,
    columns_of_kind,
    group_columns,
)
from kpi.set_aside import (
    NO_DATE_REASON,
    SUM_REASON,
    TOTAL_REASON,
    Flagged,
    cell_text,
    column_refusal,
    not_a_date_reason,
    not_a_number_reason,
    set_aside_table,
)
from kpi.total_rows import sum_line, total_lines
from kpi.values import (
    blank_mask,
    date_order_votes,
    parse_date_column,
    parse_number,
    parse_number_column,
    uses_decimal_comma,
)

if TYPE_CHECKING:
    from kpi.reading import RawTable


@dataclass(frozen=True)
class ImportCheck:
    """What an import would store, and what it would leave out and why.

    ``rows``: the mapped columns, typed (date datetime64[ns], dimensions text
    with "" for empty, numbers float64 with NaN for empty). ``rows_read``: the
    file's rows of data; ``rows_kept == len(rows)``. ``set_aside``: one line
    per offending cell, columns row (as the sheet numbers it), column, value
    (the cell as text) and reason. ``notes``: how values were read (decimal
    comma, running totals, snapshots), for people to confirm.
    """

    rows: pd.DataFrame
    rows_read: int
    rows_kept: int
    set_aside: pd.DataFrame
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Numbers:
    values: pd.Series
    flagged: Flagged
    decimal_comma: bool


def check_rows(raw: RawTable, mapping: ColumnMapping) -> ImportCheck:
    """The validation report of importing ``raw`` with ``mapping``.

    Worked example: a CSV of 6 rows (sheet rows 2-7) with a blank date on
    row 3, revenue "n/a" on row 5 and team "Total" on row 6 keeps 3 rows;
    ``set_aside`` lists (3, date, "", "no date: ..."), (5, revenue, "n/a",
    "not a number: ...") and (6, team, "Total", "a total row: ...").
    ``raw`` is never modified.
    Raises ImportProblem: unknown_number_kind, missing_column,
    ambiguous_dates, not_a_date or not_a_number (a column with no readable
    cell at all).
    """
    dimensions = list(group_columns(mapping))
    numbers = [name for name in mapping.numbers if name != mapping.date]
    _check_number_kinds(raw, mapping)
    _check_columns_exist(raw, [mapping.date, *dimensions, *numbers])

    lines = total_lines(raw.frame, mapping.date, dimensions)
    totals = [Flagged(name, cells, TOTAL_REASON) for name, cells in lines.items()]
    in_total = np.logical_or.reduce([found.cells for found in totals])
    dates, date_flags = _read_dates(raw, mapping, ~in_total)
    read = {name: _read_numbers(raw, name, mapping, ~in_total) for name in numbers}

    totals.append(_sum_line(raw, mapping.date, dimensions, read, in_total))
    in_total |= totals[-1].cells

    # A total row is listed once, for its total cells; its other cells do not count.
    cell_flags = [*date_flags, *(column.flagged for column in read.values())]
    flagged = [*totals, *(_outside(found, in_total) for found in cell_flags)]
    keep = ~np.logical_or.reduce([found.cells for found in flagged])
    columns = {mapping.date: dates[keep]}
    for name in dimensions:
        columns[name] = _dimension_text(raw.frame[name][keep])
    for name, column in read.items():
        columns[name] = column.values[keep]
    rows = pd.DataFrame(columns).reset_index(drop=True)

    return ImportCheck(
        rows=rows,
        rows_read=len(raw.frame),
        rows_kept=len(rows),
        set_aside=set_aside_table(raw, flagged, [mapping.date, *dimensions, *numbers]),
        notes=_notes(raw, mapping, read),
    )


def _sum_line(
    raw: RawTable,
    date: str,
    dimensions: list[str],
    read: dict[str, _Numbers],
    totals: np.ndarray,
) -> Flagged:
    """The last row when it is an unlabelled sum of the rows above (no
    dimensions mapped: never, as nothing tells a label from a value)."""
    numbers = [column.values.where(~totals) for column in read.values()]
    unlabelled = np.logical_and.reduce(
        [blank_mask(raw.frame[name]).to_numpy() for name in dimensions]
        or [np.zeros(len(raw.frame), dtype=bool)]
    )
    cells = sum_line(unlabelled & ~totals, numbers)
    return Flagged(next(iter(read), date), cells, SUM_REASON)


def _outside(found: Flagged, rows: np.ndarray) -> Flagged:
    """``found`` without the cells of ``rows``."""
    return Flagged(found.column, found.cells & ~rows, found.reason)


def _check_number_kinds(raw: RawTable, mapping: ColumnMapping) -> None:
    for name, kind in mapping.number_kinds:
        if kind not in NUMBER_KINDS:
            location = raw.location(column=name)
            what = f'{location.describe()}: "{kind}" is not a kind of number.'
            advice = f"Choose one of {', '.join(NUMBER_KINDS)} in the mapping."
            raise problem("unknown_number_kind", location, what, advice)


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


def _read_dates(
    raw: RawTable, mapping: ColumnMapping, counted: np.ndarray
) -> tuple[pd.Series, list[Flagged]]:
    """The date column parsed, with its empty and unreadable cells flagged.

    ``counted`` marks the rows that are not totals; a column with no date
    among them is refused.
    """
    values = raw.frame[mapping.date]
    day_first = mapping.day_first
    if day_first is None:
        votes = date_order_votes(values)
        if votes.needs_choice:
            raise _ambiguous_dates(raw, mapping.date)
        day_first = votes.decided

    dates, bad = parse_date_column(values, day_first)
    bad_cells = bad.to_numpy()
    empty = dates.isna().to_numpy() & ~bad_cells
    if not (dates.notna().to_numpy() & counted).any():
        raise _no_dates(raw, mapping.date, bad_cells & counted)
    return dates, [
        Flagged(mapping.date, empty, NO_DATE_REASON),
        Flagged(mapping.date, bad_cells, not_a_date_reason(day_first)),
    ]


def _no_dates(raw: RawTable, column: str, bad: np.ndarray) -> ImportProblem:
    advice = "Pick the date column in the mapping, or fix the cells."
    if bad.any():
        what = "no cell of this column is a date"
        return column_refusal(raw, "not_a_date", column, bad, what, advice)
    location = raw.location(column=column)
    what = f"{location.describe()} is empty in every row, so no row has a date."
    return problem("not_a_date", location, what, advice)


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


def _read_numbers(
    raw: RawTable, name: str, mapping: ColumnMapping, counted: np.ndarray
) -> _Numbers:
    """A number column parsed, with its unreadable cells flagged; refused when
    none of its non-empty cells outside total rows is a number."""
    values = raw.frame[name]
    decimal_comma = mapping.decimal_comma
    if decimal_comma is None:
        decimal_comma = uses_decimal_comma(values)

    numbers, bad = parse_number_column(values, decimal_comma)
    bad_cells = bad.to_numpy()
    if (bad_cells & counted).any() and not (numbers.notna().to_numpy() & counted).any():
        what = "no cell of this column is a number"
        advice = "Map the column as a dimension, or fix the cells."
        bad_cells = bad_cells & counted
        raise column_refusal(raw, "not_a_number", name, bad_cells, what, advice)
    flagged = Flagged(name, bad_cells, not_a_number_reason(decimal_comma))
    return _Numbers(numbers, flagged, decimal_comma)


def _notes(
    raw: RawTable, mapping: ColumnMapping, read: dict[str, _Numbers]
) -> tuple[str, ...]:
    notes = [
        note
        for name, numbers in read.items()
        if (note := _separator_note(raw, name, mapping, numbers.decimal_comma))
    ]
    groups = " and ".join(f'"{name}"' for name in group_columns(mapping))
    within = f" within each {groups}" if groups else ""
    notes += [
        f'Column "{name}" holds running totals: metrics count the change from one '
        f"date to the next{within}, and a fall as the count starting again."
        for name in columns_of_kind(mapping, RUNNING_TOTAL)
        if name in read
    ]
    notes += [
        f'Column "{name}" holds snapshots (a level on each date): metrics take the '
        "latest value and never add them up."
        for name in columns_of_kind(mapping, SNAPSHOT)
        if name in read
    ]
    return tuple(notes)


def _separator_note(
    raw: RawTable, name: str, mapping: ColumnMapping, decimal_comma: bool
) -> str | None:
    """How a column with commas in its numbers is read, when it matters."""
    if not decimal_comma and mapping.decimal_comma is None:
        return None
    example = _first_comma_number(raw.frame[name], decimal_comma)
    if example is None:
        return None
    text, value = example
    if decimal_comma:
        return f'Column "{name}" uses a decimal comma: "{text}" is read as {value:g}.'
    return (
        f'Column "{name}" is read with a decimal point, as the mapping says: '
        f'"{text}" is read as {value:g}.'
    )


def _first_comma_number(
    values: pd.Series, decimal_comma: bool
) -> tuple[str, float] | None:
    """The first text cell with a comma that reads as a number, and its value."""
    for cell in pd.unique(values.to_numpy(dtype=object)):
        if not isinstance(cell, str) or "," not in cell:
            continue
        try:
            value = parse_number(cell, decimal_comma)
        except ValueError:
            continue
        if value is not None:
            return cell.strip(), value
    return None


def _dimension_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed text; empty cells become ""."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    texts = np.array([*(cell_text(value) for value in uniques), ""], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype="str")
