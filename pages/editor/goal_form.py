"""The goal form: nodes of the goal tree, optionally adding up one metric."""

from dataclasses import replace

import streamlit as st

from kpi.model import Goal
from pages.editor.shared import NEW, Editor, delete, new_key, replace_in, save, slug


def goals_tab(ed: Editor) -> None:
    keys = [g.key for g in ed.definitions.goals]
    chosen = st.selectbox("Edit goal", [NEW, *keys], key="goal-pick")
    current = next((g for g in ed.definitions.goals if g.key == chosen), None)
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
        metrics = [None, *(m.name for m in ed.definitions.metrics)]
        labels = {m.name: m.label for m in ed.definitions.metrics}
        metric = st.selectbox(
            "Adds up the KPIs under it that measure (optional)",
            metrics,
            index=metrics.index(current.metric)
            if current and current.metric in metrics
            else 0,
            format_func=lambda name: (
                "nothing: weighted mean of progress"
                if name is None
                else labels.get(name, name)
            ),
            help="A sum or count adds its KPIs' actuals and targets; a ratio is "
            "recomputed from their summed parts.",
        )
        submitted = st.form_submit_button("Save goal", type="primary")
    if submitted:
        if not name.strip():
            st.error('Give the goal a name, such as "Grow revenue 20% this year".')
            return
        key = current.key if current else slug(name)
        if not current and not new_key(
            "goal", key, keys + [g.name for g in ed.definitions.goals], name
        ):
            return
        goal = Goal(
            key=key,
            name=name.strip(),
            parent=parent,
            weight=weight,
            team=team.strip() or None,
            description=current.description if current else "",
            metric=metric,
        )
        updated = replace(
            ed.definitions, goals=replace_in(ed.definitions.goals, goal, "key")
        )
        save(ed, updated, lambda: ed.store.save_goal(goal))
    if current and st.button(f'Delete goal "{current.name}"'):
        delete(lambda: ed.store.delete_goal(current.key))
