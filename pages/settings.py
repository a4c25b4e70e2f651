"""Settings: how the workspace counts weeks and fiscal years and judges pace."""

from datetime import date

import streamlit as st

from kpi.periods import FISCAL_YEAR_NAMES, WEEK_STARTS
from kpi.settings import WorkspaceSettings, keep_status_bands
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
    named_by = right.selectbox(
        "A fiscal year is named by the year it",
        FISCAL_YEAR_NAMES,
        index=FISCAL_YEAR_NAMES.index(current.fiscal_year_named_by),
        format_func=lambda side: {
            "end": "ends in (Apr 2026 – Mar 2027 is FY2027)",
            "start": "starts in (Apr 2026 – Mar 2027 is FY2026)",
        }[side],
        help="No effect when the fiscal year starts in January.",
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
    decimal_comma = right.toggle(
        "Numbers use a decimal comma (1.234,50)",
        value=current.decimal_comma,
        help="The default for new files' mapping; never applied to dates.",
    )
    apply_to_running = left.checkbox(
        "Apply a new at-risk band to KPIs still running",
        help="A KPI keeps the band it was judged with. KPIs whose time frame has "
        "ended always keep theirs, so a past outcome never changes.",
    )
    submitted = st.form_submit_button("Save settings", type="primary")
if submitted:
    chosen = WorkspaceSettings(
        week_start=week_start,
        fiscal_start_month=fiscal,
        at_risk_pace=at_risk,
        seasonal_pacing=seasonal,
        day_first=day_first,
        fiscal_year_named_by=named_by,
        decimal_comma=decimal_comma,
    )
    definitions = common.definitions()
    kept = keep_status_bands(
        definitions,
        current,
        chosen,
        today=common.today(),
        apply_to_running=apply_to_running,
    )
    changed = [kpi for kpi in kept.kpis if kpi not in definitions.kpis]
    store.set_setting_and_kpis("workspace", chosen.to_dict(), changed)
    common.clear_caches()
    st.session_state["settings-flash"] = "Settings saved."
    st.rerun()
