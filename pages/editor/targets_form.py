"""The Targets tab: split a year's target into months, adjust months, save them."""

from dataclasses import replace

import streamlit as st

from kpi.dashboard import owners_in_data
from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.planned_target import PlannedTarget
from kpi.target_plan import (
    ALLOCATION_METHODS,
    allocate,
    replace_rows,
    with_overrides,
)
from pages import common
from pages.editor import target_rows
from pages.editor.shared import Editor, delete, save
from pages.editor.target_rows import PlanChoice

SAVED, NEW_SPLIT = "The saved months", "A new split"
METHOD_NAMES = {
    "even": "Evenly",
    "days": "By the days of each month",
    "last_year": "In last year's shape",
}


def targets_tab(ed: Editor) -> None:
    if not ed.definitions.metrics:
        st.info("Define a metric first.")
        return
    try:
        _targets_tab(ed)
    except GoalpostError as error:
        # Lines that overlap (from an imported file) cannot be read at all.
        st.error(error.message, icon=":material/error:")


def _targets_tab(ed: Editor) -> None:
    choice = _pick_plan(ed)
    saved = target_rows.saved_in_span(ed.definitions.targets, choice)
    if not choice.metric.is_additive:
        st.info(
            f"{choice.metric.label} is a rate or an average, so its target is not "
            f"split: every month of {choice.label} gets the value you type.",
            icon=":material/info:",
        )

    result = _plan_editor(ed, choice, saved)
    if st.button("Save targets", type="primary", disabled=result is None):
        _save_plan(ed, choice, saved, result)
    if saved:
        _delete_saved(ed, choice, saved)

    st.subheader("Target table")
    table = target_rows.target_table(ed.definitions)
    if table.empty:
        st.caption("No targets planned yet.")
    else:
        st.dataframe(table, hide_index=True)


def _pick_plan(ed: Editor) -> PlanChoice:
    metric_names = [m.name for m in ed.definitions.metrics]
    left, middle, right = st.columns(3)
    name = left.selectbox(
        "Metric to plan",
        metric_names,
        format_func=lambda n: ed.definitions.metric(n).label,
        key="target-metric",
    )
    teams, people = owners_in_data(ed.definitions, name, common.rows(ed.scope))
    planned = [row for row in ed.definitions.targets if row.metric == name]
    teams = sorted({*teams, *(row.team for row in planned if row.team)})
    people = sorted({*people, *(row.person for row in planned if row.person)})
    team = middle.selectbox(
        "Plan for team",
        [None, *teams],
        format_func=lambda t: t or "Whole company",
        key="target-team",
    )
    person = right.selectbox(
        "Plan for person (optional)",
        [None, *people],
        format_func=lambda p: p or "The whole team",
        key="target-person",
    )
    spans = {s[0]: s for s in target_rows.year_spans(common.today(), common.settings())}
    label = st.selectbox("Year", list(spans), key="target-year")
    _, start, end = spans[label]
    return PlanChoice(ed.definitions.metric(name), team, person, label, start, end)


def _plan_editor(
    ed: Editor, choice: PlanChoice, saved: list[PlannedTarget]
) -> list[PlannedTarget] | None:
    """The months to save after the split and the months typed in; None on error."""
    start_from = NEW_SPLIT
    if saved and target_rows.covers_every_month(saved, choice.span):
        start_from = st.radio(
            "Start from",
            (SAVED, NEW_SPLIT),
            horizontal=True,
            key=f"target-start-{choice.key}",
            help="A new split keeps the months set by hand; type over them, or "
            "delete these targets to start from scratch.",
        )
    elif saved:
        st.warning(
            f"The {len(saved)} saved lines of {choice.metric.label} for "
            f"{choice.who} in {choice.label} are not its months one by one, so "
            "they are not loaded here; saving a new split replaces them.",
            icon=":material/warning:",
        )

    additive = choice.metric.is_additive
    left, right = st.columns(2)
    total = left.number_input(
        f"Target for {choice.label}"
        if additive
        else f"Target for every month of {choice.label}",
        value=float(choice.planned(saved) or 0.0) if saved else 0.0,
        format="%.4f" if choice.metric.unit == "percent" else "%.2f",
        disabled=start_from == SAVED and not additive,
        help="Changing it re-spreads the months not set by hand." if additive else None,
    )
    method = right.selectbox(
        "Split",
        ALLOCATION_METHODS,
        format_func=METHOD_NAMES.get,
        disabled=start_from == SAVED or not additive,
        key="target-method",
    )

    try:
        target_rows.check_target(
            total, choice.metric, f"The target for {choice.label}", f"{total:,.10g}"
        )
        if start_from == SAVED:
            base = saved
        else:
            base = _new_split(ed, choice, saved, total, method)
        return _with_typed_months(choice, base, total, f"{choice.key}|{start_from}")
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
    except ValueError as error:
        # A lone "$" would open a formula in Streamlit's markdown.
        st.error(str(error).replace("$", r"\$"), icon=":material/error:")
    return None


def _new_split(
    ed: Editor,
    choice: PlanChoice,
    saved: list[PlannedTarget],
    total: float,
    method: str,
) -> list[PlannedTarget]:
    """The allocation of ``total``, with the saved months set by hand kept."""
    additive = choice.metric.is_additive
    last_year = None
    if method == "last_year" and additive:
        last_year = target_rows.last_year_months(
            ed.definitions,
            common.rows(ed.scope),
            choice,
            common.settings().fiscal_start_month,
        )
    rows, sentence = allocate(
        choice.metric.name,
        total,
        choice.start,
        choice.end,
        method=method,
        additive=additive,
        last_year=last_year,
        team=choice.team,
        person=choice.person,
    )
    st.caption(sentence)
    kept = {row.start: row.value for row in saved if row.overridden}
    if not kept or not target_rows.covers_every_month(saved, choice.span):
        return rows
    return with_overrides(
        rows, kept, total=total if additive else None, additive=additive
    )


def _with_typed_months(
    choice: PlanChoice, base: list[PlannedTarget], total: float, editor_key: str
) -> list[PlannedTarget]:
    """Show ``base`` for typing over, then the months that would be saved."""
    additive, unit = choice.metric.is_additive, choice.metric.unit
    left, right = st.columns(2)
    left.markdown("**Split** · type a month's target to set it by hand")
    left.data_editor(
        target_rows.months_frame(base, unit),
        key=f"target-months-{editor_key}",
        hide_index=True,
        disabled=[target_rows.MONTH, target_rows.BY_HAND],
    )
    edits = st.session_state.get(f"target-months-{editor_key}") or {}
    typed = target_rows.typed_months(base, edits.get("edited_rows", {}), choice.metric)
    result = with_overrides(
        base, typed, total=total if additive else None, additive=additive
    )

    right.markdown("**To be saved**")
    right.dataframe(target_rows.months_frame(result, unit), hide_index=True)
    if additive:
        whole = format_value(choice.planned(result), unit)
        right.markdown(f"The months add up to **{whole}** for {choice.label}.")
    return result


def _save_plan(
    ed: Editor,
    choice: PlanChoice,
    saved: list[PlannedTarget],
    result: list[PlannedTarget],
) -> None:
    removed = {row.key for row in saved}
    kept = [row for row in ed.definitions.targets if row.key not in removed]
    updated = replace(ed.definitions, targets=replace_rows(kept, result))
    save(
        ed,
        updated,
        lambda: ed.store.replace_planned_targets(removed=saved, added=result),
        note=f"{len(result)} months of {choice.metric.label} for {choice.who}, "
        f"{choice.label}, are in the target table.",
    )


def _delete_saved(ed: Editor, choice: PlanChoice, saved: list[PlannedTarget]) -> None:
    readers = target_rows.kpis_reading(ed.definitions, saved)
    if readers:
        # Escaped: a "$" in a name would open a formula in Streamlit's markdown.
        names = ", ".join(f'"{kpi.name}"' for kpi in readers).replace("$", r"\$")
        st.warning(
            f"These KPIs take their target from these lines: {names}. Once the "
            'lines are deleted they show "no data" for the deleted months, until '
            'new targets are planned here or "Take the target from the target '
            'table" is unticked in their KPI form.',
            icon=":material/warning:",
        )
    sure = st.checkbox(
        f"Yes, delete the {len(saved)} saved lines of {choice.metric.label} for "
        f"{choice.who}, {choice.label}",
        key=f"target-delete-sure-{choice.key}",
    )
    if st.button("Delete these targets", disabled=not sure):
        delete(lambda: ed.store.replace_planned_targets(removed=saved, added=[]))
