"""The rows an import leaves out, one line per offending cell, and the words
that explain them (``kpi.import_check`` decides which cells offend).

Every reason starts with one of four fixed phrases, which is how the
summary sentences of ``set_aside_messages`` group the rows: "a total row",
"no date", "not a date", "not a number".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kpi.errors import ImportProblem, bad_rows_table

if TYPE_CHECKING:
    from kpi.reading import RawTable

SET_ASIDE_COLUMNS: tuple[str, ...] = ("row", "column", "value", "reason")
TOTAL_REASON = "a total row: Goalpost adds rows up itself"
SUM_REASON = (
    "a total row: no label, and its numbers add up the rows above; "
    "Goalpost adds rows up itself"
)
NO_DATE_REASON = "no date: a row needs one to count in a period"
# What a date looks like in the order the column is read with.
_DATE_ORDERS: dict[bool | None, str] = {
    True: " or 31/03/2025 (day first)",
    False: " or 03/31/2025 (month first)",
    None: "",
}


@dataclass(frozen=True)
class Flagged:
    """Cells of one column that set their rows aside, and why.

    ``cells`` has one entry per frame row (positional): True where the cell
    offends.
    """

    column: str
    cells: np.ndarray
    reason: str


def not_a_date_reason(day_first: bool | None) -> str:
    """The reason for a date cell that is not a date, with what was expected."""
    order = _DATE_ORDERS[day_first]
    return f"not a date: expected a date such as 2025-03-31{order}"


def not_a_number_reason(decimal_comma: bool) -> str:
    """The reason for a number cell that is not a number, with what was expected."""
    examples = "1.234,50 or 12,5%" if decimal_comma else "1,234.50, $99 or 12%"
    return f"not a number: expected a number such as {examples}"


def set_aside_table(
    raw: RawTable, flagged: Sequence[Flagged], columns: Sequence[str]
) -> pd.DataFrame:
    """One line per flagged cell (row, column, value, reason), by sheet row and
    then in the order of ``columns``; rows are numbered as the sheet shows them."""
    sheet_rows = sheet_row_numbers(raw)
    rank = {name: position for position, name in enumerate(columns)}
    lines: list[tuple[int, int, str, str, str]] = []
    for found in flagged:
        positions = np.flatnonzero(found.cells)
        values = raw.frame[found.column].to_numpy(dtype=object)[positions]
        order = rank[found.column]
        lines += [
            (int(sheet_rows[p]), order, found.column, cell_text(v), found.reason)
            for p, v in zip(positions, values, strict=True)
        ]
    lines.sort(key=lambda line: line[:2])

    row, _, column, value, reason = zip(*lines, strict=True) if lines else [()] * 5
    return pd.DataFrame(
        {
            "row": pd.Series(row, dtype="int64"),
            "column": pd.Series(column, dtype="str"),
            "value": pd.Series(value, dtype="str"),
            "reason": pd.Series(reason, dtype="str"),
        },
        columns=list(SET_ASIDE_COLUMNS),
    )


def set_aside_messages(set_aside: pd.DataFrame) -> list[str]:
    """One sentence per kind of reason, naming the rows set aside for it.

    A row counts under the reason of its first line: a total row, then its
    date, then its numbers. E.g. ``2 rows without a date were skipped (rows
    3, 5): column "date" is empty there.``
    """
    first_lines = set_aside.drop_duplicates("row")
    messages = []
    for phrase, sentence in _SENTENCES:
        rows = first_lines.loc[first_lines["reason"].str.startswith(phrase), "row"]
        if rows.empty:
            continue
        lines = set_aside[
            set_aside["row"].isin(rows) & set_aside["reason"].str.startswith(phrase)
        ]
        columns = list(dict.fromkeys(lines["column"]))
        messages.append(sentence(rows.to_numpy(), columns))
    return messages


def column_refusal(
    raw: RawTable, reason: str, column: str, bad: np.ndarray, what: str, advice: str
) -> ImportProblem:
    """An ImportProblem for a column none of whose cells can be read: it names
    the first bad cell, says ``what`` of the column, and lists every bad cell."""
    sheet_rows = sheet_row_numbers(raw)
    positions = np.flatnonzero(bad)
    values = raw.frame[column].to_numpy(dtype=object)[positions]
    complaint = reason.replace("_", " ")
    records = [
        {
            "row": int(sheet_rows[p]),
            "column": column,
            "value": cell_text(v),
            "problem": complaint,
        }
        for p, v in zip(positions, values, strict=True)
    ]

    location = raw.location(int(sheet_rows[positions[0]]), column)
    count = f"{len(records)} cell{'s' if len(records) != 1 else ''}"
    message = (
        f'{location.describe()}: "{cell_text(values[0])}" is {complaint}, and {what} '
        f"({count}). {advice}"
    )
    return ImportProblem(reason, message, location, bad_rows_table(records))


def sheet_row_numbers(raw: RawTable) -> np.ndarray:
    """The spreadsheet row number of every frame row, in frame order."""
    if raw.row_numbers:
        return np.asarray(raw.row_numbers)
    return raw.header_row + 1 + np.arange(len(raw.frame))


def cell_text(value: Any) -> str:
    """A cell as people read it: trimmed text, 12 not 12.0, ISO dates; "" if empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
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


def _rows_text(rows: np.ndarray) -> str:
    shown = ", ".join(str(row) for row in rows[:10])
    more = ", ..." if len(rows) > 10 else ""
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}{more}"


def _columns_text(columns: list[str]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f"column {names}" if len(columns) == 1 else f"columns {names}"


def _total_rows(rows: np.ndarray, columns: list[str]) -> str:
    count = "1 total row was" if len(rows) == 1 else f"{len(rows)} total rows were"
    return f"{count} set aside ({_rows_text(rows)}): Goalpost adds rows up itself."


def _no_date(rows: np.ndarray, columns: list[str]) -> str:
    where, listed = _columns_text(columns), _rows_text(rows)
    if len(rows) == 1:
        return f"1 row without a date was skipped ({listed}): {where} is empty."
    return (
        f"{len(rows)} rows without a date were skipped ({listed}): "
        f"{where} is empty there."
    )


def _not_a_date(rows: np.ndarray, columns: list[str]) -> str:
    return _set_aside(rows, f"not a date in {_columns_text(columns)}")


def _not_a_number(rows: np.ndarray, columns: list[str]) -> str:
    return _set_aside(rows, f"not a number in {_columns_text(columns)}")


def _set_aside(rows: np.ndarray, what: str) -> str:
    count = "1 row was" if len(rows) == 1 else f"{len(rows)} rows were"
    return f"{count} set aside ({_rows_text(rows)}): {what}."


# Each reason's opening phrase and the sentence for the rows set aside for it.
_SENTENCES: tuple[tuple[str, Callable[[np.ndarray, list[str]], str]], ...] = (
    ("a total row", _total_rows),
    ("no date", _no_date),
    ("not a date", _not_a_date),
    ("not a number", _not_a_number),
)
