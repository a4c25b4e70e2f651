"""A first guess at which column of a RawTable plays which part.

The guess is only a starting point: the upload page shows it and the person
confirms or changes it. It looks at names and at the values themselves:
a date column, number columns that are not codes, and dimension columns with
few distinct values, among which a team and a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

from kpi.errors import ImportProblem
from kpi.model import ColumnMapping
from kpi.reading import RawTable
from kpi.total_rows import total_mask
from kpi.values import (
    blank_mask,
    date_order_votes,
    parse_date_column,
    parse_number_column,
)

# Share of non-empty cells that must parse for a column to count as dates/numbers.
MOSTLY = 0.9
# Rows looked at to judge a column's kind; distinct counts use the whole column.
_SAMPLE_ROWS = 2_000
_DATE_WORDS = ("date", "day", "week", "month", "time", "created")
_SERIAL_WORDS = ("date", "day", "week")
_TEAM_WORDS = ("team", "region", "department", "dept", "squad", "group")
_PERSON_WORDS = ("owner", "person", "rep", "agent", "employee", "assignee")
_IDENTIFIER_WORDS = ("id", "code", "zip", "zipcode", "postal", "postcode", "year")
_LEADING_ZERO = re.compile(r"0\d+")
_EXPONENT_CODE = re.compile(r"\d+[eE]\d+")


@dataclass(frozen=True)
class ColumnProfile:
    """What the values of one column look like."""

    name: str
    position: int
    filled: float  # share of rows with a value
    date_share: float  # share of non-empty sample cells that are dates
    number_share: float  # share of non-empty sample cells that are numbers
    identifier: bool  # a code, not a quantity: 007, 12E3, "Postal Code"
    distinct: int
    non_empty: int

    @property
    def is_date(self) -> bool:
        return self.non_empty > 0 and self.date_share >= MOSTLY

    @property
    def is_number(self) -> bool:
        return (
            self.non_empty > 0 and self.number_share >= MOSTLY and not self.identifier
        )

    @property
    def is_dimension(self) -> bool:
        few = self.distinct <= 200 or self.distinct <= 0.5 * self.non_empty
        return self.non_empty > 0 and few


def guess_mapping(raw: RawTable, *, require_date: bool = True) -> ColumnMapping:
    """The likeliest mapping of ``raw``; ImportProblem ``no_date_column`` if none.

    Example: Superstore orders -> date "Order Date", team "Region", numbers
    Sales, Quantity, Discount, Profit (not "Row ID" or "Postal Code").
    With ``require_date=False`` a file without a clear date column still gets
    a mapping: the column named most like a date (else the first) is offered
    as the date, so that the user can correct it and see the cells that fail.
    Total cells ("Total", "Subtotal East") among a column's other values are
    left out of the guess, as the import leaves total lines out of the rows.
    """
    raw = _without_total_cells(raw)
    profiles = [profile_column(raw, name) for name in raw.frame.columns]
    dates = [p for p in profiles if p.is_date]
    if not dates and not require_date:
        dates = [
            max(profiles, key=lambda p: (_has_word(p.name, _DATE_WORDS), -p.position))
        ]
    if not dates:
        location = raw.location()
        message = (
            f"{location.describe()}: no column looks like a date. Add a date column "
            "(one date per row) or pick it in the mapping."
        )
        raise ImportProblem("no_date_column", message, location)

    date = max(
        dates, key=lambda p: (_has_word(p.name, _DATE_WORDS), p.filled, -p.position)
    )
    numbers = [p.name for p in profiles if p.is_number and p is not date]
    dimensions = [
        p.name
        for p in profiles
        if p.is_dimension and not (p.is_date or p.is_number or p is date)
    ]
    team = _first_named(dimensions, _TEAM_WORDS)
    person = _person_column([d for d in dimensions if d != team])
    return ColumnMapping(
        date=date.name,
        dimensions=tuple(dimensions),
        numbers=tuple(numbers),
        team=team,
        person=person,
        day_first=date_order_votes(raw.frame[date.name]).decided,
    )


def _without_total_cells(raw: RawTable) -> RawTable:
    # A "Total" among a column's dates or numbers hides what the column is;
    # a label on more than half the rows ("Total Rewards" on every row) is the
    # column's own.
    frame = raw.frame.copy()
    for name in frame.columns:
        totals = total_mask(frame[name])
        filled = int((~blank_mask(frame[name])).sum())
        if totals.any() and 2 * int(totals.sum()) <= filled:
            frame[name] = frame[name].where(~totals, None)
    return replace(raw, frame=frame)


def profile_column(raw: RawTable, name: str) -> ColumnProfile:
    """Shares of dates and numbers (on a sample), identifier signs, distinct values."""
    values = raw.frame[name]
    filled = ~blank_mask(values)
    sample = values.head(_SAMPLE_ROWS)[filled.head(_SAMPLE_ROWS)]
    serials = _has_word(name, _SERIAL_WORDS)
    number_share = _share_good(parse_number_column(sample)[1], len(sample))
    plain_numbers = number_share >= MOSTLY and not serials  # cannot be dates
    return ColumnProfile(
        name=name,
        position=list(raw.frame.columns).index(name),
        filled=float(filled.mean()) if len(values) else 0.0,
        date_share=0.0 if plain_numbers else _date_share(sample, serials),
        number_share=number_share,
        identifier=looks_like_identifier(name, values),
        distinct=int(values[filled].nunique()),
        non_empty=int(filled.sum()),
    )


def looks_like_identifier(name: str, values: pd.Series) -> bool:
    """True for codes that look numeric but must stay text.

    A name ending in id/code/zip/postal/year (``Row ID``, ``cost_center_code``),
    a value with a leading zero (``007``) or in exponent form (``12E3``).
    """
    words = _words(name)
    if words and words[-1] in _IDENTIFIER_WORDS:
        return True
    if re.search(r"[a-z](Id|ID|Code)$", name):
        return True
    texts = {
        value.strip() for value in pd.unique(values.dropna()) if isinstance(value, str)
    }
    return any(_LEADING_ZERO.fullmatch(t) or _EXPONENT_CODE.fullmatch(t) for t in texts)


def _date_share(sample: pd.Series, excel_serials: bool) -> float:
    """Share of cells that are dates read either day-first or month-first."""
    if sample.empty:
        return 0.0
    _, bad = parse_date_column(sample, True, excel_serials)
    if bad.any():  # 1/13/2024 is a date only month-first
        _, bad = parse_date_column(sample[bad], False, excel_serials)
    return _share_good(bad, len(sample))


def _share_good(bad: pd.Series, count: int) -> float:
    return 1.0 - float(bad.sum()) / count if count else 0.0


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", name.lower())


def _has_word(name: str, words: tuple[str, ...]) -> bool:
    """True when a word of ``name`` is one of ``words`` (plurals count)."""
    return any(word in words or word.rstrip("s") in words for word in _words(name))


def _first_named(names: list[str], words: tuple[str, ...]) -> str | None:
    """The first of ``names`` matching the earliest of ``words`` (earlier wins)."""
    for word in words:
        for name in names:
            if _has_word(name, (word,)):
                return name
    return None


def _person_column(names: list[str]) -> str | None:
    """An owner/rep/agent-like column, else one called just "Name" or "Full name".

    "Customer Name" or "Product Name" never count: they do not own KPIs.
    """
    named = _first_named(names, _PERSON_WORDS)
    if named is not None:
        return named
    return next((n for n in names if _words(n) in (["name"], ["full", "name"])), None)
