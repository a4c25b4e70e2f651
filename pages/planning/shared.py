"""What the plan page's tabs share: the workspace they plan in, pickers, saving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import streamlit as st

from kpi.dashboard import owners_in_data
from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.funnel import MeasuredRate
from kpi.metrics import Rows
from kpi.model import Definitions
from kpi.periods import time_frame_label
from kpi.scenario_store import save_scenario
from kpi.scenarios import Scenario
from kpi.settings import WorkspaceSettings
from kpi.store import Store
from pages import common

FLASH = "plan-flash"


@dataclass(frozen=True)
class PlanContext:
    """The workspace as one run of the page sees it."""

    store: Store
    definitions: Definitions
    rows: dict[str, Rows]
    today: date
    settings: WorkspaceSettings

    @property
    def metrics(self) -> list[str]:
        return [metric.name for metric in self.definitions.metrics]

    def label(self, metric: str | None) -> str:
        if metric is None:
            return "(none)"
        return self.definitions.metric(metric).label

    def teams(self, metric: str | None) -> list[str]:
        """Teams with rows behind ``metric``."""
        if metric is None:
            return []
        return owners_in_data(self.definitions, metric, self.rows)[0]


def plan_context() -> PlanContext:
    scope = common.viewer_scope()
    return PlanContext(
        store=common.store(),
        definitions=common.definitions(),
        rows=common.rows(scope),
        today=common.today(),
        settings=common.settings(),
    )


def metric_picker(
    context: PlanContext, label: str, key: str, preferred: str | None, *, empty=False
) -> str | None:
    """A metric selectbox that starts on ``preferred`` when it exists."""
    options: list[str | None] = [*([None] if empty else []), *context.metrics]
    index = options.index(preferred) if preferred in options else 0
    return st.selectbox(label, options, index=index, key=key, format_func=context.label)


def team_picker(context: PlanContext, metric: str | None, key: str) -> str | None:
    teams = context.teams(metric)
    return st.selectbox(
        "Team",
        [*teams, None],
        key=key,
        format_func=lambda team: "(no team)" if team is None else team,
        help="The team that owns the KPIs, and whose rows the defaults come from.",
    )


def measured_caption(measured: MeasuredRate | None, of: str, unit="percent") -> str:
    """ "Measured 10.0% from 2,400 calls, 2026-01-29 – 2026-04-29"."""
    if measured is None:
        return "Not measured: link both stages to metrics."
    window = time_frame_label(measured.start, measured.end)
    sample = f"{format_value(measured.sample, 'number')} {of}, {window}"
    if measured.rate is None:
        return f"Nothing measured: no {of} in {window}."
    shown = format_value(measured.rate, unit)
    return f"Measured {shown} from {sample}."


def show_problem(problem: GoalpostError) -> None:
    st.error(problem.message, icon=":material/error:")


def flash(message: str) -> None:
    """Say ``message`` after the rerun that follows a write."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def save_form(context: PlanContext, scenario: Scenario, prefix: str) -> None:
    """Name the scenario and save it; a saved name is replaced only when asked."""
    st.subheader("Save this scenario")
    name_column, replace_column = st.columns([3, 2])
    name = name_column.text_input("Scenario name", key=f"{prefix}-name")
    replacing = replace_column.checkbox(
        "Replace a saved scenario of that name", key=f"{prefix}-replace"
    )
    if not st.button("Save scenario", key=f"{prefix}-save", icon=":material/save:"):
        return
    try:
        named = replace(scenario, name=name)
        save_scenario(context.store, named, replace=replacing)
    except GoalpostError as problem:
        show_problem(problem)
        return
    flash(f'Saved scenario "{named.name}". Compare or apply it under Saved scenarios.')
    st.rerun()
