"""Like-for-like comparison with the previous period (DESIGN.md rule 6).

On 15 March, March 1-15 is compared with February 1-15, not with the whole
of February: an unfinished month set against a finished one always looks
like a crash. With ``whole_periods`` the last complete period is compared
with the one before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from kpi.metrics import Rows, Slice, metric_value
from kpi.model import Definitions
from kpi.periods import bucket_end, bucket_start
from kpi.settings import WorkspaceSettings

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
Window = tuple[date, date]
EVERYONE = Slice()
DEFAULT_SETTINGS = WorkspaceSettings()


@dataclass(frozen=True)
class Delta:
    """The change from ``previous`` to ``current``; None always means "no value".

    ``percent`` is a fraction of ``previous`` (0.2 for +20 %): None when the
    previous value is 0 or missing, and 0.0 for 0 -> 0 (no change). ``points``
    is the change in percentage points for percent-unit metrics (2 % -> 2.5 %
    is 0.5). ``good`` is True when the change goes the metric's way, False
    when it goes against it, None when there is no change or no value.
    """

    current: float | None
    previous: float | None
    absolute: float | None
    percent: float | None
    points: float | None
    current_label: str
    previous_label: str
    good: bool | None


def change_between(
    current: float | None,
    previous: float | None,
    *,
    unit: str = "number",
    direction: str = "higher",
    current_label: str = "",
    previous_label: str = "",
) -> Delta:
    """The ``Delta`` from ``previous`` to ``current``.

    3,000 against 2,500 is +500 and +20.0 %; 10 against 0 is +10 with no
    percent (it would be infinite); 0 against 0 is 0 and 0.0 %.
    """
    absolute = None
    if current is not None and previous is not None:
        absolute = current - previous

    percent = None
    if absolute is not None and previous is not None and previous != 0:
        percent = absolute / abs(previous)
    elif absolute == 0:
        percent = 0.0

    points = absolute * 100 if absolute is not None and unit == "percent" else None
    good = None
    if absolute:
        good = (absolute > 0) == (direction == "higher")
    return Delta(
        current,
        previous,
        absolute,
        percent,
        points,
        current_label,
        previous_label,
        good,
    )


def comparison_windows(
    today: date,
    period: str = "month",
    *,
    whole_periods: bool = False,
    week_start: str = "monday",
    fiscal_start_month: int = 1,
) -> tuple[Window, Window]:
    """The (current, previous) windows, each as inclusive (first, last) days.

    Like for like: the current period from its start through ``today``, and
    as many days from the previous period's start, capped at that period's
    end (31 March: March 1-31 against February 1-28). With ``whole_periods``:
    the last complete period (the current one if today is its last day) and
    the period before it.
    """
    cut = (period, week_start, fiscal_start_month)
    current_start = _period_start(today, *cut)
    previous_start = _period_start(current_start - timedelta(days=1), *cut)
    previous_end = _period_end(previous_start, period)

    if not whole_periods:
        length = (today - current_start).days
        capped = min(previous_start + timedelta(days=length), previous_end)
        return (current_start, today), (previous_start, capped)

    if today == _period_end(current_start, period):
        return (current_start, today), (previous_start, previous_end)
    earlier_start = _period_start(previous_start - timedelta(days=1), *cut)
    return (previous_start, previous_end), (
        earlier_start,
        _period_end(earlier_start, period),
    )


def like_for_like(
    definitions: Definitions,
    metric: str,
    rows: Mapping[str, Rows],
    *,
    today: date,
    period: str = "month",
    where: Slice = EVERYONE,
    whole_periods: bool = False,
    settings: WorkspaceSettings = DEFAULT_SETTINGS,
) -> Delta:
    """``metric`` over the current window against the previous one.

    On 15 March 2026, March 1-15 with 3,000 sessions against February 1-15
    with 2,500 gives +500 and +20.0 % (not -2,200 against all of February's
    5,200). Labels read "Mar 1–15 2026" and "Feb 1–15 2026"; whole periods
    are named as periods ("Feb 2026", "2026-W09").
    """
    current, previous = comparison_windows(
        today,
        period,
        whole_periods=whole_periods,
        week_start=settings.week_start,
        fiscal_start_month=settings.fiscal_start_month,
    )
    values = [
        metric_value(definitions, metric, rows, start=first, end=last, where=where)
        for first, last in (current, previous)
    ]
    labels = [
        settings.label(pd.Timestamp(first), period)
        if whole_periods
        else window_label(first, last)
        for first, last in (current, previous)
    ]
    found = definitions.metric(metric)
    return change_between(
        values[0],
        values[1],
        unit=found.unit,
        direction=found.direction,
        current_label=labels[0],
        previous_label=labels[1],
    )


def window_label(first: date, last: date) -> str:
    """A short name for a range of days.

    "Mar 1–15 2026"; "Mar 7 2026"; "Feb 27–Mar 5 2026"; "Dec 29 2025–Jan 4 2026".
    """
    start = f"{_MONTHS[first.month - 1]} {first.day}"
    if first == last:
        return f"{start} {first.year}"
    if first.year != last.year:
        return f"{start} {first.year}–{_MONTHS[last.month - 1]} {last.day} {last.year}"
    if first.month != last.month:
        return f"{start}–{_MONTHS[last.month - 1]} {last.day} {last.year}"
    return f"{start}–{last.day} {last.year}"


def _period_start(
    day: date, period: str, week_start: str, fiscal_start_month: int
) -> date:
    starts = bucket_start(
        pd.Series([pd.Timestamp(day)]), period, week_start, fiscal_start_month
    )
    first: pd.Timestamp = starts.iloc[0]
    return first.date()


def _period_end(first: date, period: str) -> date:
    return bucket_end(pd.Timestamp(first), period).date()


def bucket_delta(
    definitions: Definitions,
    metric: str,
    rows: Mapping[str, Rows],
    *,
    bucket: date,
    first: date,
    last: date,
    period: str,
    where: Slice = EVERYONE,
    settings: WorkspaceSettings = DEFAULT_SETTINGS,
) -> Delta:
    """One bucket, seen over ``first``..``last``, against the bucket before.

    A whole bucket is compared with the whole bucket before it (2026-W10
    against 2026-W09). Part of a bucket (cut by a KPI's time frame, or still
    running) is compared with the same days of the bucket before: Q1's last
    week holds only 30-31 March, so it is set against 23-24 March, never a
    whole week; a running 5-7 January against 29-31 December.
    """
    cut = (period, settings.week_start, settings.fiscal_start_month)
    previous_start = _period_start(bucket - timedelta(days=1), *cut)
    previous_end = _period_end(previous_start, period)
    if first == bucket and last == _period_end(bucket, period):
        windows = ((first, last), (previous_start, previous_end))
        labels = [settings.label(pd.Timestamp(day), period) for day, _ in windows]
    else:
        earlier = [
            min(previous_start + (day - bucket), previous_end) for day in (first, last)
        ]
        windows = ((first, last), (earlier[0], earlier[1]))
        labels = [window_label(*window) for window in windows]
    values = [
        metric_value(definitions, metric, rows, start=start, end=end, where=where)
        for start, end in windows
    ]
    found = definitions.metric(metric)
    return change_between(
        values[0],
        values[1],
        unit=found.unit,
        direction=found.direction,
        current_label=labels[0],
        previous_label=labels[1],
    )
