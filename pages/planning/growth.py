"""The growth tab: the compound growth a target needs, against the team's history."""

from __future__ import annotations

import streamlit as st

from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.growth import date_reached
from kpi.metrics import Slice
from kpi.scenario_workspace import (
    as_fraction,
    latest_value,
    people_in_team,
    period_history,
)
from kpi.scenarios import GrowthInputs, Scenario, results
from pages.planning.shared import (
    PlanContext,
    metric_picker,
    save_form,
    show_problem,
    team_picker,
)

PERIODS = ("month", "week", "quarter")
TARGET_CHOICES = {
    "level": "The last period reaches the target (level)",
    "total": "The periods on the way, added up (total)",
}


@st.fragment
def growth_tab(context: PlanContext) -> None:
    """Inputs and results redraw on their own as a slider moves (a fragment)."""
    st.caption(
        "From where a metric is to a target by a date: the growth it needs each "
        "period, and how often the team has grown that fast before."
    )
    metric, team, person, period, look_back = _whose_inputs(context)
    try:
        history = period_history(
            context.definitions,
            context.rows,
            metric,
            period=period,
            today=context.today,
            look_back=look_back,
            where=Slice(team=team, person=person),
            settings=context.settings,
        )
        typed = _growth_inputs(context, history, (metric, team, person, period))
        numbers, start, target_kind, assumed = typed
        scenario = Scenario(
            "This scenario",
            "growth",
            GrowthInputs(**numbers, period=period, look_back=look_back),
            team=team,
            person=person,
            start=start,
            metric=metric,
            target_kind=target_kind,
        )
        outlook = results(scenario, history=history)
    except GoalpostError as problem:
        show_problem(problem)
        return
    _show_outlook(context, scenario, outlook, assumed)
    save_form(context, scenario, "growth")


def _whose_inputs(context: PlanContext):
    metric_column, team_column, person_column = st.columns(3)
    with metric_column:
        metric = metric_picker(context, "Metric", "growth-metric", "revenue")
    with team_column:
        team = team_picker(context, metric, "growth-team")
    people = people_in_team(context.definitions, context.rows, metric, team)
    person = person_column.selectbox(
        "Person (optional)",
        [None, *people],
        key=f"growth-person-{team}",
        format_func=lambda name: "(the whole team)" if name is None else name,
    )
    period_column, back_column = st.columns(2)
    period = period_column.selectbox("Period", PERIODS, key="growth-period")
    look_back = back_column.slider(
        f"Compare with the last … {period}s", 3, 36, 24, key="growth-look-back"
    )
    return metric, team, person, period, look_back


def _growth_inputs(context: PlanContext, history, owner):
    period = owner[-1]
    latest = latest_value(history)
    suffix = "-".join(str(part) for part in owner)
    baseline_column, target_column = st.columns(2)
    baseline = baseline_column.number_input(
        f"Baseline (the last finished {period})",
        value=latest or 0.0,
        key=f"growth-baseline-{suffix}",
    )
    target = target_column.number_input(
        "Target", value=latest or 0.0, key=f"growth-target-{suffix}"
    )
    next_start = date_reached(
        context.settings.period_of(context.today, period)[0], 1, period
    )
    start_column, periods_column, assumed_column = st.columns(3)
    start = start_column.date_input("Growth starts", next_start, key="growth-start")
    periods = periods_column.slider(
        f"{period.capitalize()}s to get there", 1, 36, 6, key="growth-periods"
    )
    assumed = assumed_column.number_input(
        f"Assumed growth a {period} (%)", value=5.0, step=0.5, key="growth-assumed"
    )
    target_kind = st.radio(
        "Target to set",
        list(TARGET_CHOICES),
        format_func=TARGET_CHOICES.__getitem__,
        key="growth-targets",
    )
    numbers = {"baseline": baseline, "target": target, "periods": periods}
    numbers["assumed_growth"] = as_fraction(assumed)
    return numbers, start, target_kind, assumed


def _show_outlook(context: PlanContext, scenario: Scenario, outlook, assumed) -> None:
    inputs = scenario.inputs
    unit = context.definitions.metric(scenario.metric).unit
    st.subheader("What it takes")
    st.markdown(f"It **{outlook.check.sentence()}**.")
    st.markdown(
        f"From {format_value(inputs.baseline, unit)} to "
        f"{format_value(inputs.target, unit)} by {outlook.end:%d %b %Y}; the "
        f"{inputs.period}s on the way add up to "
        f"{format_value(outlook.path_total, unit)}."
    )
    if outlook.periods_at_assumed is None:
        st.markdown(
            f"At {assumed:+.1f} % a {inputs.period} the target is never reached."
        )
    else:
        st.markdown(
            f"At {assumed:+.1f} % a {inputs.period} it is reached after "
            f"{outlook.periods_at_assumed} {inputs.period}s, by "
            f"{outlook.reached_by:%d %b %Y}."
        )
