"""The Templates tab: a gallery of KPI sets per field, applied to one dataset.

Pick a field, see its KPIs, pick a dataset, map only the columns the
template asks for (guessed from their names), check the metrics and the KPIs
with their draft targets, and apply them in one write.
"""

from dataclasses import replace

import pandas as pd
import streamlit as st

from kpi.definitions_writer import time_frame_text
from kpi.draft_reach import within_reach
from kpi.errors import GoalpostError
from kpi.formatting import format_value
from kpi.model import Definitions
from kpi.periods import parse_time_frame
from kpi.smart import smart_check
from kpi.templates import (
    TemplatePlan,
    apply_template,
    candidate_columns,
    columns_needed,
    guess_columns,
    guess_values,
    list_templates,
)
from pages import common
from pages.editor.shared import Editor, save
from pages.editor.smart_ticks import smart_letters

NONE = "(none)"
EVERYONE = "(everyone)"


@st.cache_resource(show_spinner=False)
def _templates() -> dict:
    """The template files, read once per process: they ship with the code."""
    return {template.field: template for template in list_templates()}


def templates_tab(ed: Editor) -> None:
    templates = _templates()
    field = st.selectbox(
        "Template",
        list(templates),
        format_func=lambda name: templates[name].title,
        key="template-field",
    )
    template = templates[field]
    st.caption(template.description)
    st.dataframe(_template_kpis(template), hide_index=True, width="stretch")
    if not ed.datasets:
        st.info("Import a dataset on the Data page first, then apply a template.")
        return

    dataset = _pick_dataset(ed, template)
    rows = common.rows(ed.scope)[dataset.name].frame
    st.markdown("**Columns** — the template asks for these; map those you have.")
    columns = _map_columns(template, dataset, rows)
    values = _pick_values(template, dataset, columns, rows)
    team, frame = _owner_and_frame(dataset, rows, field)
    if frame is None:
        return
    try:
        plan = apply_template(
            template,
            dataset,
            columns,
            rows,
            existing=ed.definitions,
            start=frame[0],
            end=frame[1],
            today=common.today(),
            team=team,
            values=values,
            settings=common.settings(),
        )
        plan = within_reach(
            plan,
            ed.definitions,
            common.rows(ed.scope),
            common.today(),
            common.settings(),
        )
    except GoalpostError as error:
        st.error(error.message, icon=":material/error:")
        return
    _preview(ed, plan)
    _apply_button(ed, plan, template.title)


def _template_kpis(template) -> pd.DataFrame:
    labels = {metric.name: metric.ways[0].label for metric in template.metrics}
    return pd.DataFrame(
        [
            {
                "KPI": kpi.name,
                "metric": labels[kpi.metric],
                "target": {
                    "total": "total over the time frame",
                    "per_period": f"every {kpi.period}",
                    "level": f"level, by {kpi.period}",
                }[kpi.kind],
                "draft from history": kpi.draft.describe(),
            }
            for kpi in template.kpis
        ]
    )


def _pick_dataset(ed: Editor, template):
    names = list(ed.datasets)
    # The dataset that fills most of the template's columns comes first.
    best = max(names, key=lambda n: len(guess_columns(template, ed.mappings[n])))
    name = st.selectbox(
        "Apply to dataset",
        names,
        index=names.index(best),
        key=f"template-dataset-{template.field}",
    )
    return ed.datasets[name]


def _map_columns(template, dataset, rows) -> dict[str, str]:
    guess = guess_columns(template, dataset.mapping)
    chosen = {}
    slots = st.columns(3)
    for position, role in enumerate(columns_needed(template)):
        options = [NONE, *candidate_columns(role, dataset.mapping)]
        picked = slots[position % 3].selectbox(
            role.label + ("" if not role.optional else " (optional)"),
            options,
            index=options.index(guess[role.role]) if role.role in guess else 0,
            help=role.description,
            key=f"template-role-{template.field}-{dataset.name}-{role.role}",
        )
        if picked != NONE:
            chosen[role.role] = picked
    return chosen


def _pick_values(template, dataset, columns, rows) -> dict[tuple[str, str], str]:
    guessed = guess_values(template, columns, rows)
    chosen = {}
    for role in template.columns:
        column = columns.get(role.role)
        if column is None or not role.values:
            continue
        found = sorted({str(v) for v in rows[column].dropna().unique() if str(v)})
        for name, _ in role.values:
            default = guessed[(role.role, name)]
            options = found if default in found else [default, *found]
            chosen[(role.role, name)] = st.selectbox(
                f'In "{column}", the value that means {name}',
                options,
                index=options.index(default),
                key=f"template-value-{dataset.name}-{column}-{role.role}-{name}",
            )
    return chosen


def _owner_and_frame(dataset, rows, field):
    left, right = st.columns(2)
    team = None
    if dataset.mapping.team:
        teams = sorted({str(t) for t in rows[dataset.mapping.team].dropna() if t})
        picked = left.selectbox(
            "Owner team (drafts read its rows only)",
            [EVERYONE, *teams],
            key=f"template-team-{dataset.name}",
        )
        team = None if picked == EVERYONE else picked
    else:
        left.caption(
            f'"{dataset.name}" has no team column, so its KPIs belong to the whole '
            "company."
        )
    quarter = common.settings().period_of(common.today(), "quarter")
    text = right.text_input(
        "Time frame",
        value=time_frame_text(*quarter),
        help="A year (2026), a quarter (2026-Q2), a month (2026-05) or a range "
        "(2026-04-01..2026-09-30). Draft targets read the history before it.",
        key=f"template-frame-{field}",
    )
    try:
        return team, parse_time_frame(text)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        return team, None


def _preview(ed: Editor, plan: TemplatePlan) -> None:
    known = Definitions(
        metrics=ed.definitions.metrics + plan.metrics,
        goals=ed.definitions.goals,
        kpis=ed.definitions.kpis + plan.kpis,
    )
    drafts = {draft.kpi: draft for draft in plan.drafts}
    rows = common.rows(ed.scope)
    checks = {
        kpi.key: smart_check(
            kpi, known, rows, common.today(), settings=common.settings()
        )
        for kpi in plan.kpis
    }
    st.markdown(f"**KPIs to add** ({len(plan.kpis)})")
    if plan.kpis:
        table = [
            {
                "KPI": kpi.name,
                "metric": kpi.metric,
                "draft target": format_value(
                    kpi.target.value, known.metric(kpi.metric).unit
                ),
                "SMART": smart_letters(checks[kpi.key]),
                "realistic?": checks[kpi.key].tick("Realistic").reason,
                "how it was drafted": drafts[kpi.key].explanation,
            }
            for kpi in plan.kpis
        ]
        wide = {
            "how it was drafted": st.column_config.TextColumn(width="large"),
            "realistic?": st.column_config.TextColumn(width="large"),
        }
        st.dataframe(
            pd.DataFrame(table), hide_index=True, width="stretch", column_config=wide
        )
    if plan.metrics:
        st.markdown(f"**New metrics** ({len(plan.metrics)})")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "name": m.name,
                        "label": m.label,
                        "definition": _definition(m),
                    }
                    for m in plan.metrics
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if plan.reused:
        names = ", ".join(existing for _, existing in plan.reused)
        st.caption(f"Existing metrics used as they are: {names}.")
    if plan.left_out:
        with st.expander(f"Left out ({len(plan.left_out)})"):
            st.markdown(common.plain("\n".join(f"- {line}" for line in plan.left_out)))


def _definition(metric) -> str:
    """ "count of deal_stage where deal_stage = Won", or the formula."""
    if metric.formula:
        return metric.formula
    text = f"{metric.aggregation} of {metric.column}"
    conditions = [
        f"{f.column} {'≠' if f.negate else '='} {f.value}" for f in metric.filters
    ]
    return f"{text} where {' and '.join(conditions)}" if conditions else text


def _apply_button(ed: Editor, plan: TemplatePlan, title: str) -> None:
    if not plan.kpis:
        st.info(
            "No KPI can be drafted; the list of what was left out says why. Map "
            "more columns, pick another dataset, or a time frame with whole "
            "periods of this dataset's history before it."
        )
    clicked = st.button(
        "Apply template", type="primary", disabled=not plan.kpis, key="template-apply"
    )
    if clicked:
        updated = replace(
            ed.definitions,
            metrics=ed.definitions.metrics + plan.metrics,
            kpis=ed.definitions.kpis + plan.kpis,
        )
        note = (
            f"{len(plan.kpis)} KPIs and {len(plan.metrics)} new metrics from the "
            f"{title} template. Their targets are drafts: check them on the KPIs tab."
        )
        save(ed, updated, lambda: ed.store.add_definitions(plan.definitions), note)
