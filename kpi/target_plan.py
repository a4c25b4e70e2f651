"""Targets that change over time: a plan of monthly rows, and reading it back.

A target for a year, fiscal year or quarter is split into one
``PlannedTarget`` per month (``allocate``); single months may then be typed
in by hand (``with_overrides``). Reading the plan for any window adds up
additive metrics (sums, counts) day by day, pro rata inside a month, and
never adds up ratios, averages or rates: those take the row in force on the
window's last day. Nothing here reads data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import pandas as pd

from kpi.errors import DefinitionError
from kpi.periods import (
    bucket_end,
    days_inclusive,
    period_label,
    period_range,
    time_frame_label,
)
from kpi.plan_overrides import as_date, plain_number, with_overrides
from kpi.planned_target import PlannedTarget

__all__ = [
    "ALLOCATION_METHODS",
    "allocate",
    "plan_table",
    "planned_to_date",
    "planned_value",
    "replace_rows",
    "sum_over_owners",
    "with_overrides",
]

ALLOCATION_METHODS: tuple[str, ...] = ("even", "days", "last_year")


def allocate(
    metric: str,
    value: float,
    start: date,
    end: date,
    *,
    method: str,
    additive: bool,
    last_year: Mapping[date, float] | None = None,
    team: str | None = None,
    person: str | None = None,
) -> tuple[list[PlannedTarget], str]:
    """One row per month of ``start``..``end`` and a sentence saying how.

    ``start`` must be the 1st of a month and ``end`` the last day of one.
    "even" gives value / months; "days" gives value × month days / range days
    (1,200,000 for 2026: January 1,200,000 × 31/365 = 101,917.81); "last_year"
    gives value × the month's share of last year's total for the same months,
    read from ``last_year`` keyed by the first day of the month a year
    earlier, and falls back to "days" when last year is incomplete or its
    total is not above 0. Months add up to ``value``; nothing is rounded. A
    non-additive metric (ratio, average, rate) is never split: every month
    gets ``value`` itself.
    """
    _check_allocation(metric, start, end, method)
    months = _months(start, end)
    frame = time_frame_label(start, end)

    if not additive:
        values = [value] * len(months)
        sentence = (
            f"Every month of {frame} gets {plain_number(value)}: {metric} is a ratio, "
            "average or rate, so its target applies to each month as it is "
            "instead of being split."
        )
    elif method == "even":
        values = [value / len(months)] * len(months)
        sentence = (
            f"{plain_number(value)} for {frame} split evenly over {len(months)} "
            f"months: {plain_number(values[0])} each."
        )
    else:
        values, sentence = _weighted_split(value, months, frame, method, last_year)

    rows = [
        PlannedTarget(metric, first, last, share, team=team, person=person)
        for (first, last), share in zip(months, values, strict=True)
    ]
    return rows, sentence


def planned_value(
    plan: Sequence[PlannedTarget],
    metric: str,
    start: date,
    end: date,
    *,
    team: str | None = None,
    person: str | None = None,
    additive: bool,
) -> float | None:
    """The target for ``start``..``end`` from exactly this metric and owner's rows.

    Additive: the sum of the rows, a row only partly inside the window counted
    by days (310 for March is 10 a day, so 1-12 March is 120); None when some
    day of the window has no row. Non-additive: never summed, the value of the
    row whose dates contain ``end`` (a 5 % rate planned every month gives 5 %
    for Q1, not 15 %), or None. ``team=None`` reads only rows without a team.
    """
    rows = _scope_rows(plan, metric, team, person)

    if not additive:
        in_force = (row.value for row in rows if row.start <= end <= row.end)
        return next(in_force, None)
    covered = sum(_overlap_days(row, start, end) for row in rows)
    if covered < days_inclusive(start, end):
        return None
    return math.fsum(_share_in_window(row, start, end) for row in rows)


def planned_to_date(
    plan: Sequence[PlannedTarget],
    metric: str,
    start: date,
    end: date,
    day: date,
    *,
    team: str | None = None,
    person: str | None = None,
) -> float | None:
    """The additive target from ``start`` through ``day`` (capped at ``end``).

    This is expected-to-date when pacing along the plan: with 100 for January
    and 280 for February, 14 February expects 100 + 280 × 14/28 = 240. Before
    ``start`` nothing is expected yet (0.0); a gap in the plan gives None.
    """
    if day < start:
        return 0.0
    last = min(day, end)
    return planned_value(
        plan, metric, start, last, team=team, person=person, additive=True
    )


def sum_over_owners(
    plan: Sequence[PlannedTarget],
    metric: str,
    start: date,
    end: date,
    owners: Iterable[tuple[str | None, str | None]],
    additive: bool,
) -> float | None:
    """The sum of each (team, person) owner's planned value for the window.

    Two teams planned at 600 and 400 for Q1 give 1,000. None when any owner
    has no complete plan, or when there are no owners. A non-additive target
    cannot be summed: raises ``DefinitionError`` "not_summable".
    """
    owner_list = list(owners)
    if not additive:
        raise DefinitionError(
            "not_summable",
            f"{metric} targets cannot be added up across {len(owner_list)} "
            "owners: a ratio, average or rate target for a group is not the sum "
            "of its members' targets. Set a target for the group itself, or "
            "show each owner's target on its own.",
            subject=metric,
        )
    values = [
        planned_value(plan, metric, start, end, team=team, person=person, additive=True)
        for team, person in owner_list
    ]
    if not values or any(value is None for value in values):
        return None
    return math.fsum(value for value in values if value is not None)


def plan_table(
    plan: Sequence[PlannedTarget],
    metric: str,
    team: str | None = None,
    person: str | None = None,
) -> list[PlannedTarget]:
    """The rows of exactly this metric and owner, earliest first."""
    rows = [
        row
        for row in plan
        if row.metric == metric and row.team == team and row.person == person
    ]
    return sorted(rows, key=lambda row: row.start)


def replace_rows(
    plan: Sequence[PlannedTarget], new_rows: Iterable[PlannedTarget]
) -> tuple[PlannedTarget, ...]:
    """``plan`` with each row of the same key swapped for its new version.

    Other rows keep their place; new keys are added at the end.
    """
    incoming = {row.key: row for row in new_rows}
    kept = tuple(incoming.pop(row.key, row) for row in plan)
    return kept + tuple(incoming.values())


def _check_allocation(metric: str, start: date, end: date, method: str) -> None:
    if method not in ALLOCATION_METHODS:
        raise DefinitionError(
            "unknown_allocation_method",
            f'Unknown allocation method "{method}". Use "even", "days" or "last_year".',
            subject=metric,
        )
    # The month containing ``end`` tells its last day, whatever ``end`` is.
    first, last = start.replace(day=1), _months(end.replace(day=1), end)[0][1]
    if (start, end) != (first, last) or end < start:
        raise DefinitionError(
            "not_whole_months",
            "Targets are split into whole months, so a plan runs from the 1st of "
            f"a month to the last day of a month; {start.isoformat()} to "
            f"{end.isoformat()} does not. Use {first.isoformat()} to "
            f"{last.isoformat()}, or other whole months, earlier date first.",
            subject=metric,
        )


def _weighted_split(
    value: float,
    months: list[tuple[date, date]],
    frame: str,
    method: str,
    last_year: Mapping[date, float] | None,
) -> tuple[list[float], str]:
    day_counts = [float(days_inclusive(first, last)) for first, last in months]
    total_days = math.fsum(day_counts)
    by_days = f"by their days out of {total_days:.0f}"
    if method == "days":
        sentence = f"{plain_number(value)} for {frame} split {by_days}."
        return _split(value, day_counts), sentence

    weights, problem = _last_year_weights(months, last_year)
    if problem:
        sentence = (
            f"{problem}, so {plain_number(value)} for {frame} was split {by_days} "
            "instead of in last year's shape."
        )
        return _split(value, day_counts), sentence
    sentence = (
        f"{plain_number(value)} for {frame} split in last year's shape: each month "
        f"gets its share of last year's {plain_number(math.fsum(weights))} for the "
        "same months."
    )
    return _split(value, weights), sentence


def _last_year_weights(
    months: list[tuple[date, date]], last_year: Mapping[date, float] | None
) -> tuple[list[float], str]:
    """Last year's actual for each month, or why they cannot shape the split."""
    if not last_year:
        return [], "Last year's actuals are missing"
    actuals = {as_date(first): value for first, value in last_year.items()}
    earlier = [first.replace(year=first.year - 1) for first, _ in months]
    missing = [
        first
        for first in earlier
        if actuals.get(first) is None or not math.isfinite(actuals[first])
    ]
    if missing:
        names = ", ".join(period_label(pd.Timestamp(m), "month") for m in missing)
        return [], f"Last year has no actual for {names}"
    weights = [float(actuals[first]) for first in earlier]
    if math.fsum(weights) <= 0:
        total = plain_number(math.fsum(weights))
        return [], f"Last year's total for the same months is {total}"
    return weights, ""


def _split(value: float, weights: list[float]) -> list[float]:
    total = math.fsum(weights)
    return [value * weight / total for weight in weights]


def _scope_rows(
    plan: Sequence[PlannedTarget],
    metric: str,
    team: str | None,
    person: str | None,
) -> list[PlannedTarget]:
    """This owner's rows, earliest first; two rows for the same day are refused."""
    rows = plan_table(plan, metric, team, person)
    for earlier, later in zip(rows, rows[1:], strict=False):
        if later.start <= earlier.end:
            raise DefinitionError(
                "overlapping_targets",
                f"Two planned targets for {metric} both cover "
                f"{later.start.isoformat()} ({earlier.start.isoformat()} to "
                f"{earlier.end.isoformat()} and {later.start.isoformat()} to "
                f"{later.end.isoformat()}). Delete or shorten one of them.",
                subject=metric,
            )
    return rows


def _overlap_days(row: PlannedTarget, start: date, end: date) -> int:
    return max(0, days_inclusive(max(row.start, start), min(row.end, end)))


def _share_in_window(row: PlannedTarget, start: date, end: date) -> float:
    """The part of ``row.value`` that falls in the window, pro rata by days."""
    overlap = _overlap_days(row, start, end)
    row_days = days_inclusive(row.start, row.end)
    return row.value if overlap == row_days else row.value * overlap / row_days


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """First and last day of every month from ``start`` through ``end``."""
    return [
        (first.date(), bucket_end(first, "month").date())
        for first in period_range(start, end, "month")
    ]
