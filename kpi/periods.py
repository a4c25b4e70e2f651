"""Period arithmetic: which bucket a date falls in, and how buckets are named.

A bucket is named by its first day (a Timestamp at midnight). Weeks start on
Monday (ISO 8601) or Sunday; quarters and years follow the fiscal year, which
may start in any month. A week that spans New Year is one bucket, so a chart
never shows a "2024 week 1" holding only 30-31 December.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kpi.model import PERIODS

WEEK_STARTS: tuple[str, ...] = ("monday", "sunday")
_MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
# 1970-01-01, day 0 of numpy's calendar, was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3
_NS_PER_DAY = 86_400_000_000_000
_MONTHS_PER_BUCKET = {"month": 1, "quarter": 3, "year": 12}


def bucket_start(
    dates: pd.Series,
    period: str,
    week_start: str = "monday",
    fiscal_start_month: int = 1,
) -> pd.Series:
    """The first day of the bucket each date falls in, as midnight Timestamps.

    Missing dates stay missing. With ``fiscal_start_month=4`` quarters start in
    April, July, October and January, and the year bucket of 2026-05-10 starts
    on 2026-04-01. Sunday weeks: 2025-01-01 (a Wednesday) -> 2024-12-29.
    """
    _check_settings(period, week_start, fiscal_start_month)
    stamps = dates.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(stamps)
    # Missing dates are parked on 1970-01-01 while computing, then put back.
    nanoseconds = np.where(missing, 0, stamps.view("int64"))

    if period in ("day", "week"):
        days = nanoseconds // _NS_PER_DAY
        if period == "week":
            days = days - _days_since_week_start(days, week_start)
        starts = days * _NS_PER_DAY
    else:
        starts = _month_bucket_starts(nanoseconds, period, fiscal_start_month)

    result = starts.view("datetime64[ns]").copy()
    result[missing] = np.datetime64("NaT")
    return pd.Series(result, index=dates.index, name=dates.name)


def _days_since_week_start(days: np.ndarray, week_start: str) -> np.ndarray:
    weekday = (days + _EPOCH_WEEKDAY) % 7
    first_weekday = 0 if week_start == "monday" else 6
    return (weekday - first_weekday) % 7


def _month_bucket_starts(
    nanoseconds: np.ndarray, period: str, fiscal_start_month: int
) -> np.ndarray:
    # A bucket starts where (month - fiscal start month) is a multiple of the
    # bucket's length in months; months count from 1970-01.
    stamps = pd.DatetimeIndex(nanoseconds.view("datetime64[ns]"))
    months = (stamps.year.to_numpy() - 1970) * 12 + stamps.month.to_numpy() - 1
    length = _MONTHS_PER_BUCKET[period]
    bucket_months: np.ndarray = months - (months - (fiscal_start_month - 1)) % length
    if len(bucket_months) == 0:
        return bucket_months.astype("int64")
    # numpy's month-to-day conversion is slow, so convert each month once.
    first = bucket_months.min()
    table = np.arange(first, bucket_months.max() + 1).astype("datetime64[M]")
    table_ns = table.astype("datetime64[ns]").view("int64")
    starts: np.ndarray = table_ns[bucket_months - first]
    return starts


def period_range(
    start: date,
    end: date,
    period: str,
    week_start: str = "monday",
    fiscal_start_month: int = 1,
) -> list[pd.Timestamp]:
    """The starts of every bucket that overlaps ``start``..``end`` (inclusive).

    ``period_range(date(2026, 1, 15), date(2026, 3, 2), "month")`` gives the
    starts of January, February and March 2026.
    """
    _check_settings(period, week_start, fiscal_start_month)
    if end < start:
        return []
    days = pd.Series(pd.date_range(start, end, freq="D"))
    starts = bucket_start(days, period, week_start, fiscal_start_month)
    return [pd.Timestamp(value) for value in starts.drop_duplicates()]


def bucket_end(bucket: pd.Timestamp, period: str) -> pd.Timestamp:
    """The last day (inclusive) of the bucket that starts on ``bucket``."""
    _check_settings(period, "monday", 1)
    bucket = pd.Timestamp(bucket).normalize()
    if period == "day":
        return bucket
    if period == "week":
        return bucket + pd.Timedelta(days=6)
    months = _MONTHS_PER_BUCKET[period]
    return bucket + pd.DateOffset(months=months) - pd.Timedelta(days=1)


FISCAL_YEAR_NAMES: tuple[str, ...] = ("end", "start")


def period_label(
    bucket: pd.Timestamp,
    period: str,
    week_start: str = "monday",
    fiscal_start_month: int = 1,
    fiscal_year_named_by: str = "end",
) -> str:
    """How people read a bucket.

    Monday weeks carry the ISO year: the week starting 2024-12-30 is
    "2025-W01". Sunday weeks are "Week of 2024-12-29". A fiscal year that
    does not start in January is named by the year it ends in (the default,
    as in the UK and US federal usage: April 2026 - March 2027 is "FY2027")
    or, with ``fiscal_year_named_by="start"``, the year it starts in
    ("FY2026"). With April as the first month, the quarter starting
    2026-04-01 is "FY2027 Q1" by default.
    """
    _check_settings(period, week_start, fiscal_start_month)
    bucket = pd.Timestamp(bucket)
    if period == "day":
        return bucket.strftime("%Y-%m-%d")
    if period == "week":
        if week_start == "sunday":
            return f"Week of {bucket:%Y-%m-%d}"
        iso = bucket.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return f"{_MONTH_NAMES[bucket.month - 1]} {bucket.year}"

    quarter = (bucket.month - fiscal_start_month) % 12 // 3 + 1
    if fiscal_start_month == 1:
        return f"Q{quarter} {bucket.year}" if period == "quarter" else str(bucket.year)
    if fiscal_year_named_by not in FISCAL_YEAR_NAMES:
        raise ValueError(
            f'Unknown fiscal year naming "{fiscal_year_named_by}". '
            'Use "end" or "start".'
        )
    first_year = bucket.year if bucket.month >= fiscal_start_month else bucket.year - 1
    fiscal_year = first_year + 1 if fiscal_year_named_by == "end" else first_year
    if period == "quarter":
        return f"FY{fiscal_year} Q{quarter}"
    return f"FY{fiscal_year}"


def days_inclusive(start: date, end: date) -> int:
    """Days from ``start`` to ``end``, both counted: 2026-03-01..2026-03-31 is 31."""
    return (end - start).days + 1


def time_frame_label(start: date, end: date) -> str:
    """A whole calendar year, quarter or month by its name, else the date range.

    2026-01-01..2026-03-31 -> "Q1 2026"; 2026-01-05..2026-02-20 ->
    "2026-01-05 – 2026-02-20".
    """
    starts_month = start.day == 1
    ends_month = (end + timedelta(days=1)).day == 1
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if starts_month and ends_month:
        if months == 12 and start.month == 1:
            return str(start.year)
        if months == 3 and start.month % 3 == 1:
            return f"Q{start.month // 3 + 1} {start.year}"
        if months == 1:
            return f"{_MONTH_NAMES[start.month - 1]} {start.year}"
    return f"{start.isoformat()} – {end.isoformat()}"


_TIME_FRAME_HELP = (
    "Write a year (2026), a quarter (2026-Q1), a month (2026-03), an ISO week "
    "(2026-W05) or a range of days (2026-01-05..2026-02-20)."
)


def parse_time_frame(text: str) -> tuple[date, date]:
    """The first and last day (inclusive) of a time frame written as text.

    "2026" -> 2026-01-01..2026-12-31; "2026-Q1" -> 2026-01-01..2026-03-31;
    "2026-03" -> March; "2026-W05" -> the ISO week, Monday 2026-01-26 to
    Sunday 2026-02-01; "2026-01-05..2026-02-20" -> that range.
    """
    cleaned = str(text).strip()
    try:
        frame = _match_time_frame(cleaned)
    except ValueError as problem:
        raise ValueError(f'"{text}" is not a valid time frame: {problem}.') from None
    if frame is None:
        raise ValueError(f'"{text}" is not a time frame. {_TIME_FRAME_HELP}')
    if frame[1] < frame[0]:
        raise ValueError(
            f'"{text}" ends before it starts. Put the earlier date first, '
            "as in 2026-01-05..2026-02-20."
        )
    return frame


def _match_time_frame(text: str) -> tuple[date, date] | None:
    if match := re.fullmatch(r"(\d{4})", text):
        year = int(match[1])
        return date(year, 1, 1), date(year, 12, 31)
    if match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return first, _month_after(first, 3) - timedelta(days=1)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        first = date(int(match[1]), int(match[2]), 1)
        return first, _month_after(first, 1) - timedelta(days=1)
    if match := re.fullmatch(r"(\d{4})-[Ww](\d{2})", text):
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return monday, monday + timedelta(days=6)
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", text):
        return date.fromisoformat(match[1]), date.fromisoformat(match[2])
    return None


def _month_after(first: date, months: int) -> date:
    month_number = first.year * 12 + first.month - 1 + months
    return date(month_number // 12, month_number % 12 + 1, 1)


def _check_settings(period: str, week_start: str, fiscal_start_month: int) -> None:
    if period not in PERIODS:
        raise ValueError(
            f'Unknown period "{period}". Use one of: {", ".join(PERIODS)}.'
        )
    if week_start not in WEEK_STARTS:
        raise ValueError(
            f'Unknown week start "{week_start}". Use "monday" or "sunday".'
        )
    if not 1 <= fiscal_start_month <= 12:
        raise ValueError(
            f"Fiscal year start month {fiscal_start_month} is not a month. "
            "Use a number from 1 (January) to 12 (December)."
        )
