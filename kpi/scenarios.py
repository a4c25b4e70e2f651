"""Scenarios: named what-if assumptions, their results, and a side-by-side table.

A scenario is one of three questions with its inputs: a funnel (a goal
back-solved into activity, ``kpi.funnel``), growth (the compound growth a
target needs, ``kpi.growth``) or capacity (a workload shared out per person,
``kpi.capacity``). It may name who it is for (a team, a person, the people
of a team), its time frame and the metrics its figures become; applying it
turns its results into KPIs (``kpi.scenario_workspace.scenario_targets``).
Activities are whole: 76.92 calls a week needs 77, and both are shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, NoReturn

import pandas as pd

from kpi.capacity import CapacityPlan, share_workload
from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.funnel import FunnelPlan, Stage, back_solve, whole
from kpi.growth import (
    PERIOD_NAMES,
    GrowthCheck,
    check_growth,
    date_reached,
    periods_to_reach,
)
from kpi.model import PERIODS
from kpi.periods import time_frame_label

KINDS: tuple[str, ...] = ("funnel", "growth", "capacity")
# The target kinds each scenario can set; the first is the default.
TARGET_KINDS: dict[str, tuple[str, ...]] = {
    "funnel": ("per_period", "total"),
    "growth": ("level", "total"),
    "capacity": ("per_period",),
}


@dataclass(frozen=True)
class ScenarioStage:
    """A funnel stage, the share of it that reaches the next, and its metric."""

    name: str
    rate_to_next: float | None = None
    metric: str | None = None


@dataclass(frozen=True)
class FunnelInputs:
    """A goal in the outcome's value and the chain that produces it."""

    goal: float
    value_per_outcome: float
    stages: tuple[ScenarioStage, ...]
    people: int
    weeks: float


@dataclass(frozen=True)
class GrowthInputs:
    """From ``baseline`` (the period before the start) to ``target`` in
    ``periods``; ``assumed_growth`` asks the reverse question."""

    baseline: float
    target: float
    periods: int
    period: str = "month"
    assumed_growth: float | None = None
    look_back: int = 24


@dataclass(frozen=True)
class CapacityInputs:
    """A workload per ``period`` shared by ``people``."""

    workload: float
    people: int
    period: str = "week"


Inputs = FunnelInputs | GrowthInputs | CapacityInputs
_INPUT_TYPES = {"funnel": FunnelInputs, "growth": GrowthInputs}
_INPUT_TYPES["capacity"] = CapacityInputs


@dataclass(frozen=True)
class Scenario:
    """A named what-if: its kind, inputs, and optional links to owners and metrics.

    ``people`` names the persons per-person targets go to; ``person`` owns a
    growth target. A growth scenario's frame ends when its periods do, so it
    takes a ``start`` and no ``end``. ``metric`` is a funnel's goal metric
    or the metric of a growth or capacity scenario; ``target_kind`` one of
    ``TARGET_KINDS[kind]`` (None: the first). Raises ``GoalpostError``
    ("bad_scenario", or the maths' own "bad_funnel", "bad_growth",
    "bad_capacity") when the scenario cannot be worked out.
    """

    name: str
    kind: str
    inputs: Inputs
    team: str | None = None
    person: str | None = None
    people: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    metric: str | None = None
    target_kind: str | None = None

    def __post_init__(self) -> None:
        _check_shape(self)
        _check_inputs(self.inputs)

    @property
    def key(self) -> str:
        """The name as a key: "Q2 push!" -> "q2_push"."""
        return slug(self.name)

    @property
    def chosen_target_kind(self) -> str:
        return self.target_kind or TARGET_KINDS[self.kind][0]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for field in ("start", "end"):
            data[field] = None if data[field] is None else data[field].isoformat()
        data["people"] = list(self.people)
        if isinstance(self.inputs, FunnelInputs):
            data["inputs"]["stages"] = [asdict(s) for s in self.inputs.stages]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        kind = str(data["kind"])
        inputs = dict(data["inputs"])
        if kind == "funnel":
            stages = tuple(ScenarioStage(**stage) for stage in inputs["stages"])
            inputs["stages"] = stages
        return cls(
            name=str(data["name"]),
            kind=kind,
            inputs=_INPUT_TYPES[kind](**inputs),
            team=data.get("team"),
            person=data.get("person"),
            people=tuple(data.get("people") or ()),
            start=_optional_date(data.get("start")),
            end=_optional_date(data.get("end")),
            metric=data.get("metric"),
            target_kind=data.get("target_kind"),
        )


@dataclass(frozen=True)
class GrowthOutlook:
    """A growth scenario worked out: the check against history, and dates.

    ``end`` is the last day of the growth (None without a start);
    ``path_total`` adds up the value of each period on the compound path
    (100 to 121 in 2 periods: 110 + 121 = 231); ``periods_at_assumed`` and
    ``reached_by`` answer the reverse question (None when never reached).
    """

    check: GrowthCheck
    end: date | None
    path_total: float
    periods_at_assumed: int | None
    reached_by: date | None


Results = FunnelPlan | GrowthOutlook | CapacityPlan


def results(scenario: Scenario, *, history: Sequence[float] = ()) -> Results:
    """What the scenario's inputs give; ``history`` is a growth metric's values
    per period, oldest first (see ``kpi.growth.check_growth``)."""
    inputs = scenario.inputs
    if isinstance(inputs, FunnelInputs):
        return funnel_plan(inputs)
    if isinstance(inputs, CapacityInputs):
        return share_workload(inputs.workload, inputs.people)
    return growth_outlook(inputs, scenario.start, history)


def funnel_plan(inputs: FunnelInputs) -> FunnelPlan:
    stages = [Stage(stage.name, stage.rate_to_next) for stage in inputs.stages]
    return back_solve(
        inputs.goal,
        stages,
        value_per_outcome=inputs.value_per_outcome,
        people=inputs.people,
        weeks=inputs.weeks,
    )


def growth_outlook(
    inputs: GrowthInputs, start: date | None, history: Sequence[float]
) -> GrowthOutlook:
    check = check_growth(
        inputs.baseline,
        inputs.target,
        inputs.periods,
        history,
        period=inputs.period,
        look_back=inputs.look_back,
    )
    growth = 1 + check.required
    path = [inputs.baseline * growth**n for n in range(1, 1 + inputs.periods)]
    assumed, reached = inputs.assumed_growth, None
    if assumed is not None:
        reached = periods_to_reach(inputs.baseline, inputs.target, assumed)
    return GrowthOutlook(
        check=check,
        end=last_day(start, inputs.periods, inputs.period),
        path_total=sum(path),
        periods_at_assumed=reached,
        reached_by=None if reached is None else last_day(start, reached, inputs.period),
    )


def last_day(start: date | None, periods: int, period: str) -> date | None:
    """The last day of the ``periods``-th period from ``start``."""
    if start is None:
        return None
    return date_reached(start, periods, period) - timedelta(days=1)


def figure_text(value: float) -> str:
    """An unrounded need beside the whole one: "76.92 → 77"; "5,000" if whole."""
    rounded = whole(value)
    if abs(rounded - value) < 1e-9:
        return f"{rounded:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") + f" → {rounded:,}"


def funnel_table(plan: FunnelPlan) -> pd.DataFrame:
    """One row per stage, first stage first: the need unrounded and whole, in
    total and per person per week."""
    return pd.DataFrame(
        [
            (need.name, need.total, need.whole_total)
            + (need.per_person_week, need.whole_per_person_week)
            for need in plan.needs
        ],
        columns=["stage", "needed", "needed, whole", "per person per week"]
        + ["per person per week, whole"],
    )


def compare_scenarios(
    scenarios: Sequence[Scenario],
    histories: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Scenarios side by side: one text column per scenario, one row per figure.

    Rows come in the order the scenarios first name them; a figure a scenario
    does not have is "". ``histories`` gives a growth scenario's values per
    period by scenario name (none: "no history").
    """
    columns: dict[str, dict[str, str]] = {}
    for scenario in scenarios:
        history = (histories or {}).get(scenario.name, ())
        columns[scenario.name] = _figures(scenario, history)
    figures = list(dict.fromkeys(f for column in columns.values() for f in column))
    table = pd.DataFrame(columns, index=pd.Index(figures, name="figure"))
    return table.fillna("")


def _figures(scenario: Scenario, history: Sequence[float]) -> dict[str, str]:
    found = results(scenario, history=history)
    end = found.end if isinstance(found, GrowthOutlook) else scenario.end
    frame = time_frame_label(scenario.start, end) if scenario.start and end else "—"
    figures = {"Kind": scenario.kind, "Team": scenario.team or "—", "Time frame": frame}
    if isinstance(found, FunnelPlan):
        figures.update(_funnel_figures(found))
    elif isinstance(found, GrowthOutlook):
        figures.update(_growth_figures(found, scenario.inputs))
    else:
        figures.update(_capacity_figures(found, scenario.inputs))
    return figures


def _funnel_figures(plan: FunnelPlan) -> dict[str, str]:
    figures = {
        "Goal": format_value(plan.goal, "number"),
        "Value of one outcome": format_value(plan.value_per_outcome, "number"),
        "People": f"{plan.people:,}",
        "Weeks": format_value(plan.weeks, "number"),
    }
    for need in plan.needs:
        figures[f"{need.name}: needed"] = figure_text(need.total)
        figures[f"{need.name}: per person per week"] = figure_text(need.per_person_week)
    return figures


def _growth_figures(outlook: GrowthOutlook, inputs: Inputs) -> dict[str, str]:
    assert isinstance(inputs, GrowthInputs)
    check, period = outlook.check, inputs.period
    figures = {
        "Baseline": format_value(inputs.baseline, "number"),
        "Target": format_value(inputs.target, "number"),
        "Periods": f"{inputs.periods} {period}{'s' * (inputs.periods != 1)}",
        "Growth needed": f"{check.required * 100:+.1f} % a {period}",
        "Done in history": f"{check.done_in} of {check.periods_seen} {period}s"
        if check.history
        else "no history",
    }
    if inputs.assumed_growth is not None:
        reached = outlook.periods_at_assumed
        figures[f"At {inputs.assumed_growth * 100:+.1f} % a {period}"] = (
            "never reached" if reached is None else f"reached in {reached} {period}s"
        )
    return figures


def _capacity_figures(plan: CapacityPlan, inputs: Inputs) -> dict[str, str]:
    assert isinstance(inputs, CapacityInputs)
    fewer = plan.with_one_fewer
    return {
        "Workload": f"{format_value(plan.workload, 'number')} a {inputs.period}",
        "People": f"{plan.people:,}",
        "Per person": figure_text(plan.per_person),
        "With one more person": figure_text(plan.with_one_more),
        "With one fewer person": "—" if fewer is None else figure_text(fewer),
    }


def _check_shape(scenario: Scenario) -> None:
    if not slug(scenario.name):
        _refuse(f'The name "{scenario.name}" needs a letter or digit, as in Q3 push.')
    if scenario.kind not in KINDS:
        _refuse(f'"{scenario.kind}" is not a scenario kind; use {", ".join(KINDS)}.')
    if not isinstance(scenario.inputs, _INPUT_TYPES[scenario.kind]):
        _refuse(f"A {scenario.kind} scenario needs {scenario.kind} inputs.")
    allowed = TARGET_KINDS[scenario.kind]
    if scenario.target_kind is not None and scenario.target_kind not in allowed:
        _refuse(
            f"A {scenario.kind} scenario sets {' or '.join(allowed)} targets, "
            f'not "{scenario.target_kind}".'
        )
    _check_owners_and_dates(scenario)


def _check_owners_and_dates(scenario: Scenario) -> None:
    people = [person.strip() for person in scenario.people]
    if len(set(people)) != len(people) or not all(people):
        _refuse(f"The people {list(scenario.people)} need different, non-empty names.")
    if scenario.kind == "growth" and scenario.end is not None:
        _refuse(
            "A growth scenario ends when its periods do; leave its end empty and "
            "set the number of periods."
        )
    if scenario.start and scenario.end and scenario.end < scenario.start:
        _refuse(
            f"The time frame ends ({scenario.end}) before it starts "
            f"({scenario.start}). Swap the dates."
        )


def _check_inputs(inputs: Inputs) -> None:
    """Run the maths once, so its own checks refuse what it cannot work out."""
    if isinstance(inputs, FunnelInputs):
        metrics = [stage.metric for stage in inputs.stages if stage.metric]
        if len(set(metrics)) != len(metrics):
            _refuse(f"Two stages measure one metric ({metrics}); link each to its own.")
        funnel_plan(inputs)
    elif isinstance(inputs, CapacityInputs):
        _check_period(inputs.period, PERIODS)
        share_workload(inputs.workload, inputs.people)
    else:
        _check_period(inputs.period, tuple(PERIOD_NAMES))
        if inputs.look_back < 1:
            _refuse(f"The look-back is {inputs.look_back} periods; use 1 or more.")
        growth_outlook(inputs, None, ())


def _check_period(period: str, allowed: Sequence[str]) -> None:
    if period not in allowed:
        _refuse(f'"{period}" is not a period here; use one of {", ".join(allowed)}.')


def slug(text: str) -> str:
    """Lower-case letters and digits joined by "_": "Q2 push!" -> "q2_push"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _refuse(message: str) -> NoReturn:
    raise GoalpostError("bad_scenario", message)


def _optional_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))
