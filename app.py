"""Goalpost's router: registers every page and loads the sample on first start."""

import streamlit as st

from kpi.file_guard import assert_defused
from pages import common

st.set_page_config(page_title="Goalpost", page_icon=":material/flag:", layout="wide")

# The default page lives at "/". Each other url_path is its file's name: until
# st.navigation first runs, Streamlit routes a pages/ folder by file name, so a
# server's very first visitor opening a link must find the same address.
PAGES = [
    st.Page(
        "pages/overview.py", title="Overview", icon=":material/flag:", default=True
    ),
    st.Page("pages/team.py", title="Team", icon=":material/groups:", url_path="team"),
    st.Page(
        "pages/kpi_detail.py",
        title="KPI detail",
        icon=":material/query_stats:",
        url_path="kpi_detail",
    ),
    st.Page(
        "pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"
    ),
    st.Page(
        "pages/definitions.py",
        title="Metrics & KPIs",
        icon=":material/tune:",
        url_path="definitions",
    ),
    st.Page(
        "pages/plan.py",
        title="What would it take?",
        icon=":material/calculate:",
        url_path="plan",
    ),
    st.Page(
        "pages/settings.py",
        title="Settings",
        icon=":material/settings:",
        url_path="settings",
    ),
]

# Refuse to serve uploads if XML entity tricks would reach the readers.
assert_defused()
common.ensure_workspace()
st.navigation(PAGES).run()
