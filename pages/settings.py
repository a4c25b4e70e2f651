"""Settings: how the workspace counts weeks and fiscal years and judges pace."""

from datetime import date

import streamlit as st

from kpi.periods import WEEK_STARTS
from kpi.settings import WorkspaceSettings
from pages import common

common.through_the_router()
st.title("Settings")
store = common.store()
saved = st.session_state.pop("settings-flash", None)
if saved:
    st.success(saved, icon=":material/check_circle:")


current = common.settings()
with st.form("settings-form"):
    left, right = st.columns(2)
    week_start = left.selectbox(
        "Weeks start on",
        WEEK_STARTS,
        index=WEEK_STARTS.index(current.week_start),
    )
    months = list(range(1, 13))
    fiscal = right.selectbox(
        "Fiscal year starts in month",
        months,
        index=current.fiscal_start_month - 1,
        format_func=lambda m: date(2000, m, 1).strftime("%B"),
    )
    at_risk = left.number_input(
        "At risk from a pace of (fraction; below it: off track)",
        min_value=0.01,
        max_value=1.0,
        value=current.at_risk_pace,
    )
    seasonal = right.toggle(
        "Seasonal pacing (expected-to-date follows last year's shape)",
        value=current.seasonal_pacing,
    )
    day_first = left.toggle(
        "Dates are day-first (03/04/2026 is 3 April)", value=current.day_first
    )
    submitted = st.form_submit_button("Save settings", type="primary")
if submitted:
    chosen = WorkspaceSettings(
        week_start=week_start,
        fiscal_start_month=fiscal,
        at_risk_pace=at_risk,
        seasonal_pacing=seasonal,
        day_first=day_first,
    )
    store.set_setting("workspace", chosen.to_dict())
    common.clear_caches()
    st.session_state["settings-flash"] = "Settings saved."
    st.rerun()
