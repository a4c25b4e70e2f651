"""Formula cells an .xlsx holds without a saved result.

Excel and Google Sheets save each formula's last result beside it; a file
written by a script (openpyxl, a report generator) and never opened in a
spreadsheet holds only the formula, which reads as an empty cell. Goalpost
does not recalculate, so it counts such cells and says how to get their values.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeTree
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

from kpi.headers import HEADER_SCAN_ROWS, is_blank

# A formula element followed by no value, or an empty one, then the cell's end:
# <f>A2*2</f><v /></c>, <f t="shared" si="0"/></c>. Any namespace prefix.
_UNSAVED_FORMULA = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*"
    rb"(?:<(?:\w+:)?v\b[^>]*/>|<(?:\w+:)?v\b[^>]*>\s*</(?:\w+:)?v>)?"
    rb"\s*</(?:\w+:)?c>"
)


@dataclass
class UnsavedFormulas:
    """Formula cells without a saved value: how many, the first, and per column
    (1 is A) how many and the spreadsheet row of the first."""

    count: int = 0
    first: str = ""
    columns: dict[int, tuple[int, int]] = field(default_factory=dict)

    def add(self, row: int, column: int) -> None:
        if not self.count:
            self.first = f"{get_column_letter(column)}{row}"
        self.count += 1
        count, first_row = self.columns.get(column, (0, row))
        self.columns[column] = (count + 1, first_row)


def unsaved_formulas(sheet_xml: bytes) -> UnsavedFormulas:
    """The formula cells of a worksheet part that have no saved value.

    A cell counts when it has an ``<f>`` but no ``<v>``, or an empty ``<v>``
    that is not a formula's saved empty text (``t="str"``). A sheet where no
    formula is followed by an empty value (one Excel saved) is only searched,
    not parsed; otherwise the XML is parsed row by row and each row dropped
    once read, so memory stays small.
    """
    found = UnsavedFormulas()
    if _UNSAVED_FORMULA.search(sheet_xml) is None:
        return found

    sheet_data: Any = None
    row_number, column = 0, 0
    events = SafeTree.iterparse(io.BytesIO(sheet_xml), events=("start", "end"))
    for event, element in events:
        name = element.tag.rpartition("}")[2]
        if event == "start":
            if name == "sheetData":
                sheet_data = element
            elif name == "row":
                row_number = int(element.get("r") or row_number + 1)
                column = 0
            continue
        if name == "c":
            column = _column_of(element.get("r"), column + 1)
            if _lacks_saved_value(element):
                found.add(row_number, column)
            element.clear()
        elif name == "row" and sheet_data is not None:
            sheet_data.clear()  # rows already read are never needed again
    return found


def unsaved_formula_note(found: UnsavedFormulas, rows: list[list[Any]]) -> list[str]:
    """The note for the upload page, or [] when every formula has a value.

    When a column holds nothing below its header but such formulas, the note
    names it: all of its values read as empty, which a metric would show as 0.
    """
    if not found.count:
        return []
    if found.count == 1:
        what = f"1 formula cell has no saved value (at {found.first})"
    else:
        what = (
            f"{found.count:,} formula cells have no saved value "
            f"(first at {found.first})"
        )
    note = f"{what}; open and save the file in Excel or Sheets, then upload it again."
    for column, (_, first_row) in sorted(found.columns.items()):
        label = _formulas_only_column(rows, column, first_row)
        if label is not None:
            note += (
                f" {label} holds only such formulas, so all its values read as empty."
            )
    return [note]


def _lacks_saved_value(cell: Any) -> bool:
    formula = value = None
    for child in cell:
        name = child.tag.rpartition("}")[2]
        if name == "f":
            formula = child
        elif name == "v":
            value = child
    if formula is None:
        return False
    if value is None:
        return True
    return not value.text and cell.get("t") != "str"


def _column_of(reference: str | None, following: int) -> int:
    """The column of a cell reference ("B3" -> 2); references may be left out."""
    if not reference:
        return following
    row_and_column: tuple[int, int] = coordinate_to_tuple(reference)
    return row_and_column[1]


def _formulas_only_column(
    rows: list[list[Any]], column: int, first_row: int
) -> str | None:
    """'Column B ("Revenue")' when, as read, the column is empty from its first
    unsaved formula down and the nearest filled cell above is text (its
    header) or there is none; else None."""
    index = column - 1
    if any(
        index < len(row) and not is_blank(row[index]) for row in rows[first_row - 1 :]
    ):
        return None
    letter = get_column_letter(column)
    top = max(0, first_row - 1 - HEADER_SCAN_ROWS)
    for row in reversed(rows[top : first_row - 1]):
        cell = row[index] if index < len(row) else None
        if is_blank(cell):
            continue
        if isinstance(cell, str):
            return f'Column {letter} ("{cell.strip()}")'
        return None  # a value above the formulas: the column is not all formulas
    return f"Column {letter}"
