"""Files without a date column: every row dated with the day they cover.

Exports often leave the date out because the whole file is one period:
"sessions by browser, March 2026", a team list, a price list. Goalpost keeps
rows by date, so the person says which day the file describes and every row
gets that date in a new column.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from kpi.headers import free_name
from kpi.reading import RawTable

DATE_COLUMN = "Date"


def dated_as_of(raw: RawTable, day: date) -> RawTable:
    """``raw`` with a first column holding ``day`` on every row.

    The column is called "Date", or "Date_2" (and so on) when the file has a
    "Date" column already. Rows keep their spreadsheet row numbers; a note
    says what was added. Example: a 3-row team list dated 2026-03-31 gets
    Date = 2026-03-31 on rows 2, 3 and 4.
    """
    name = free_name(DATE_COLUMN, {str(column) for column in raw.frame.columns})

    frame = raw.frame.copy()
    frame.insert(0, name, [datetime(day.year, day.month, day.day)] * len(frame))
    row_numbers = raw.row_numbers or tuple(
        raw.sheet_row(index) for index in range(len(frame))
    )
    note = (
        f"The file has no date column: every row is dated {day.isoformat()} "
        f'in a new column "{name}".'
    )
    return replace(raw, frame=frame, row_numbers=row_numbers, notes=(*raw.notes, note))
