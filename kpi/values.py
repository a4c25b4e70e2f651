"""Numbers and dates read the way people type them.

One value: ``parse_number("$1,234.50") == 1234.5``, ``parse_date("31.08.2023")``.
One column: ``parse_number_column`` and ``parse_date_column`` return the parsed
values plus a mask of the non-empty cells that could not be read, so that the
caller can name every bad cell. Columns are parsed once per distinct value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

# Excel's 1900 date system counts days from 1899-12-30 (it keeps Lotus' 1900 leap bug).
EXCEL_EPOCH = datetime(1899, 12, 30)
# Serials between these (1954-10-03 .. 2119-01-10) are taken as dates; others are not.
EXCEL_SERIAL_RANGE = (20_000, 80_000)

_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_NUMBER = re.compile(
    r"(?P<sign>[-+]?)(?P<prefix>[A-Z]{0,3}[$€£¥₹]|[A-Z]{3})?(?P<sign2>[-+]?)"
    r"(?P<digits>[\d.,]*\d[\d.,]*)(?P<exponent>[eE][-+]?\d+)?"
    r"(?P<suffix>[$€£¥₹]|[A-Z]{3})?(?P<sign3>-?)"
)
_DOT_DECIMAL = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?")
_COMMA_DECIMAL = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d+)?")
# A space between digits only groups thousands: "1 234,50", never "12 34".
_GROUP_SPACE = re.compile(r"(?<=\d)\s(?=\d{3}(?:\D|$))")
# "1.234,50", "980,00", "4,2%": a comma then one or two digits closes the number.
_DECIMAL_COMMA_HINT = re.compile(r"\d,\d{1,2}[^\d.,]*$")

_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:[T ]\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?"
)
_YEAR_MONTH = re.compile(r"(?P<year>\d{4})[-/](?P<month>\d{1,2})")
_ISO_WEEK = re.compile(r"(?P<year>\d{4})-?W(?P<week>\d{2})(?:-?(?P<weekday>[1-7]))?")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})")
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")
_MONTH_NAME_YEAR = re.compile(r"([A-Za-z]{3,9})\.?[ -](\d{4})")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """The number a person meant by ``text``; None for an empty cell.

    Handles currency (``$1,234.50`` -> 1234.5, ``-$120.00`` -> -120.0), accounting
    negatives (``(550.25)`` -> -550.25), percentages (``12%`` -> 0.12) and
    thousands separators. With ``decimal_comma`` the roles of ``.`` and ``,``
    swap: ``1.234,50`` -> 1234.5. Raises ValueError for anything else.
    """
    body = text.strip()
    if not body:
        return None
    if _PLAIN_NUMBER.fullmatch(body) and not (decimal_comma and "." in body):
        return float(body)

    body = _GROUP_SPACE.sub("", body)
    if re.search(r"\d\s+\d", body):
        raise ValueError(f'"{text}" is not a number')
    body = re.sub(r"\s+", "", body).replace("\u2212", "-")
    negative = body.startswith("(") and body.endswith(")")
    if negative:
        body = body[1:-1]
    divisor = 100.0 if body.endswith("%") else 1.0
    body = body.removesuffix("%")

    match = _NUMBER.fullmatch(body)
    if match is None:
        raise ValueError(f'"{text}" is not a number')
    signs = match["sign"] + match["sign2"] + match["sign3"]
    if len(signs) > 1 or (negative and signs):
        raise ValueError(f'"{text}" is not a number')
    value = _digits_value(match["digits"], match["exponent"] or "", decimal_comma)
    if value is None:
        raise ValueError(f'"{text}" is not a number')
    negative = negative or signs == "-"
    return (-value if negative else value) / divisor


def _digits_value(digits: str, exponent: str, decimal_comma: bool) -> float | None:
    if decimal_comma:
        if exponent or not _COMMA_DECIMAL.fullmatch(digits):
            return None
        return float(digits.replace(".", "").replace(",", "."))
    if not _DOT_DECIMAL.fullmatch(digits):
        return None
    return float(digits.replace(",", "") + exponent)


def uses_decimal_comma(values: pd.Series) -> bool:
    """True when some text value ends in a comma and 1-2 digits (``980,00``)."""
    texts = _distinct_texts(values)
    return any(
        "," in text and _DECIMAL_COMMA_HINT.search(text.strip()) for text in texts
    )


def parse_number_column(
    values: pd.Series, decimal_comma: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """(float64 values, mask of non-empty cells that are not numbers).

    Empty cells become NaN and are not bad. Native numbers (from XLSX) pass as
    they are; text goes through ``parse_number``. ``decimal_comma=None`` decides
    it from the column (``uses_decimal_comma``).
    """
    if decimal_comma is None:
        decimal_comma = uses_decimal_comma(values)

    def one_number(value: Any) -> float | None:
        if isinstance(value, str):
            return parse_number(value, decimal_comma)
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(f"{value!r} is not a number")
        return float(value)

    parsed, bad = _per_distinct_value(values, one_number)
    return pd.Series(parsed, index=values.index, dtype="float64"), bad


class DateOrderVotes(NamedTuple):
    """How many distinct D/M/Y values force day-first, force month-first, or allow both.

    ``31/08/2023`` votes day-first, ``11/13/2016`` month-first, ``03/04/2026``
    allows both; ISO dates, serials and ``05/05/2024`` do not vote. Dotted
    dates (``03.02.2025``) vote day-first: nobody writes M.D.YYYY.
    """

    day_first: int
    month_first: int
    either: int

    @property
    def decided(self) -> bool | None:
        if self.day_first == self.month_first:
            return None
        return self.day_first > self.month_first

    @property
    def needs_choice(self) -> bool:
        """True when D/M values exist but their order cannot be told from them."""
        has_votes = self.day_first + self.month_first + self.either > 0
        return self.decided is None and has_votes


def date_order_votes(values: pd.Series) -> DateOrderVotes:
    """Count the evidence for day-first vs month-first among distinct text values."""
    day_first = month_first = either = 0
    for text in _distinct_texts(values):
        match = _NUMERIC_DATE.fullmatch(text.strip())
        if match is None or len(match["a"]) > 2:
            continue
        first, second = int(match["a"]), int(match["b"])
        if match["sep"] == "." or first > 12 >= second:
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
        elif first != second and first <= 12 and second <= 12:
            either += 1
    return DateOrderVotes(day_first, month_first, either)


def parse_date(
    value: Any, day_first: bool | None = None, excel_serials: bool = True
) -> datetime | None:
    """The date (and time of day) a cell holds; None for an empty cell.

    Accepts datetime cells, ISO (``2024-10-30 15:15:11.744884``), D/M/Y and M/D/Y
    with ``/ - .`` (``day_first`` picks the order; None accepts only values whose
    order is plain, like ``31/08/2023``), ``2025-01`` (first of the month),
    ``2025-W10`` (its Monday), ``5 Jan 2024`` and, when ``excel_serials``, Excel
    serials: 45306.75 -> 2024-01-15 18:00. Time zones are dropped, not shifted.
    Raises ValueError for anything else.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, bool | time):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float | np.number):
        return _from_excel_serial(float(value), excel_serials)
    text = str(value).strip()
    if not text:
        return None
    return _parse_date_text(text, day_first, excel_serials)


def parse_date_column(
    values: pd.Series, day_first: bool | None = None, excel_serials: bool = True
) -> tuple[pd.Series, pd.Series]:
    """(datetime64[ns] values, mask of non-empty cells that are not dates).

    ``day_first=None`` takes the order the column's values decide
    (``date_order_votes``); values whose order stays unclear are marked bad.
    """
    if day_first is None:
        day_first = date_order_votes(values).decided

    def one_date(value: Any) -> np.datetime64:
        parsed = parse_date(value, day_first, excel_serials)
        return (
            np.datetime64("NaT", "ns")
            if parsed is None
            else np.datetime64(parsed, "ns")
        )

    parsed, bad = _per_distinct_value(
        values, one_date, missing=np.datetime64("NaT", "ns")
    )
    return pd.Series(parsed, index=values.index, dtype="datetime64[ns]"), bad


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a cell is empty: None, NaN or only whitespace."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    blank_uniques = [isinstance(u, str) and not u.strip() for u in uniques]
    blank = np.array([*blank_uniques, True], dtype=bool)[codes]  # -1: None/NaN
    return pd.Series(blank, index=values.index)


def _distinct_texts(values: pd.Series) -> list[str]:
    """The distinct text cells of ``values`` (native numbers and dates left out)."""
    uniques = pd.unique(values.to_numpy(dtype=object))
    return [value for value in uniques if isinstance(value, str)]


def _per_distinct_value(
    values: pd.Series, parse: Callable[[Any], Any], missing: Any = np.nan
) -> tuple[np.ndarray, pd.Series]:
    """Apply ``parse`` once per distinct non-empty value; failures mark cells bad."""
    empty = blank_mask(values).to_numpy()
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    results, failed = [], []
    for unique in uniques:
        try:
            results.append(parse(unique))
            failed.append(False)
        except ValueError:
            results.append(missing)
            failed.append(True)

    out = np.array([*results, missing])[codes]  # code -1 (None/NaN) picks `missing`
    out[empty] = missing
    bad = np.array([*failed, False], dtype=bool)[codes] & ~empty
    return out, pd.Series(bad, index=values.index)


def _from_excel_serial(serial: float, allowed: bool) -> datetime:
    low, high = EXCEL_SERIAL_RANGE
    if not allowed or not low <= serial <= high:
        raise ValueError(f"{serial!r} is not a date")
    return EXCEL_EPOCH + timedelta(milliseconds=round(serial * 86_400_000))


def _parse_date_text(
    text: str, day_first: bool | None, excel_serials: bool
) -> datetime:
    if match := _NUMERIC_DATE.fullmatch(text):
        return _numeric_date(match, day_first)
    if match := _YEAR_MONTH.fullmatch(text):
        return _checked(int(match["year"]), int(match["month"]), 1)
    if match := _ISO_WEEK.fullmatch(text):
        weekday = int(match["weekday"] or 1)
        try:
            day = date.fromisocalendar(int(match["year"]), int(match["week"]), weekday)
        except ValueError as error:
            raise ValueError(f'"{text}" is not a date') from error
        return datetime(day.year, day.month, day.day)
    if _SERIAL.fullmatch(text):
        return _from_excel_serial(float(text), excel_serials)
    return _named_month_date(text)


def _numeric_date(match: re.Match[str], day_first: bool | None) -> datetime:
    first, second, last = match["a"], match["b"], match["c"]
    if len(first) == 4 and len(last) <= 2:
        year, month, day = int(first), int(second), int(last)
    elif len(first) <= 2 and len(last) in (2, 4):
        year = _four_digit_year(last)
        order = day_first
        if order is None:
            order = _plain_order(int(first), int(second), match["sep"])
        day, month = (int(first), int(second)) if order else (int(second), int(first))
    else:
        raise ValueError(f'"{match.string}" is not a date')
    return _checked(year, month, day, _time_of_day(match))


def _plain_order(first: int, second: int, separator: str) -> bool:
    """The order a lone value shows by itself; ValueError when it shows none."""
    if separator == "." or first > 12 or first == second:
        return True
    if second > 12:
        return False
    raise ValueError(f"{first}/{second} could be day-first or month-first")


def _four_digit_year(text: str) -> int:
    # Two-digit years follow strptime's %y: 00-68 -> 20xx, 69-99 -> 19xx.
    if len(text) == 4:
        return int(text)
    return 2000 + int(text) if int(text) <= 68 else 1900 + int(text)


def _time_of_day(match: re.Match[str]) -> timedelta:
    if match["hour"] is None:
        return timedelta()
    hour = int(match["hour"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f'"{match.string}" is not a date')
        hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
    minute, second = int(match["minute"]), int(match["second"] or 0)
    micro = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f'"{match.string}" is not a date')
    return timedelta(hours=hour, minutes=minute, seconds=second, microseconds=micro)


def _named_month_date(text: str) -> datetime:
    if match := _DAY_MONTH_NAME.fullmatch(text):
        day, month, year = match.groups()
    elif match := _MONTH_NAME_DAY.fullmatch(text):
        month, day, year = match.groups()
    elif match := _MONTH_NAME_YEAR.fullmatch(text):
        (month, year), day = match.groups(), "1"
    else:
        raise ValueError(f'"{text}" is not a date')
    if month.lower() not in _MONTHS:
        raise ValueError(f'"{text}" is not a date')
    return _checked(int(year), _MONTHS[month.lower()], int(day))


def _checked(
    year: int, month: int, day: int, time_of_day: timedelta | None = None
) -> datetime:
    # Years outside 1700-2250 are typing slips and would overflow datetime64[ns].
    if not 1700 <= year <= 2250:
        raise ValueError(f"year {year} is not a plausible date")
    try:
        return datetime(year, month, day) + (time_of_day or timedelta())
    except ValueError as error:
        raise ValueError(f"{year}-{month}-{day} is not a date") from error
