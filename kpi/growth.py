"""Growth scenarios: the compound growth a target needs, checked against history.

From a baseline and a target some periods away, the required growth per
period is compound: ``(target / baseline) ** (1 / periods) - 1``. From
100,000 to 150,000 in 10 months that is 1.5 ** 0.1 - 1 = +4.14 % a month.
The metric's own history gives one growth per period (each period against
the one before); counting the periods that grew at least that fast says how
ordinary the target is: "needs +4.1 % a month; the team has done that in 3
of the last 24 months".

The reverse question, at an assumed growth when is the target reached, is
``log(target / baseline) / log(1 + growth)`` periods, rounded up to whole
periods because a target is judged on finished ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from kpi.errors import GoalpostError

_TOLERANCE = 1e-9
PERIOD_NAMES = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}
_OFFSETS = {
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
}


@dataclass(frozen=True)
class GrowthCheck:
    """A required growth rate beside the history it is judged against.

    ``done_in`` counts the periods of ``history`` that grew at least as fast
    (for a falling target: fell at least as fast); ``history`` holds one
    growth per period, oldest first, over the look-back.
    """

    required: float
    period: str
    done_in: int
    history: tuple[float, ...]

    @property
    def periods_seen(self) -> int:
        return len(self.history)

    def sentence(self) -> str:
        """'needs +4.1 % a month; the team has done that in 3 of the last 24 months'."""
        needs = f"needs {self.required * 100:+.1f} % a {self.period}"
        if not self.history:
            return f"{needs}; there is no history to compare it with"
        plural = "" if self.periods_seen == 1 else "s"
        return (
            f"{needs}; the team has done that in {self.done_in} of the last "
            f"{self.periods_seen} {self.period}{plural}"
        )


def required_growth(baseline: float, target: float, periods: int) -> float:
    """The compound growth per period that takes ``baseline`` to ``target``.

    100,000 to 150,000 in 10 periods: 1.5 ** (1 / 10) - 1 = 0.04138.
    Raises ``GoalpostError`` ("bad_growth") unless both values are above 0
    and ``periods`` is at least 1.
    """
    _check_positive(baseline=baseline, target=target)
    if periods < 1:
        _refuse(f"The number of periods is {periods}; it must be at least 1.")
    return float((target / baseline) ** (1 / periods) - 1)


def period_growth(values: Sequence[float]) -> list[float]:
    """Each period's growth over the period before, oldest first.

    A period whose predecessor is 0 or missing, or which is missing itself,
    has no growth and is left out: 0 -> 5 is no percentage.
    """
    growth = []
    for before, after in zip(values, values[1:], strict=False):
        if _usable(before) and _usable(after) and before > 0:
            growth.append(after / before - 1)
    return growth


def check_growth(
    baseline: float,
    target: float,
    periods: int,
    history_values: Sequence[float],
    *,
    period: str = "month",
    look_back: int = 24,
) -> GrowthCheck:
    """The required growth and how often the last ``look_back`` periods managed it.

    ``history_values`` are the metric's values per period, oldest first (the
    last ``look_back + 1`` values give ``look_back`` growths).
    """
    _check_period(period)
    required = required_growth(baseline, target, periods)
    history = period_growth(list(history_values)[-(look_back + 1) :])
    # A period that grew exactly as fast counts, float noise or not.
    if required >= 0:
        done = sum(1 for growth in history if growth >= required - _TOLERANCE)
    else:
        done = sum(1 for growth in history if growth <= required + _TOLERANCE)
    return GrowthCheck(required, period, done, tuple(history))


def periods_to_reach(baseline: float, target: float, growth: float) -> int | None:
    """Whole periods until ``baseline`` growing by ``growth`` reaches ``target``.

    100 at +10 % a period reaches 150 after log(1.5) / log(1.1) = 4.25, so 5
    periods. None when it never does (no growth, or growth the wrong way);
    0 when the baseline is there already.
    """
    _check_positive(baseline=baseline, target=target)
    if growth <= -1:
        _refuse(f"A growth of {growth * 100:.1f} % would end below zero.")
    if target == baseline:
        return 0
    rising = target > baseline
    if growth == 0 or (growth > 0) != rising:
        return None
    periods = math.log(target / baseline) / math.log(1 + growth)
    return math.ceil(round(periods, 9))


def date_reached(start: date, periods: int, period: str) -> date:
    """The date ``periods`` whole periods after ``start`` (month ends kept sane)."""
    _check_period(period)
    moved = pd.Timestamp(start) + _OFFSETS[period] * periods
    return moved.date()


def _usable(value: float) -> bool:
    return value is not None and math.isfinite(value)


def _check_positive(**values: float) -> None:
    for label, value in values.items():
        if not _usable(value) or value <= 0:
            _refuse(
                f"The {label} is {value!r}; compound growth needs a {label} above 0. "
                "Pick another baseline period or metric."
            )


def _check_period(period: str) -> None:
    if period not in PERIOD_NAMES:
        _refuse(f'"{period}" is not a period; use one of {", ".join(PERIOD_NAMES)}.')


def _refuse(message: str) -> None:
    raise GoalpostError("bad_growth", message)
