"""The saved scenarios tab: side by side, then apply (with an undo), rename, delete."""

from __future__ import annotations

import streamlit as st

from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.metrics import Slice
from kpi.scenario_store import (
    apply_scenario,
    delete_scenario,
    last_application,
    rename_scenario,
    saved_scenarios,
    undo_apply,
)
from kpi.scenario_workspace import period_history, scenario_targets
from kpi.scenarios import GrowthInputs, compare_scenarios
from pages import common
from pages.planning.shared import PlanContext, flash, show_problem


def saved_tab(context: PlanContext) -> None:
    scenarios = saved_scenarios(context.store)
    _undo_section(context)
    if not scenarios:
        st.info(
            "No scenario is saved yet. Work one out in another tab, name it and "
            "save it; it then appears here.",
            icon=":material/info:",
        )
        return
    names = [scenario.name for scenario in scenarios]
    chosen = st.multiselect("Side by side", names, default=names, key="saved-compare")
    compared = [scenario for scenario in scenarios if scenario.name in chosen]
    if compared:
        try:
            table = compare_scenarios(compared, _histories(context, compared))
            st.dataframe(table, width="stretch")
        except GoalpostError as problem:
            show_problem(problem)

    st.subheader("Apply, rename or delete")
    name = st.selectbox("Scenario", names, key="saved-pick")
    scenario = scenarios[names.index(name)]
    _apply_section(context, scenario)
    _manage_section(context, scenario)


def _histories(context: PlanContext, scenarios) -> dict[str, list[float]]:
    """Each growth scenario's metric per period, for its "done in history"."""
    histories = {}
    for scenario in scenarios:
        inputs = scenario.inputs
        if not isinstance(inputs, GrowthInputs) or not scenario.metric:
            continue
        try:
            histories[scenario.name] = period_history(
                context.definitions,
                context.rows,
                scenario.metric,
                period=inputs.period,
                today=context.today,
                look_back=inputs.look_back,
                where=Slice(team=scenario.team, person=scenario.person),
                settings=context.settings,
            )
        except GoalpostError:
            # A metric gone since the scenario was saved: compared without history.
            continue
    return histories


def _apply_section(context: PlanContext, scenario) -> None:
    try:
        kpis = scenario_targets(scenario, context.definitions)
    except GoalpostError as problem:
        show_problem(problem)
        return
    existing = {kpi.key: kpi for kpi in context.definitions.kpis}
    units = {metric.name: metric.unit for metric in context.definitions.metrics}
    st.caption(
        f"Applying it writes {len(kpis)} KPIs. A KPI of the same metric, owner "
        "and time frame is updated in place: its old name and target are shown."
    )
    st.dataframe(
        [
            {
                "KPI": kpi.name,
                "team": kpi.team or "",
                "person": kpi.person or "",
                "target": format_value(kpi.target.value, units[kpi.metric]),
                "kind": kpi.target.kind.replace("_", " "),
                "period": kpi.target.period or "",
                "": _replaces(existing.get(kpi.key), units),
            }
            for kpi in kpis
        ],
        hide_index=True,
        width="stretch",
    )
    if st.button("Apply: write these KPIs", key="saved-apply", type="primary"):
        try:
            applied = apply_scenario(context.store, scenario)
        except GoalpostError as problem:
            show_problem(problem)
            return
        common.clear_caches()
        flash(
            f'Applied "{scenario.name}": {len(applied.created)} KPIs created, '
            f"{len(applied.updated)} updated. See them on the Team page; Undo "
            "takes them back."
        )
        st.rerun()


def _replaces(old, units: dict[str, str]) -> str:
    if old is None:
        return "new"
    unit = "percent" if old.target.kind == "change" else units.get(old.metric, "")
    target = format_value(old.target.value, unit or "number")
    return f'updates "{old.name}" (was {old.target.kind.replace("_", " ")} {target})'


def _undo_section(context: PlanContext) -> None:
    last = last_application(context.store)
    if last is None:
        return
    changed = set(last.created) | set(last.updated)
    teams = sorted(
        {
            kpi.team
            for kpi in context.definitions.kpis
            if kpi.team and kpi.key in changed
        }
    )
    text = (
        f'Last applied: "{last.scenario}" ({len(last.created)} KPIs created, '
        f"{len(last.updated)} updated)."
    )
    note, undo = st.columns([4, 1])
    note.info(text, icon=":material/history:")
    for team in teams:
        note.page_link(
            "pages/team.py",
            label=f"See {team} on the Team page",
            icon=":material/groups:",
            query_params={"team": team},
        )
    if undo.button("Undo", key="saved-undo", icon=":material/undo:"):
        try:
            undone = undo_apply(context.store)
        except GoalpostError as problem:
            show_problem(problem)
            return
        common.clear_caches()
        flash(f'Undone: the KPIs are as they were before "{undone.scenario}".')
        st.rerun()


def _manage_section(context: PlanContext, scenario) -> None:
    name_column, rename_column, delete_column = st.columns([3, 1, 1])
    new_name = name_column.text_input("New name", key="saved-new-name")
    if rename_column.button("Rename", key="saved-rename"):
        try:
            rename_scenario(context.store, scenario.name, new_name)
        except GoalpostError as problem:
            show_problem(problem)
            return
        flash(f'Renamed "{scenario.name}" to "{new_name}".')
        st.rerun()
    if delete_column.button("Delete", key="saved-delete"):
        delete_scenario(context.store, scenario.name)
        flash(f'Deleted scenario "{scenario.name}"; KPIs it set stay.')
        st.rerun()
