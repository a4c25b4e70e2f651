"""Finding a table's header row and naming its columns.

Hand-made sheets put titles and notes above the header, leave headers blank
and repeat them; every column still gets one unique name, and each change is
said in a note the upload page shows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from kpi.values import parse_number

HEADER_SCAN_ROWS = 50
HEADER_MAX_LENGTH = 80


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip()) or cell != cell


def find_header_row(rows: list[list[Any]]) -> int | None:
    """The index of the first of ``rows[:HEADER_SCAN_ROWS]`` that ``is_header_row``."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if is_header_row(row):
            return index
    return None


def is_header_row(row: list[Any]) -> bool:
    """True for 2+ non-empty cells that are all short, non-numeric text, or
    dates across with or without text (a report's months: "Region",
    2025-01-01, 2025-02-01; pivot tables often leave the label's header blank).

    Dates count only when there are two or more, each later than the one
    before, so a data row that holds one date is never taken for a header.
    """
    cells = [cell for cell in row if not is_blank(cell)]
    if len(cells) < 2:
        return False
    dates = [cell for cell in cells if isinstance(cell, date)]
    if not all(_is_header_text(cell) for cell in cells if not isinstance(cell, date)):
        return False
    if not dates:
        return True
    days = [_as_datetime(cell) for cell in dates]
    ascending = all(a < b for a, b in zip(days, days[1:], strict=False))
    return len(dates) >= 2 and ascending


def _as_datetime(cell: date) -> datetime:
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None)
    return datetime(cell.year, cell.month, cell.day)


def _is_header_text(cell: Any) -> bool:
    if not isinstance(cell, str) or len(cell.strip()) > HEADER_MAX_LENGTH:
        return False
    try:
        parse_number(cell)
    except ValueError:
        return True
    return False


def column_names(
    header: list[Any], width: int, empty_columns: pd.Series, first_column: int = 1
) -> tuple[list[str], list[int], list[str]]:
    """(names, positions kept, notes): blank headers named, duplicates suffixed.

    A column with neither a header nor any value (trailing separators) is dropped.
    ``first_column`` is the spreadsheet column of ``header[0]`` (1 is A), for
    the letters the notes name; names made up for blank headers count from it.
    """
    cleaned = [
        header_name(header[i] if i < len(header) else None) for i in range(width)
    ]
    taken = set(cleaned)
    names: list[str] = []
    positions: list[int] = []
    notes: list[str] = []
    for position, name in enumerate(cleaned):
        letter = get_column_letter(first_column + position)
        if not name and empty_columns.iloc[position]:
            continue
        if not name:
            number = first_column + position
            name = free_name(f"column_{number}", taken, first_suffix=None)
            notes.append(f'Column {letter} has no header; it is called "{name}".')
        elif name in names:
            renamed = free_name(name, taken, first_suffix=2)
            notes.append(
                f'Column {letter} repeats the header "{name}"; '
                f'it is called "{renamed}".'
            )
            name = renamed
        taken.add(name)
        names.append(name)
        positions.append(position)
    return names, positions, notes


def header_name(cell: Any) -> str:
    """A header cell as a column name: trimmed, BOM and quotes removed, a date
    as "2025-01-31"; "" for an empty cell."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        midnight = cell.time() == time(0)
        return cell.date().isoformat() if midnight else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    name = str(cell).strip().removeprefix("\ufeff").removeprefix("ï»¿").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    return name


def free_name(
    base: str, taken: Collection[str], first_suffix: int | None = None
) -> str:
    """``base``, or ``base_2``, ``base_3``... when ``taken`` has it; with
    ``first_suffix`` the suffix is always added, counting from it."""
    if first_suffix is None and base not in taken:
        return base
    suffix = first_suffix or 2
    while f"{base}_{suffix}" in taken:
        suffix += 1
    return f"{base}_{suffix}"
