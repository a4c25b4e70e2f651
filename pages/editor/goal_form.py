"""The goal form: nodes of the goal tree without a metric of their own."""

import streamlit as st

from kpi.model import Definitions, Goal
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
        )
        updated = Definitions(
            ed.definitions.metrics,
            replace_in(ed.definitions.goals, goal, "key"),
            ed.definitions.kpis,
        )
        save(ed, updated, lambda: ed.store.save_goal(goal))
    if current and st.button(f'Delete goal "{current.name}"'):
        delete(lambda: ed.store.delete_goal(current.key))
