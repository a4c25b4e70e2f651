"""Several tables in one CSV or sheet, told apart by blank rows and columns.

Hand-made sheets stack tables (a summary, then the detail) or set them side
by side. A table starts at a header row; a new one starts only where, after
one or more fully blank rows, a row of column names is followed by data
unlike it. A blank row between data rows, a "Total" line after a gap or a
repeated header never split a table. A fully blank column splits the sheet
into side-by-side tables only when each side has a table of its own, so a
spacer column inside a report does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from kpi.headers import (
    HEADER_SCAN_ROWS,
    find_header_row,
    header_name,
    is_blank,
    is_header_row,
)
from kpi.total_rows import reads_as_total

# Rows looked at to judge whether data rows are all text, like a header.
_SAMPLE_ROWS = 20
# Title lines (one cell each) allowed between a gap and the next header.
_TITLE_ROWS = 3
_NAMES_SHOWN = 4


@dataclass(frozen=True)
class TableBlock:
    """One table: spreadsheet rows from its header to its last data row,
    columns (1 is A), the header cells as text and how many data rows it has
    (blank rows not counted)."""

    first_row: int
    last_row: int
    first_column: int
    last_column: int
    names: tuple[str, ...]
    row_count: int

    def label(self, number: int, with_columns: bool = False) -> str:
        """'Table 2: rows 14–30 (Date, Region, Revenue)'; with columns when
        tables sit side by side: 'Table 2: rows 1–9, columns E–G (...)'."""
        where = f"rows {self.first_row}–{self.last_row}"
        if with_columns:
            first = get_column_letter(self.first_column)
            last = get_column_letter(self.last_column)
            where += f", columns {first}–{last}"
        names = ", ".join(self.names[:_NAMES_SHOWN])
        if len(self.names) > _NAMES_SHOWN:
            names += ", …"
        return f"Table {number}: {where} ({names})"


def find_tables(rows: list[list[Any]]) -> list[TableBlock]:
    """The tables in ``rows`` (cells as a reader found them), top to bottom
    and left to right; [] when no header row is found.

    Example: a header on row 1 with 3 rows of data, a blank row 5, a title on
    row 6 and a header on row 7 with 2 rows -> rows 1–4 and rows 7–9. A table
    without data rows is left out unless it is the only one.
    """
    bands = _column_bands(rows)
    found = [_tables_in_band(rows, first, stop) for first, stop in bands]
    if len(bands) > 1 and not all(found):
        width = max((len(row) for row in rows), default=0)
        found = [_tables_in_band(rows, 0, width)]
    tables = sorted(
        (table for band in found for table in band),
        key=lambda table: (table.first_row, table.first_column),
    )
    with_rows = [table for table in tables if table.row_count]
    return with_rows or tables[:1]


def labels(tables: list[TableBlock]) -> tuple[str, ...]:
    """One label per table, naming columns when tables sit side by side."""
    side_by_side = len({(t.first_column, t.last_column) for t in tables}) > 1
    return tuple(
        table.label(number, side_by_side) for number, table in enumerate(tables, 1)
    )


@dataclass
class _Growing:
    """A table being read: where its header is, its last row, a sample."""

    header: int
    first: int
    stop: int
    last: int
    count: int = 0
    sample_all_text: bool = True

    def add(self, index: int, row: list[Any]) -> None:
        self.last, self.count = index, self.count + 1
        if self.count <= _SAMPLE_ROWS and not is_header_row(row):
            self.sample_all_text = False

    def block(self, rows: list[list[Any]]) -> TableBlock:
        header = rows[self.header][self.first : self.stop]
        names = tuple(header_name(cell) for cell in header if not is_blank(cell))
        return TableBlock(
            first_row=self.header + 1,
            last_row=self.last + 1,
            first_column=self.first + 1,
            last_column=self.stop,
            names=names,
            row_count=self.count,
        )


def _tables_in_band(rows: list[list[Any]], first: int, stop: int) -> list[TableBlock]:
    """The tables within columns ``first``..``stop - 1`` (0-based)."""
    band = _Band(rows, first, stop)
    scanned = range(min(len(rows), HEADER_SCAN_ROWS))
    header = find_header_row([band.cells(index) for index in scanned])
    if header is None:
        return []
    tables: list[TableBlock] = []
    growing = _Growing(header, first, stop, last=header)
    after_gap = False
    for index in range(header + 1, len(rows)):
        if band.blank(index):
            after_gap = True
            continue
        if after_gap:
            after_gap = False
            next_header = _next_header(band, index, growing)
            if next_header is not None:
                tables.append(growing.block(rows))
                growing = _Growing(next_header, first, stop, last=next_header)
                continue
        if index > growing.header:
            growing.add(index, band.cells(index))
    tables.append(growing.block(rows))
    return tables


class _Band:
    """Rows seen through a range of columns."""

    def __init__(self, rows: list[list[Any]], first: int, stop: int) -> None:
        self.rows, self.first, self.stop = rows, first, stop
        # The usual case, one band as wide as the sheet, needs no copy per row.
        self.whole = first == 0 and stop >= max((len(row) for row in rows), default=0)

    def cells(self, index: int) -> list[Any]:
        if self.whole:
            return self.rows[index]
        return self.rows[index][self.first : self.stop]

    def blank(self, index: int) -> bool:
        for cell in self.cells(index):
            if not is_blank(cell):
                return False
        return True

    def filled(self, index: int) -> int:
        return sum(not is_blank(cell) for cell in self.cells(index))

    def following(self, index: int, count: int) -> Iterator[int]:
        """Up to ``count`` non-blank rows after ``index``."""
        for later in range(index + 1, len(self.rows)):
            if count <= 0:
                return
            if not self.blank(later):
                count -= 1
                yield later


def _next_header(band: _Band, index: int, growing: _Growing) -> int | None:
    """The header of a new table starting at ``index`` (after a gap), if any.

    Up to three one-cell title lines may come first. The header must name at
    least as many columns as the rows below it fill, and it or the data below
    must hold numbers or dates, so a text row of the table itself is no header.
    """
    candidate: int | None = index
    for _ in range(_TITLE_ROWS):
        if candidate is None or band.filled(candidate) > 1:
            break
        candidate = next(band.following(candidate, 1), None)
    if candidate is None:
        return None
    row = band.cells(candidate)
    if not is_header_row(row) or reads_as_total(_first_filled(row)):
        return None
    if row == band.cells(growing.header):
        return None  # the same header repeated, as printed exports do per page

    below = list(band.following(candidate, 5))
    if not below:
        return None
    if any(band.filled(later) > band.filled(candidate) for later in below):
        return None
    all_text = all(is_header_row(band.cells(later)) for later in below)
    if all_text and growing.sample_all_text:
        return None
    return candidate


def _first_filled(row: list[Any]) -> Any:
    return next((cell for cell in row if not is_blank(cell)), None)


def _column_bands(rows: list[list[Any]]) -> list[tuple[int, int]]:
    """(first, stop) column ranges between fully blank columns."""
    width = max((len(row) for row in rows), default=0)
    unseen = list(range(width))  # columns without a value so far
    for row in rows:
        unseen = [c for c in unseen if c >= len(row) or is_blank(row[c])]
        if not unseen:
            return [(0, width)]
    bands, start = [], None
    empty = set(unseen)
    for column in range(width + 1):
        if column < width and column not in empty:
            start = column if start is None else start
        elif start is not None:
            bands.append((start, column))
            start = None
    return bands or [(0, width)]
