"""A scenario meets the workspace: defaults from its data, KPIs for its definitions.

Applying a scenario writes the KPIs ``scenario_targets`` returns:

- funnel: one KPI per stage linked to a metric. Per person per week (a
  ``per_period`` target for each named person: 77 calls a week each) or in
  total over the time frame (a team ``total``: 5,000 calls); with a goal
  metric, also the goal itself as the team's total (600,000 revenue).
- growth: one KPI on its metric: the ``level`` the last period must reach,
  or the ``total`` the compound path adds up to.
- capacity: one ``per_period`` KPI for each named person.

Targets are whole, rounded up; the description keeps the unrounded need. A
KPI the scenario wrote before (same key), or with its metric, owner and time
frame, is updated. Inputs start from the team's rows (rates, last periods).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import NoReturn

from kpi.capacity import share_workload
from kpi.compare import EVERYONE
from kpi.definition_checks import validate_definitions
from kpi.errors import DefinitionError, GoalpostError
from kpi.formatting import format_value
from kpi.funnel import MeasuredRate, measured_rate, whole
from kpi.growth import date_reached
from kpi.metrics import Rows, Slice, metric_inputs, metric_series
from kpi.model import KPI, Definitions, Metric, Target
from kpi.periods import days_inclusive
from kpi.scenarios import (
    CapacityInputs,
    FunnelInputs,
    GrowthInputs,
    Scenario,
    ScenarioStage,
    figure_text,
    funnel_plan,
    growth_outlook,
    last_day,
    slug,
)
from kpi.settings import WorkspaceSettings

DEFAULT_SETTINGS = WorkspaceSettings()


def time_frame(scenario: Scenario) -> tuple[date, date]:
    """The first and last day the scenario's targets cover.

    Raises ``GoalpostError`` ("no_time_frame") when it has none.
    """
    end = scenario.end
    if isinstance(scenario.inputs, GrowthInputs):
        end = last_day(scenario.start, scenario.inputs.periods, scenario.inputs.period)
    if scenario.start is None or end is None:
        dates = (
            "start" if isinstance(scenario.inputs, GrowthInputs) else "start and end"
        )
        raise GoalpostError(
            "no_time_frame",
            f'Scenario "{scenario.name}" has no time frame, so its targets would '
            f"have no dates. Set its {dates}, then apply it again.",
        )
    return scenario.start, end


def scenario_targets(scenario: Scenario, definitions: Definitions) -> tuple[KPI, ...]:
    """The KPIs applying ``scenario`` writes, each with its target.

    A KPI keeps the key, parent, weight and status band of the one it
    updates. Raises ``DefinitionError`` ("unknown_metric" for a linked metric
    that is not defined, "bad_target" for a KPI the definitions would refuse)
    and ``GoalpostError`` ("no_time_frame", "no_metric", "no_people",
    "people_mismatch", "not_additive").
    """
    frame = time_frame(scenario)
    inputs = scenario.inputs
    if isinstance(inputs, FunnelInputs):
        drafts = _funnel_drafts(scenario, inputs)
    elif isinstance(inputs, GrowthInputs):
        drafts = _growth_drafts(scenario, inputs, definitions, frame)
    else:
        drafts = _capacity_drafts(scenario, inputs)

    kpis = tuple(
        _updating(_kpi(scenario, definitions, frame, draft), definitions)
        for draft in drafts
    )
    _check_kpis(kpis, definitions)
    return kpis


@dataclass(frozen=True)
class _Draft:
    """One KPI to write; its name may hold {label}, {lower}, {value}, {person}."""

    metric: str
    target: Target
    name: str
    note: str
    person: str | None = None


def _funnel_drafts(scenario: Scenario, inputs: FunnelInputs) -> list[_Draft]:
    plan = funnel_plan(inputs)
    linked = [stage for stage in inputs.stages if stage.metric]
    drafts = []
    if scenario.metric:
        goal = Target("total", inputs.goal)
        drafts.append(_Draft(scenario.metric, goal, "{label} of {value}", "the goal"))
    if not drafts and not linked:
        _refuse_no_metric(scenario, "a stage (or the goal)")
    per_person = scenario.chosen_target_kind == "per_period"
    if per_person and linked:
        _check_people(scenario, inputs.people)
    for stage in linked:
        need, metric = plan.need(stage.name), stage.metric or ""
        if not per_person:
            count = need.whole_total
            note = f"{figure_text(need.total)} {stage.name} in total"
            name = f"{count:,} {stage.name} in total"
            drafts.append(_Draft(metric, Target("total", count), name, note))
            continue
        count = need.whole_per_person_week
        note = f"{figure_text(need.per_person_week)} {stage.name} a week per person"
        target = Target("per_period", count, period="week")
        name = f"{{person}}: {count:,} {stage.name} a week"
        drafts += [_Draft(metric, target, name, note, p) for p in scenario.people]
    return drafts


def _growth_drafts(
    scenario: Scenario,
    inputs: GrowthInputs,
    definitions: Definitions,
    frame: tuple[date, date],
) -> list[_Draft]:
    if not scenario.metric:
        _refuse_no_metric(scenario, "the metric that grows")
    metric = _known_metric(definitions, scenario.metric)
    if scenario.chosen_target_kind == "total":
        if not metric.is_additive:
            raise GoalpostError(
                "not_additive",
                f'Metric "{metric.name}" cannot be added up over periods, so '
                f'scenario "{scenario.name}" cannot set a total for it. Set a '
                "level target.",
            )
        total = Target("total", growth_outlook(inputs, frame[0], ()).path_total)
        note = f"{inputs.periods} {inputs.period}s of growth added up"
        return [_Draft(metric.name, total, "{label}: {value} in total", note)]
    end, way = frame[1], "up" if inputs.target >= inputs.baseline else "down"
    name = f"{{label}} {way} to {{value}} by {end.day} {end:%b %Y}"
    note = f"{inputs.baseline:,g} grows to {inputs.target:,g} a {inputs.period}"
    level = Target("level", inputs.target, inputs.period, baseline=inputs.baseline)
    return [_Draft(metric.name, level, name, note, scenario.person)]


def _capacity_drafts(scenario: Scenario, inputs: CapacityInputs) -> list[_Draft]:
    if not scenario.metric:
        _refuse_no_metric(scenario, "the workload")
    _check_people(scenario, inputs.people)
    per_person = share_workload(inputs.workload, inputs.people).per_person
    count, period = whole(per_person), inputs.period
    target = Target("per_period", count, period=period)
    note = f"{figure_text(per_person)} a {period} per person"
    name = f"{{person}}: {count:,} {{lower}} a {period}"
    return [_Draft(scenario.metric, target, name, note, p) for p in scenario.people]


def _kpi(
    scenario: Scenario,
    definitions: Definitions,
    frame: tuple[date, date],
    draft: _Draft,
) -> KPI:
    """The draft as a KPI keyed by scenario, metric and person."""
    metric = _known_metric(definitions, draft.metric)
    value = format_value(draft.target.value, metric.unit)
    label = {"label": metric.label, "lower": metric.label.lower()}
    name = draft.name.format(person=draft.person, value=value, **label)
    person = [slug(draft.person)] if draft.person else []
    return KPI(
        key="__".join([scenario.key, metric.name, *person]),
        name=f"{name} ({scenario.name})",
        metric=metric.name,
        target=draft.target,
        start=frame[0],
        end=frame[1],
        team=scenario.team,
        person=draft.person,
        description=f'From scenario "{scenario.name}": {draft.note}.',
    )


def _updating(kpi: KPI, definitions: Definitions) -> KPI:
    """``kpi`` in the place of the KPI it updates: same key, or same metric,
    owner and time frame; unchanged when it updates none."""
    place = (kpi.metric, kpi.team, kpi.person, kpi.start, kpi.end)
    same_key = [k for k in definitions.kpis if k.key == kpi.key]
    same_place = [
        k
        for k in definitions.kpis
        if (k.metric, k.team, k.person, k.start, k.end) == place
    ]
    found = next(iter(same_key + same_place), None)
    if found is None:
        return kpi
    return replace(
        kpi,
        key=found.key,
        parent=found.parent,
        weight=found.weight,
        at_risk_pace=found.at_risk_pace,
    )


def _check_kpis(kpis: Sequence[KPI], definitions: Definitions) -> None:
    # Checked alone, so every "kpis" problem (a key used twice too) is theirs.
    checked = replace(definitions, kpis=tuple(kpis), targets=())
    problems = [p for p in validate_definitions(checked) if p.startswith("kpis")]
    if problems:
        raise DefinitionError(
            "bad_target",
            "The scenario's targets would not work: " + " ".join(problems),
            subject=kpis[0].key,
        )


def _check_people(scenario: Scenario, counted: int) -> None:
    named = len(scenario.people)
    if not named:
        raise GoalpostError(
            "no_people",
            f'Scenario "{scenario.name}" sets a target per person but names nobody. '
            "Name the people, or set team totals instead.",
        )
    if named != counted:
        raise GoalpostError(
            "people_mismatch",
            f'Scenario "{scenario.name}" shares the work over {counted} people but '
            f"names {named} ({', '.join(scenario.people)}). Name every person, or "
            f"set the number of people to {named}.",
        )


def _known_metric(definitions: Definitions, name: str) -> Metric:
    try:
        return definitions.metric(name)
    except KeyError:
        raise DefinitionError(
            "unknown_metric",
            f'The scenario links metric "{name}", which is not defined. Pick one '
            "of the defined metrics, or define it on the Metrics & KPIs page.",
            subject=name,
        ) from None


def _refuse_no_metric(scenario: Scenario, what: str) -> NoReturn:
    raise GoalpostError(
        "no_metric",
        f'Scenario "{scenario.name}" links no metric, so it has no KPI to set. '
        f"Link {what} to a metric.",
    )


@dataclass(frozen=True)
class MeasuredFunnel:
    """Each stage's rate to the next read from the team's rows (None for the
    last stage, or a stage or next stage without a metric), and the goal
    metric per last-stage unit (revenue per deal won), each with its sample."""

    rates: tuple[MeasuredRate | None, ...]
    value_per_outcome: MeasuredRate | None


def measured_funnel(
    definitions: Definitions,
    rows: Mapping[str, Rows],
    stages: Sequence[ScenarioStage],
    goal_metric: str | None,
    *,
    window: tuple[date, date],
    where: Slice = EVERYONE,
) -> MeasuredFunnel:
    """Each stage's measured rate over ``window`` (both days counted)."""

    def measured(upper: str | None, lower: str | None) -> MeasuredRate | None:
        if not upper or not lower:
            return None
        return measured_rate(
            definitions,
            rows,
            from_metric=upper,
            to_metric=lower,
            start=window[0],
            end=window[1],
            where=where,
        )

    metrics = [stage.metric for stage in stages]
    pairs = zip(metrics, [*metrics[1:], None], strict=True)
    rates = tuple(measured(upper, lower) for upper, lower in pairs)
    last = stages[-1].metric if stages else None
    return MeasuredFunnel(rates, measured(last, goal_metric))


def look_back(today: date, weeks: int) -> tuple[date, date]:
    """The ``weeks`` weeks of whole days before ``today``: 13 weeks before
    30 April 2026 are 29 January to 29 April."""
    end = today - timedelta(days=1)
    return end - timedelta(weeks=weeks, days=-1), end


def period_history(
    definitions: Definitions,
    rows: Mapping[str, Rows],
    metric: str,
    *,
    period: str,
    today: date,
    look_back: int,
    where: Slice = EVERYONE,
    settings: WorkspaceSettings = DEFAULT_SETTINGS,
) -> list[float]:
    """The metric in the ``look_back + 1`` finished periods before the one
    ``today`` is in (``look_back`` growths), oldest first; NaN: no value."""
    current = settings.period_of(today, period)[0]
    series = metric_series(
        definitions,
        metric,
        rows,
        period=period,
        start=date_reached(current, -(look_back + 1), period),
        end=current - timedelta(days=1),
        where=where,
        week_start=settings.week_start,
        fiscal_start_month=settings.fiscal_start_month,
    )
    return [float(value) for value in series["value"]]


def working_weeks(start: date, end: date) -> int:
    """Whole weeks in a time frame, at least 1: a 92-day quarter has 13."""
    return max(1, round(days_inclusive(start, end) / 7))


def people_in_team(
    definitions: Definitions, rows: Mapping[str, Rows], metric: str, team: str | None
) -> list[str]:
    """The people with rows for ``team`` (None: any) behind ``metric``, sorted."""
    people: set[str] = set()
    for base in metric_inputs(definitions, metric):
        data = rows.get(base.dataset or "")
        if data is None or not data.mapping.person:
            continue
        frame, team_column = data.frame, data.mapping.team
        if team is not None and team_column in frame.columns:
            frame = frame[frame[team_column] == team]
        people.update(str(p) for p in frame[data.mapping.person].dropna().unique())
    return sorted(p for p in people if p)


def latest_value(values: Sequence[float]) -> float | None:
    """The newest value that is not NaN: a baseline or workload to start from."""
    found = [value for value in values if not math.isnan(value)]
    return found[-1] if found else None


def as_percent(fraction: float) -> float:
    """A fraction as a page's percent input shows it: 0.1 -> 10.0."""
    return round(fraction * 100, 9)


def as_fraction(percent: float) -> float:
    """A percent typed into a page's input as a fraction: 10.0 -> 0.1."""
    return percent / 100
