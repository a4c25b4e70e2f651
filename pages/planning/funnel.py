"""The funnel tab: a goal back-solved into the activity each person needs a week."""

from __future__ import annotations

import streamlit as st

from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.metrics import Slice
from kpi.scenario_workspace import (
    as_fraction,
    as_percent,
    look_back,
    measured_funnel,
    people_in_team,
    working_weeks,
)
from kpi.scenarios import (
    FunnelInputs,
    Scenario,
    ScenarioStage,
    figure_text,
    funnel_table,
    results,
)
from pages.planning.shared import (
    PlanContext,
    measured_caption,
    metric_picker,
    save_form,
    show_problem,
    team_picker,
)

DEFAULT_STAGES = ("calls", "meetings", "opportunities", "deals")
# The example rates and deal size, used where nothing can be measured.
FALLBACK_RATES = (10.0, 40.0, 25.0)
FALLBACK_VALUE = 12_000.0
TARGET_CHOICES = {
    "per_period": "Each person, each week",
    "total": "Team totals over the time frame",
}
TABLE_FORMAT = {
    "needed": st.column_config.NumberColumn(format="%.2f"),
    "per person per week": st.column_config.NumberColumn(format="%.2f"),
}


@st.fragment
def funnel_tab(context: PlanContext) -> None:
    """Inputs and results redraw on their own as a slider moves (a fragment)."""
    st.caption(
        "From a goal and a time frame back to the deals, opportunities, meetings "
        "and calls it takes, in total and per person per week. Rates start from "
        "the team's own numbers; type over any of them."
    )
    goal, goal_metric, start, end, weeks = _goal_inputs(context)
    stages = _stage_inputs(context)
    linked = next((s.metric for s in stages if s.metric), goal_metric)
    team, window, people, reps = _team_inputs(context, linked)
    try:
        stages, value = _rate_inputs(context, stages, goal_metric, team, window)
    except GoalpostError as problem:
        show_problem(problem)
        return
    target_kind = st.radio(
        "Targets to set",
        list(TARGET_CHOICES),
        format_func=TARGET_CHOICES.__getitem__,
        horizontal=True,
        key="funnel-targets",
    )
    try:
        inputs = FunnelInputs(goal, value, tuple(stages), people=reps, weeks=weeks)
        scenario = Scenario(
            "This scenario",
            "funnel",
            inputs,
            team=team,
            people=people,
            start=start,
            end=end,
            metric=goal_metric,
            target_kind=target_kind,
        )
        plan = results(scenario)
    except GoalpostError as problem:
        show_problem(problem)
        return
    _show_plan(plan)
    save_form(context, scenario, "funnel")


def _goal_inputs(context: PlanContext):
    goal_column, metric_column = st.columns(2)
    goal = goal_column.number_input(
        "Goal", min_value=0.0, value=600_000.0, step=10_000.0, key="funnel-goal"
    )
    with metric_column:
        goal_metric = metric_picker(
            context,
            "Goal metric (its KPI is the team's total)",
            "funnel-goal-metric",
            "revenue",
            empty=True,
        )
    quarter = context.settings.period_of(context.today, "quarter")
    start_column, end_column, weeks_column = st.columns(3)
    start = start_column.date_input("Starts", quarter[0], key="funnel-start")
    end = end_column.date_input("Ends", quarter[1], key="funnel-end")
    weeks = weeks_column.number_input(
        "Working weeks",
        min_value=1.0,
        value=float(working_weeks(start, end)),
        step=1.0,
        key=f"funnel-weeks-{start}-{end}",
    )
    return goal, goal_metric, start, end, weeks


def _stage_inputs(context: PlanContext) -> list[ScenarioStage]:
    st.subheader("The funnel, first stage first")
    count = st.number_input(
        "Stages", min_value=2, max_value=6, value=4, step=1, key="funnel-stages"
    )
    stages = []
    for index in range(count):
        default = DEFAULT_STAGES[index] if index < 4 else f"stage {index + 1}"
        name_column, metric_column = st.columns(2)
        name = name_column.text_input(
            f"Stage {index + 1}", default, key=f"funnel-stage-{index}"
        )
        with metric_column:
            metric = metric_picker(
                context,
                f"Stage {index + 1} metric",
                f"funnel-stage-metric-{index}",
                _guess_metric(context, name),
                empty=True,
            )
        stages.append(ScenarioStage(name.strip(), None, metric))
    return stages


def _guess_metric(context: PlanContext, stage: str) -> str | None:
    """The metric named like the stage: "deals" -> "Deals won"."""
    wanted = stage.strip().lower()
    for metric in context.definitions.metrics:
        if wanted and (
            metric.name == wanted or metric.label.lower().startswith(wanted)
        ):
            return metric.name
    return None


def _team_inputs(context: PlanContext, metric: str | None):
    st.subheader("Who, and from which numbers")
    team_column, window_column = st.columns(2)
    with team_column:
        team = team_picker(context, metric, "funnel-team")
    weeks_back = window_column.slider(
        "Measure rates over the last … weeks", 4, 52, 13, key="funnel-look-back"
    )
    named = (
        people_in_team(context.definitions, context.rows, metric, team)
        if metric
        else []
    )
    people = st.multiselect(
        "People (each gets the weekly targets)",
        named,
        default=named,
        key=f"funnel-people-{team}",
    )
    reps = st.number_input(
        "Number of people",
        min_value=1,
        value=max(1, len(people)),
        step=1,
        key=f"funnel-reps-{team}-{len(people)}",
        help="Try one more or one fewer; per-person targets need every person named.",
    )
    return team, look_back(context.today, weeks_back), tuple(people), int(reps)


def _rate_inputs(context, stages, goal_metric, team, window):
    measured = measured_funnel(
        context.definitions,
        context.rows,
        stages,
        goal_metric,
        window=window,
        where=Slice(team=team),
    )
    rated = []
    for index, (stage, found) in enumerate(zip(stages, measured.rates, strict=True)):
        if index == len(stages) - 1:
            rated.append(stage)
            continue
        following = stages[index + 1]
        default = FALLBACK_RATES[index] if index < 3 else 50.0
        if found is not None and found.rate is not None:
            default = as_percent(found.rate)
        # The key follows both metrics, so a new pair starts from its own rate.
        percent = st.number_input(
            f"{stage.name} → {following.name} (%)",
            min_value=0.0,
            value=default,
            key=f"funnel-rate-{index}-{team}-{window[0]}-{stage.metric}-"
            f"{following.metric}",
        )
        st.caption(measured_caption(found, stage.name))
        if found is not None and found.rate is not None and found.rate > 1:
            st.warning(
                f"More {following.name} than {stage.name} in these weeks: the two "
                "metrics may not be steps of one funnel. Check the stage metrics.",
                icon=":material/warning:",
            )
        rated.append(ScenarioStage(stage.name, as_fraction(percent), stage.metric))
    unit = context.definitions.metric(goal_metric).unit if goal_metric else "number"
    found = measured.value_per_outcome
    value = _value_input(
        stages[-1].name, found, unit, (team, window[0], goal_metric, stages[-1].metric)
    )
    return rated, value


def _value_input(outcome: str, found, unit: str, context_key) -> float:
    default = FALLBACK_VALUE
    if found is not None and found.rate is not None:
        default = found.rate
    value = st.number_input(
        f"Value of one outcome ({outcome}); 1 when the goal counts {outcome}",
        min_value=0.0,
        value=default,
        key=f"funnel-value-{context_key}-{outcome}",
    )
    st.caption(measured_caption(found, outcome, unit=unit))
    return value


def _show_plan(plan) -> None:
    st.subheader("What it takes")
    lines = [
        f"- **{need.name}**: {figure_text(need.total)} in total · "
        f"{figure_text(need.per_person_week)} per person per week"
        for need in plan.needs
    ]
    st.markdown("\n".join(lines))
    st.dataframe(
        funnel_table(plan), hide_index=True, column_config=TABLE_FORMAT, width="stretch"
    )
    st.caption(
        f"Goal {format_value(plan.goal, 'number')} over {plan.people} people and "
        f"{format_value(plan.weeks, 'number')} weeks. Whole activities are rounded "
        "up, so the targets never fall short of the goal."
    )
