"""The capacity tab: a workload per period shared out as per-person targets."""

from __future__ import annotations

import streamlit as st

from kpi.errors import GoalpostError
from kpi.metrics import Slice
from kpi.scenario_workspace import (
    latest_value,
    people_in_team,
    period_history,
)
from kpi.scenarios import CapacityInputs, Scenario, figure_text, results
from pages.planning.shared import (
    PlanContext,
    metric_picker,
    save_form,
    show_problem,
    team_picker,
)

PERIODS = ("week", "month")


@st.fragment
def capacity_tab(context: PlanContext) -> None:
    """Inputs and results redraw on their own as a slider moves (a fragment)."""
    st.caption(
        "A workload per period and the people who share it: what each person "
        "takes, and what one more or one fewer person changes."
    )
    metric_column, team_column, period_column = st.columns(3)
    with metric_column:
        metric = metric_picker(
            context, "Workload metric", "capacity-metric", "tickets_resolved"
        )
    with team_column:
        team = team_picker(context, metric, "capacity-team")
    period = period_column.selectbox("Period", PERIODS, key="capacity-period")
    try:
        scenario = _scenario(context, metric, team, period)
        plan = results(scenario)
    except GoalpostError as problem:
        show_problem(problem)
        return

    st.subheader("What it takes")
    share, more, fewer = st.columns(3)
    share.metric(f"Each person, a {period}", figure_text(plan.per_person))
    more.metric("With one more person", figure_text(plan.with_one_more))
    fewer.metric(
        "With one fewer person",
        "—" if plan.with_one_fewer is None else figure_text(plan.with_one_fewer),
    )
    st.caption("Targets are whole, rounded up from the unrounded share beside them.")
    save_form(context, scenario, "capacity")


def _scenario(context: PlanContext, metric: str, team: str | None, period: str):
    history = period_history(
        context.definitions,
        context.rows,
        metric,
        period=period,
        today=context.today,
        look_back=0,
        where=Slice(team=team),
        settings=context.settings,
    )
    workload = st.number_input(
        f"Workload a {period} (default: the last finished {period})",
        value=latest_value(history) or 0.0,
        key=f"capacity-workload-{metric}-{team}-{period}",
    )
    named = people_in_team(context.definitions, context.rows, metric, team)
    people = st.multiselect(
        "People (each gets the per-person target)",
        named,
        default=named,
        key=f"capacity-people-{metric}-{team}",
    )
    count = st.number_input(
        "Number of people",
        min_value=1,
        value=max(1, len(people)),
        step=1,
        key=f"capacity-count-{team}-{len(people)}",
        help="Try one more or one fewer; per-person targets need every person named.",
    )
    quarter = context.settings.period_of(context.today, "quarter")
    start_column, end_column = st.columns(2)
    start = start_column.date_input("Starts", quarter[0], key="capacity-start")
    end = end_column.date_input("Ends", quarter[1], key="capacity-end")
    return Scenario(
        "This scenario",
        "capacity",
        CapacityInputs(workload, int(count), period),
        team=team,
        people=tuple(people),
        start=start,
        end=end,
        metric=metric,
    )
