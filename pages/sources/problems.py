"""How the Data page shows a problem: the message, then the offending rows."""

from __future__ import annotations

import streamlit as st

from kpi.errors import GoalpostError, ImportProblem


def show_problem(problem: GoalpostError) -> None:
    st.error(problem.message, icon=":material/error:")
    if isinstance(problem, ImportProblem) and not problem.bad_rows.empty:
        st.dataframe(problem.bad_rows, hide_index=True, width="stretch")
