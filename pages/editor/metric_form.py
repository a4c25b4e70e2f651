"""The metric form: base metrics (a column and an aggregation) and derived ones."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from kpi.model import AGGREGATIONS, DIRECTIONS, UNITS, Filter, Metric
from pages.editor.shared import NEW, Editor, delete, new_key, replace_in, save, slug


def metrics_tab(ed: Editor) -> None:
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
            for m in ed.definitions.metrics
        ]
    )
    if not table.empty:
        st.dataframe(table, hide_index=True, width="stretch")
    names = [m.name for m in ed.definitions.metrics]
    chosen = st.selectbox("Edit metric", [NEW, *names], key="metric-pick")
    current = ed.definitions.metric(chosen) if chosen != NEW else None
    # Outside the form: the column list depends on the dataset chosen here.
    derived = st.toggle(
        "Derived (a formula over other metrics)",
        value=bool(current and current.is_derived),
        key=f"derived-{chosen}",
    )
    dataset_names = list(ed.datasets)
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
        mapping = ed.mappings.get(dataset) if dataset else None
        columns = list(mapping.numbers + mapping.dimensions) if mapping else []
        if current and current.column and not derived and current.column not in columns:
            # Kept as the choice, so that saving never swaps in another column.
            st.warning(
                f'Column "{current.column}" is not in dataset "{dataset}" any more. '
                "Pick the column that replaced it, or re-import a file that has it.",
                icon=":material/warning:",
            )
            columns.insert(0, current.column)
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
        if not current and not new_key(
            "metric", key, names + [m.label for m in ed.definitions.metrics], label
        ):
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
        updated = replace(
            ed.definitions, metrics=replace_in(ed.definitions.metrics, metric, "name")
        )
        save(ed, updated, lambda: ed.store.save_metric(metric))
    if current and st.button(f'Delete metric "{current.name}"'):
        delete(lambda: ed.store.delete_metric(current.name))


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
