"""Import and export every definition as one YAML file."""

import streamlit as st

from kpi.definition_checks import validate_definitions
from kpi.definitions import definitions_from_yaml, definitions_to_yaml
from kpi.errors import GoalpostError
from pages import common
from pages.editor.shared import Editor


def yaml_tab(ed: Editor) -> None:
    st.download_button(
        "Export all definitions (YAML)",
        definitions_to_yaml(ed.definitions),
        file_name="goalpost.yaml",
        mime="application/x-yaml",
    )
    st.markdown(
        "**Import** — replaces every metric, goal, KPI and target-table line with "
        "the file's."
    )
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
    problems = validate_definitions(incoming, ed.mappings)
    for problem in problems:
        st.error(problem, icon=":material/error:")
    st.caption(
        f"{len(incoming.metrics)} metrics, {len(incoming.goals)} goals, "
        f"{len(incoming.kpis)} KPIs and {len(incoming.targets)} target lines in "
        f"{upload.name}."
    )
    if ed.definitions.targets and not incoming.targets:
        st.warning(
            f'"{upload.name}" has no targets: list, so the '
            f"{len(ed.definitions.targets)} lines of the target table will be "
            "deleted. Export first if you want to keep them.",
            icon=":material/warning:",
        )
    empty = not (incoming.metrics or incoming.goals or incoming.kpis)
    if empty:
        st.error(
            f'"{upload.name}" defines nothing, so importing it would delete every '
            "definition. Check that it is the right file.",
            icon=":material/error:",
        )
    sure = st.checkbox(
        f"Yes, replace the {len(ed.definitions.metrics)} metrics, "
        f"{len(ed.definitions.goals)} goals, {len(ed.definitions.kpis)} KPIs and "
        f"{len(ed.definitions.targets)} target lines",
        key="replace-sure",
    )
    blocked = bool(problems) or empty or not sure
    if st.button("Replace all definitions", type="primary", disabled=blocked):
        ed.store.replace_definitions(incoming)
        common.clear_caches()
        st.success("Definitions replaced.")
