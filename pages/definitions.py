"""Metrics & KPIs: define metrics, KPIs and goals; import and export them as YAML."""

import re
from datetime import date

import pandas as pd
import streamlit as st

from kpi.definition_checks import validate_definitions
from kpi.definitions import definitions_from_yaml, definitions_to_yaml
from kpi.errors import GoalpostError
from kpi.model import (
    AGGREGATIONS,
    DIRECTIONS,
    KPI,
    PERIODS,
    TARGET_KINDS,
    UNITS,
    Definitions,
    Filter,
    Goal,
    Metric,
    Target,
)
from kpi.periods import parse_time_frame
from pages import common

st.title("Metrics & KPIs")
store = common.store()
definitions = common.definitions()
datasets = {d.name: d for d in store.datasets()}
mappings = {name: d.mapping for name, d in datasets.items()}
NEW = "+ New"


def slug(text: str) -> str:
    """A key from a label: "Cost per lead" -> "cost_per_lead"; never a leading digit."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return f"n_{key}" if key[:1].isdigit() else key


def new_key(kind: str, key: str, taken: list[str]) -> bool:
    """True when ``key`` is usable for a new definition; otherwise says why."""
    if not key:
        st.error(f"Give the {kind} a name with letters in it.", icon=":material/error:")
        return False
    if key in taken:
        st.error(
            f'A {kind} named "{key}" exists already. Pick it under "Edit {kind}" to '
            "change it, or give this one another name.",
            icon=":material/error:",
        )
        return False
    return True


def show_flash() -> None:
    """A message left by the run before st.rerun() (which would wipe it)."""
    message = st.session_state.pop("definitions-flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def save(updated: Definitions, write) -> None:
    """Write one definition if the whole set stays sound; otherwise say why."""
    problems = validate_definitions(updated, mappings)
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/error:")
        return
    try:
        write()
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
        return
    common.clear_caches()
    st.session_state["definitions-flash"] = "Saved."
    st.rerun()


def delete(remove) -> None:
    try:
        remove()
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
        return
    common.clear_caches()
    st.session_state["definitions-flash"] = "Deleted."
    st.rerun()


def replace_in(items: tuple, item, attribute: str) -> tuple:
    kept = tuple(i for i in items if getattr(i, attribute) != getattr(item, attribute))
    return (*kept, item)


def metrics_tab() -> None:
    table = pd.DataFrame(
        [
            {
                "name": m.name,
                "label": m.label,
                "definition": m.formula
                if m.is_derived
                else f"{m.aggregation} of {m.column} in {m.dataset}"
                + "".join(
                    f", {f.column} {'≠' if f.negate else '='} {f.value}"
                    for f in m.filters
                ),
                "unit": m.unit,
                "better when": m.direction,
            }
            for m in definitions.metrics
        ]
    )
    if not table.empty:
        st.dataframe(table, hide_index=True, width="stretch")
    names = [m.name for m in definitions.metrics]
    chosen = st.selectbox("Edit metric", [NEW, *names], key="metric-pick")
    current = definitions.metric(chosen) if chosen != NEW else None
    # Outside the form: the column list depends on the dataset chosen here.
    derived = st.toggle(
        "Derived (a formula over other metrics)",
        value=bool(current and current.is_derived),
        key=f"derived-{chosen}",
    )
    dataset_names = list(datasets)
    dataset = None
    if not derived:
        dataset = st.selectbox(
            "Dataset",
            dataset_names,
            index=dataset_names.index(current.dataset)
            if current and current.dataset in dataset_names
            else 0,
            key=f"dataset-{chosen}",
        )
    with st.form("metric-form"):
        label = st.text_input("Label", value=current.label if current else "")
        name = st.text_input(
            "Name in formulas (letters, digits and _; empty: made from the label)",
            value=current.name if current else "",
            disabled=current is not None,
        )
        formula = st.text_input(
            "Formula",
            value=(current.formula or "") if current else "",
            disabled=not derived,
            help="Metric names, numbers, + - * / and parentheses: ad_spend / leads",
        )
        mapping = mappings.get(dataset) if dataset else None
        columns = list(mapping.numbers + mapping.dimensions) if mapping else []
        left, right = st.columns(2)
        column = left.selectbox(
            "Column",
            columns,
            index=columns.index(current.column)
            if current and current.column in columns
            else 0,
            disabled=derived,
        )
        aggregation = right.selectbox(
            "Aggregation",
            AGGREGATIONS,
            index=AGGREGATIONS.index(current.aggregation) if current else 0,
        )
        filters = st.text_input(
            "Filters (column = value, or column != value; separate with ;)",
            value="; ".join(
                f"{f.column} {'!=' if f.negate else '='} {f.value}"
                for f in current.filters
            )
            if current
            else "",
        )
        left, right = st.columns(2)
        unit = left.selectbox(
            "Unit", UNITS, index=UNITS.index(current.unit) if current else 0
        )
        direction = right.selectbox(
            "Better when",
            DIRECTIONS,
            index=DIRECTIONS.index(current.direction) if current else 0,
        )
        submitted = st.form_submit_button("Save metric", type="primary")
    if submitted:
        if not label.strip():
            st.error('Give the metric a label, such as "Cost per lead".')
            return
        key = current.name if current else (name.strip() or slug(label))
        if not current and not new_key("metric", key, names):
            return
        try:
            metric_filters = () if derived else parse_filters(filters)
        except ValueError as error:
            st.error(str(error), icon=":material/error:")
            return
        metric = Metric(
            name=key,
            label=label.strip(),
            dataset=None if derived else dataset,
            column=None if derived else column,
            aggregation=aggregation,
            filters=metric_filters,
            formula=formula.strip() if derived else None,
            unit=unit,
            direction=direction,
            description=current.description if current else "",
        )
        updated = Definitions(
            replace_in(definitions.metrics, metric, "name"),
            definitions.goals,
            definitions.kpis,
        )
        save(updated, lambda: store.save_metric(metric))
    if current and st.button(f'Delete metric "{current.name}"'):
        delete(lambda: store.delete_metric(current.name))


def parse_filters(text: str) -> tuple[Filter, ...]:
    found = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        if "=" not in part:
            raise ValueError(
                f'Filter "{part}" has no "=". Write it as column = value '
                "(or column != value), e.g. channel = organic."
            )
        negate = "!=" in part
        column, _, value = part.partition("!=" if negate else "=")
        found.append(Filter(column.strip(), value.strip(), negate))
    return tuple(found)


def kpis_tab() -> None:
    if not definitions.metrics:
        st.info("Define a metric first.")
        return
    keys = [k.key for k in definitions.kpis]
    chosen = st.selectbox(
        "Edit KPI",
        [NEW, *keys],
        key="kpi-pick",
        format_func=lambda k: (
            k if k == NEW else next(x.name for x in definitions.kpis if x.key == k)
        ),
    )
    current = next((k for k in definitions.kpis if k.key == chosen), None)
    metric_names = [m.name for m in definitions.metrics]
    goal_keys = [None, *(g.key for g in definitions.goals)]
    this_year = common.today().year
    with st.form("kpi-form"):
        name = st.text_input("Name", value=current.name if current else "")
        left, middle, right = st.columns(3)
        metric = left.selectbox(
            "Metric",
            metric_names,
            index=metric_names.index(current.metric) if current else 0,
        )
        kind = middle.selectbox(
            "Target kind",
            TARGET_KINDS,
            index=TARGET_KINDS.index(current.target.kind) if current else 0,
            help="total: reach by the end · per_period: every week/month · "
            "level: latest value · change: % against a baseline period",
        )
        value = right.number_input(
            "Target value (a change as a fraction: 0.15 for +15 %)",
            value=float(current.target.value) if current else 0.0,
            format="%.4f",
        )
        left, middle, right = st.columns(3)
        period = left.selectbox(
            "Period (per_period and level)",
            PERIODS,
            index=PERIODS.index(current.target.period or "week") if current else 1,
        )
        baseline = middle.number_input(
            "Baseline (level: where progress starts; empty: the first period)",
            value=current.target.baseline if current else None,
        )
        baseline_period = right.text_input(
            "Baseline period (change), e.g. 2025-Q4",
            value=_frame_text(
                current.target.baseline_start, current.target.baseline_end
            )
            if current and current.target.baseline_start
            else "",
        )
        left, middle, right = st.columns(3)
        start = left.date_input(
            "Starts", value=current.start if current else date(this_year, 1, 1)
        )
        end = middle.date_input(
            "Ends", value=current.end if current else date(this_year, 12, 31)
        )
        resolves_to = right.selectbox(
            "A change becomes a",
            ("total", "level"),
            index=("total", "level").index(current.target.resolves_to)
            if current
            else 0,
        )
        left, middle, right = st.columns(3)
        team = left.text_input(
            "Owner team", value=(current.team or "") if current else ""
        )
        person = middle.text_input(
            "Owner person (optional)", value=(current.person or "") if current else ""
        )
        weight = st.number_input(
            "Weight in its goal's roll-up",
            min_value=0.0,
            value=current.weight if current else 1.0,
        )
        parent = right.selectbox(
            "Under goal",
            goal_keys,
            index=goal_keys.index(current.parent)
            if current and current.parent in goal_keys
            else 0,
        )
        submitted = st.form_submit_button("Save KPI", type="primary")
    if submitted:
        try:
            baseline_start, baseline_end = (
                parse_time_frame(baseline_period) if kind == "change" else (None, None)
            )
        except ValueError as error:
            st.error(str(error))
            return
        if not name.strip():
            st.error('Give the KPI a name, such as "Blog posts every week of Q1".')
            return
        key = current.key if current else slug(name)
        if not current and not new_key("KPI", key, keys):
            return
        kpi = KPI(
            key=key,
            name=name.strip(),
            metric=metric,
            target=Target(
                kind=kind,
                value=value,
                period=period if kind in ("per_period", "level") else None,
                baseline=baseline if kind == "level" else None,
                baseline_start=baseline_start,
                baseline_end=baseline_end,
                resolves_to=resolves_to,
            ),
            start=start,
            end=end,
            team=team.strip() or None,
            person=person.strip() or None,
            parent=parent,
            weight=weight,
            description=current.description if current else "",
        )
        save(definitions.with_kpi(kpi), lambda: store.save_kpi(kpi))
    if current and st.button(f'Delete KPI "{current.name}"'):
        delete(lambda: store.delete_kpi(current.key))


def _frame_text(start: date, end: date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


def goals_tab() -> None:
    keys = [g.key for g in definitions.goals]
    chosen = st.selectbox("Edit goal", [NEW, *keys], key="goal-pick")
    current = next((g for g in definitions.goals if g.key == chosen), None)
    parents = [None, *(k for k in keys if k != chosen)]
    with st.form("goal-form"):
        name = st.text_input("Name", value=current.name if current else "")
        left, middle, right = st.columns(3)
        parent = left.selectbox(
            "Under goal",
            parents,
            index=parents.index(current.parent)
            if current and current.parent in parents
            else 0,
        )
        weight = middle.number_input(
            "Weight in its parent",
            min_value=0.0,
            value=current.weight if current else 1.0,
        )
        team = right.text_input("Team", value=(current.team or "") if current else "")
        submitted = st.form_submit_button("Save goal", type="primary")
    if submitted:
        if not name.strip():
            st.error('Give the goal a name, such as "Grow revenue 20% this year".')
            return
        key = current.key if current else slug(name)
        if not current and not new_key("goal", key, keys):
            return
        goal = Goal(
            key=key,
            name=name.strip(),
            parent=parent,
            weight=weight,
            team=team.strip() or None,
            description=current.description if current else "",
        )
        updated = Definitions(
            definitions.metrics,
            replace_in(definitions.goals, goal, "key"),
            definitions.kpis,
        )
        save(updated, lambda: store.save_goal(goal))
    if current and st.button(f'Delete goal "{current.name}"'):
        delete(lambda: store.delete_goal(current.key))


def yaml_tab() -> None:
    st.download_button(
        "Export all definitions (YAML)",
        definitions_to_yaml(definitions),
        file_name="goalpost.yaml",
        mime="application/x-yaml",
    )
    st.markdown("**Import** — replaces every metric, goal and KPI with the file's.")
    upload = st.file_uploader(
        "Definitions file", type=["yaml", "yml"], key="yaml-upload"
    )
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        st.error(
            f'File "{upload.name}" is not UTF-8 text (byte {error.start}). Save it '
            "as UTF-8 YAML, or export it again from Goalpost.",
            icon=":material/error:",
        )
        return
    try:
        incoming = definitions_from_yaml(text, source=upload.name)
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
        return
    problems = validate_definitions(incoming, mappings)
    for problem in problems:
        st.error(problem, icon=":material/error:")
    st.caption(
        f"{len(incoming.metrics)} metrics, {len(incoming.goals)} goals, "
        f"{len(incoming.kpis)} KPIs in {upload.name}."
    )
    empty = not (incoming.metrics or incoming.goals or incoming.kpis)
    if empty:
        st.error(
            f'"{upload.name}" defines nothing, so importing it would delete every '
            "definition. Check that it is the right file.",
            icon=":material/error:",
        )
    sure = st.checkbox(
        f"Yes, replace the {len(definitions.metrics)} metrics, "
        f"{len(definitions.goals)} goals and {len(definitions.kpis)} KPIs",
        key="replace-sure",
    )
    blocked = bool(problems) or empty or not sure
    if st.button("Replace all definitions", type="primary", disabled=blocked):
        store.replace_definitions(incoming)
        common.clear_caches()
        st.success("Definitions replaced.")


show_flash()
metrics, kpis, goals, yaml_io = st.tabs(["Metrics", "KPIs", "Goals", "Import / export"])
with metrics:
    metrics_tab()
with kpis:
    kpis_tab()
with goals:
    goals_tab()
with yaml_io:
    yaml_tab()
