"""What would it take: a goal back-solved through a funnel into weekly activity.

A funnel is a chain of stages from the first activity to the outcome, each
with the share that reaches the next stage (calls -> meetings 10 %,
meetings -> opportunities 40 %, opportunities -> deals 25 %). A goal in the
outcome's value (revenue) is divided by the value of one outcome (the
average deal), then by each rate on the way up the chain.

Worked example: 600,000 in a 13-week quarter with 12,000 a deal, 25 %, 40 %
and 10 %, and 5 reps, needs 600,000 / 12,000 = 50 deals, 50 / 0.25 = 200
opportunities, 200 / 0.40 = 500 meetings and 500 / 0.10 = 5,000 calls; per
rep per week 5,000 / 5 / 13 = 76.9 calls (77 whole calls) and 500 / 65 =
7.7 meetings (8 whole meetings).

Stages and their names are the caller's: a support team's chain (tickets
-> replies -> resolutions) works the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kpi.compare import EVERYONE
from kpi.errors import GoalpostError
from kpi.metrics import Rows, Slice, metric_value
from kpi.model import Definitions

# Rounding up happens on the value rounded to this many decimals, so that a
# float such as 5000.000000000001 still needs 5,000 calls, not 5,001.
_ROUNDING_DIGITS = 9


@dataclass(frozen=True)
class Stage:
    """One stage of a funnel and the share of it that reaches the next stage.

    ``rate_to_next`` is a fraction (0.25 for 25 %); the last stage has none.
    """

    name: str
    rate_to_next: float | None = None


@dataclass(frozen=True)
class StageNeed:
    """What one stage must produce: in total and per person per week."""

    name: str
    total: float
    per_person_week: float

    @property
    def whole_total(self) -> int:
        """The total rounded up: 50.2 deals needs 51."""
        return whole(self.total)

    @property
    def whole_per_person_week(self) -> int:
        """The weekly activity per person rounded up: 76.9 calls needs 77."""
        return whole(self.per_person_week)


@dataclass(frozen=True)
class FunnelPlan:
    """A goal back-solved: one ``StageNeed`` per stage, first stage first."""

    goal: float
    value_per_outcome: float
    people: int
    weeks: float
    needs: tuple[StageNeed, ...]

    def need(self, name: str) -> StageNeed:
        """The need of the stage called ``name``."""
        for need in self.needs:
            if need.name == name:
                return need
        raise KeyError(name)


def whole(value: float) -> int:
    """``value`` rounded up to a whole activity, ignoring float noise."""
    return math.ceil(round(value, _ROUNDING_DIGITS))


def back_solve(
    goal: float,
    stages: Sequence[Stage],
    *,
    value_per_outcome: float,
    people: int,
    weeks: float,
) -> FunnelPlan:
    """The activity each stage needs so that the last stage reaches ``goal``.

    ``goal`` is in the outcome's value (600,000 revenue) and
    ``value_per_outcome`` is what one outcome is worth (12,000 a deal); a goal
    counted in outcomes uses 1. Raises ``GoalpostError`` ("bad_funnel") when
    a stage has no rate, a rate is not above 0 and at most 100 %, or the goal,
    value, people or weeks are not above 0.
    """
    _check(goal, stages, value_per_outcome, people, weeks)

    outcome = goal / value_per_outcome
    totals = [outcome]
    for stage in reversed(stages[:-1]):
        # The rate is checked above; mypy cannot see that.
        rate = stage.rate_to_next or 1.0
        totals.append(totals[-1] / rate)
    totals.reverse()

    needs = tuple(
        StageNeed(stage.name, total, total / people / weeks)
        for stage, total in zip(stages, totals, strict=True)
    )
    return FunnelPlan(goal, value_per_outcome, people, weeks, needs)


def _check(
    goal: float,
    stages: Sequence[Stage],
    value_per_outcome: float,
    people: int,
    weeks: float,
) -> None:
    if len(stages) < 1:
        _refuse("A funnel needs at least one stage. Add the stages, first one first.")
    names = [stage.name for stage in stages]
    if len(set(names)) != len(names) or not all(name.strip() for name in names):
        _refuse(
            f"The funnel's stages must have different, non-empty names ({names}). "
            "Rename the stages."
        )
    for stage in stages[:-1]:
        rate = stage.rate_to_next
        if rate is None or not math.isfinite(rate) or not 0 < rate <= 1:
            _refuse(
                f'The rate from "{stage.name}" to the next stage is '
                f"{_as_percent(rate)}; it must be above 0 % and at most 100 %. "
                "Type the rate, or measure it from the team's data."
            )
    figures = {
        "goal": goal,
        "value of one outcome": value_per_outcome,
        "number of people": people,
        "number of weeks": weeks,
    }
    for label, value in figures.items():
        if not math.isfinite(value) or value <= 0:
            _refuse(f"The {label} is {value:g}; it must be above 0. Change it.")


def _refuse(message: str) -> None:
    raise GoalpostError("bad_funnel", message)


@dataclass(frozen=True)
class MeasuredRate:
    """A conversion rate read from the team's rows, with what it rests on.

    ``rate`` is None when the first stage had nothing in the window;
    ``sample`` is the first stage's total (the number of calls behind a
    call -> meeting rate), shown beside the rate so a reader can judge it.
    """

    rate: float | None
    sample: float
    start: date
    end: date


def measured_rate(
    definitions: Definitions,
    rows: Mapping[str, Rows],
    *,
    from_metric: str,
    to_metric: str,
    start: date,
    end: date,
    where: Slice = EVERYONE,
) -> MeasuredRate:
    """The share of ``from_metric`` that became ``to_metric`` over the window.

    A ratio of the window's sums (240 meetings from 2,400 calls is 10 %),
    never a mean of daily ratios, as DESIGN.md defines rates.
    """
    upper = metric_value(
        definitions, from_metric, rows, start=start, end=end, where=where
    )
    lower = metric_value(
        definitions, to_metric, rows, start=start, end=end, where=where
    )
    sample = upper or 0.0
    if not sample or lower is None:
        return MeasuredRate(None, sample, start, end)
    return MeasuredRate(lower / sample, sample, start, end)


def _as_percent(rate: float | None) -> str:
    if rate is None or not math.isfinite(rate):
        return "missing"
    return f"{rate * 100:g} %"
