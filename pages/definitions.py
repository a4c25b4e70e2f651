"""Metrics & KPIs: metrics, KPIs, goals, monthly targets, YAML in and out, templates."""

import streamlit as st

from pages import common
from pages.editor.goal_form import goals_tab
from pages.editor.kpi_form import kpis_tab
from pages.editor.metric_form import metrics_tab
from pages.editor.shared import open_editor, show_flash, show_standing_problems
from pages.editor.targets_form import targets_tab
from pages.editor.template_gallery import templates_tab
from pages.editor.yaml_io import yaml_tab

common.through_the_router()
st.title("Metrics & KPIs")
editor = open_editor()
show_flash()
show_standing_problems(editor)

# A key keeps the open tab across the reruns that every save causes.
metrics, kpis, goals, targets, yaml_io, templates = st.tabs(
    ["Metrics", "KPIs", "Goals", "Targets", "Import / export", "Templates"],
    key="editor-tab",
)
with metrics:
    metrics_tab(editor)
with kpis:
    kpis_tab(editor)
with goals:
    goals_tab(editor)
with targets:
    targets_tab(editor)
with yaml_io:
    yaml_tab(editor)
with templates:
    templates_tab(editor)
