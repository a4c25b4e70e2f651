"""Finding a table's header row and naming its columns.

Hand-made sheets put titles and notes above the header, leave headers blank
and repeat them; every column still gets one unique name, and each change is
said in a note the upload page shows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from kpi.values import parse_number

HEADER_SCAN_ROWS = 50
HEADER_MAX_LENGTH = 80


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip()) or cell != cell


def find_header_row(rows: list[list[Any]]) -> int | None:
    """The first row with 2+ non-empty cells that are all short, non-numeric text."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [cell for cell in row if not is_blank(cell)]
        if len(cells) >= 2 and all(_is_header_text(cell) for cell in cells):
            return index
    return None


def _is_header_text(cell: Any) -> bool:
    if not isinstance(cell, str) or len(cell.strip()) > HEADER_MAX_LENGTH:
        return False
    try:
        parse_number(cell)
    except ValueError:
        return True
    return False


def column_names(
    header: list[Any], width: int, empty_columns: pd.Series
) -> tuple[list[str], list[int], list[str]]:
    """(names, positions kept, notes): blank headers named, duplicates suffixed.

    A column with neither a header nor any value (trailing separators) is dropped.
    """
    cleaned = [
        _clean_header(header[i] if i < len(header) else None) for i in range(width)
    ]
    taken = set(cleaned)
    names: list[str] = []
    positions: list[int] = []
    notes: list[str] = []
    for position, name in enumerate(cleaned):
        letter = get_column_letter(position + 1)
        if not name and empty_columns.iloc[position]:
            continue
        if not name:
            name = _unused_name(f"column_{position + 1}", taken, first_suffix=None)
            notes.append(f'Column {letter} has no header; it is called "{name}".')
        elif name in names:
            renamed = _unused_name(name, taken, first_suffix=2)
            notes.append(
                f'Column {letter} repeats the header "{name}"; '
                f'it is called "{renamed}".'
            )
            name = renamed
        taken.add(name)
        names.append(name)
        positions.append(position)
    return names, positions, notes


def _clean_header(cell: Any) -> str:
    if cell is None:
        return ""
    name = str(cell).strip().removeprefix("\ufeff").removeprefix("ï»¿").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    return name


def _unused_name(base: str, taken: set[str], first_suffix: int | None) -> str:
    if first_suffix is None and base not in taken:
        return base
    suffix = first_suffix or 2
    while f"{base}_{suffix}" in taken:
        suffix += 1
    return f"{base}_{suffix}"
