"""Reports with periods across: labels down the side, one column per month.

A finance or sales report often reads ``Region | Jan 2025 | Feb 2025 | ... |
Total``: the months are column names, not values. Goalpost maps one row per
date, so such a sheet is recognised here and ``kpi.reshape.unpivot_report``
turns it into rows. Month names are read as "Jan 2025", "January 2025",
"2025-02", "02/2025", "Feb-25" and Excel dates; years alone ("2025") and
months without a year ("Jan") are not periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from kpi.values import blank_mask, date_order_votes, parse_date, parse_number_column

# Share of filled cells under the period columns that must be numbers.
MOSTLY_NUMBERS = 0.9
# Rows looked at to judge the cells under the period columns.
_SAMPLE_ROWS = 500
_MONTH_SHORT_YEAR = re.compile(r"(?P<month>[A-Za-z]{3,9})\.?[\s\-']+'?(?P<year>\d{2})")
_MONTH_SLASH_YEAR = re.compile(r"(?P<month>\d{1,2})[/.\-](?P<year>\d{4})")


@dataclass(frozen=True)
class ReportLayout:
    """Which columns of a report are labels, which are periods (with the date
    each stands for: the first of its month, or the date itself) and which
    others sit among the periods and are left out (Total, Average)."""

    label_columns: tuple[str, ...]
    periods: tuple[tuple[str, datetime], ...]
    left_out: tuple[str, ...]

    @property
    def monthly(self) -> bool:
        """True when every period is the first of a month at midnight."""
        return all(day == datetime(day.year, day.month, 1) for _, day in self.periods)

    def describe(self) -> str:
        """'months across (Jan 2025 … Dec 2025)' or 'dates across (...)'."""
        days = [day for _, day in self.periods]
        if self.monthly:
            first, last = f"{min(days):%b %Y}", f"{max(days):%b %Y}"
            return f"months across ({first} … {last})"
        first, last = _day_text(min(days)), _day_text(max(days))
        return f"dates across ({first} … {last})"

    def note(self) -> str:
        """What the upload page says about a table that is such a report."""
        return (
            f"This looks like a report with {self.describe()}, not a table; "
            'choose "Turn into rows" to import it.'
        )


def header_date(name: str, day_first: bool | None = None) -> datetime | None:
    """The date a column name stands for: "Feb-25" -> 2025-02-01; None if none."""
    text = name.strip()
    if match := _MONTH_SHORT_YEAR.fullmatch(text):
        year = int(match["year"])
        # Two-digit years as strptime's %y reads them: 00-68 -> 20xx, 69-99 -> 19xx.
        text = f"{match['month']} {2000 + year if year <= 68 else 1900 + year}"
    elif match := _MONTH_SLASH_YEAR.fullmatch(text):
        text = f"{match['year']}-{match['month']}"
    try:
        return parse_date(text, day_first, excel_serials=False)
    except ValueError:
        return None


def report_layout(frame: pd.DataFrame) -> ReportLayout | None:
    """The layout of ``frame`` when it is a report with periods across, else None.

    It is one when two or more column names are distinct dates, at least one
    column before the first of them holds labels, and the filled cells under
    the period columns are (nearly all) numbers.
    """
    names = [str(name) for name in frame.columns]
    day_first = date_order_votes(pd.Series(names, dtype=object)).decided
    days = [header_date(name, day_first) for name in names]
    positions = [i for i, day in enumerate(days) if day is not None]
    if len(positions) < 2 or positions[0] == 0:
        return None
    periods = tuple((names[i], day) for i, day in enumerate(days) if day is not None)
    if len({day for _, day in periods}) < len(periods):
        return None
    if not _mostly_numbers(frame[[name for name, _ in periods]]):
        return None
    left_out = tuple(
        name for i, name in enumerate(names) if i > positions[0] and days[i] is None
    )
    return ReportLayout(tuple(names[: positions[0]]), periods, left_out)


def _mostly_numbers(cells: pd.DataFrame) -> bool:
    sample = cells.head(_SAMPLE_ROWS)
    filled = bad = 0
    for name in sample.columns:
        values = sample[name][~blank_mask(sample[name])]
        filled += len(values)
        bad += int(parse_number_column(values)[1].sum())
    return filled > 0 and (filled - bad) >= MOSTLY_NUMBERS * filled


def _day_text(day: datetime) -> str:
    return f"{day.day} {day:%b %Y}"
