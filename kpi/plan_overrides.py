"""Months typed in by hand over a split target, and the rest re-spread.

``kpi.target_plan`` splits a year into months; here single months are set by
hand and, for an additive metric, the other months share what is left so
the year still adds up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from kpi.errors import DefinitionError
from kpi.formatting import NO_VALUE
from kpi.planned_target import PlannedTarget
from kpi.progress import safe_ratio

# Relative slack when comparing a sum of months with the total they split.
_TOLERANCE = 1e-9


def with_overrides(
    rows: Sequence[PlannedTarget],
    overrides: Mapping[date, float],
    *,
    total: float | None,
    additive: bool,
) -> list[PlannedTarget]:
    """One owner's plan of one metric with months typed in, keyed by first day.

    Typed months, and rows already marked overridden, are locked. For an
    additive metric with a ``total`` the other months are re-spread in
    proportion to their current values (evenly if they are all zero) so the
    months still add up to ``total``: 1,200,000 split evenly with December
    set to 50,000 leaves 1,150,000 / 11 = 104,545.45 for each other month.
    Otherwise typed values simply replace the allocation. Raises
    ``DefinitionError`` "overrides_exceed_total" when the locked months alone
    add up to more than ``total`` ("overrides_miss_total" when every month is
    locked and they miss it; "override_outside_plan" for an unplanned month).
    """
    typed = {as_date(first): float(value) for first, value in overrides.items()}
    _check_overrides_in_plan(rows, typed)
    updated = [
        replace(row, value=typed[row.start], overridden=True)
        if row.start in typed
        else row
        for row in rows
    ]
    if not additive or total is None:
        return updated
    return _respread(updated, total)


def _respread(rows: list[PlannedTarget], total: float) -> list[PlannedTarget]:
    """Scale the unlocked rows so every row adds up to ``total``."""
    locked_sum = math.fsum(row.value for row in rows if row.overridden)
    free = [row for row in rows if not row.overridden]
    slack = _TOLERANCE * max(1.0, abs(total))
    if locked_sum > total + slack:
        raise DefinitionError(
            "overrides_exceed_total",
            f"The months typed in add up to {plain_number(locked_sum)}, more than "
            f"the total of {plain_number(total)}. Lower some of them, or raise the "
            "total.",
            subject=rows[0].metric,
        )
    remaining = total - locked_sum
    if not free:
        if abs(remaining) > slack:
            raise DefinitionError(
                "overrides_miss_total",
                "Every month is typed in and they add up to "
                f"{plain_number(locked_sum)}, not the total of {plain_number(total)}. "
                "Change a month, or clear the total to keep the months as typed.",
                subject=rows[0].metric,
            )
        return rows
    factor = safe_ratio(remaining, math.fsum(row.value for row in free))

    def respread(row: PlannedTarget) -> float:
        return remaining / len(free) if factor is None else row.value * factor

    return [
        row if row.overridden else replace(row, value=respread(row)) for row in rows
    ]


def _check_overrides_in_plan(
    rows: Sequence[PlannedTarget], typed: Mapping[date, float]
) -> None:
    starts = {row.start for row in rows}
    outside = sorted(first for first in typed if first not in starts)
    if outside:
        names = ", ".join(first.isoformat() for first in outside)
        raise DefinitionError(
            "override_outside_plan",
            f"No planned month starts on {names}. Override a month of the plan "
            "by its first day, or allocate a target covering that month first.",
            subject=rows[0].metric if rows else "",
        )


def as_date(day: date) -> date:
    """A plain date, so Timestamp or datetime keys match ``date`` keys."""
    return date(day.year, day.month, day.day)


def plain_number(value: float) -> str:
    """In full with thousands separators and at most 2 decimals, never "3.00M":
    3000001 reads "3,000,001" and 104545.4545 "104,545.45"."""
    if not math.isfinite(value):
        return NO_VALUE
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
