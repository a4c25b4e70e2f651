"""Goalpost's router: registers every page and loads the sample on first start."""

import streamlit as st

from pages import common

st.set_page_config(page_title="Goalpost", page_icon=":material/flag:", layout="wide")

# The default page lives at "/"; the others at the url_path given here.
PAGES = [
    st.Page(
        "pages/overview.py", title="Overview", icon=":material/flag:", default=True
    ),
    st.Page("pages/team.py", title="Team", icon=":material/groups:", url_path="team"),
    st.Page(
        "pages/kpi_detail.py",
        title="KPI detail",
        icon=":material/query_stats:",
        url_path="kpi",
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
]

common.ensure_workspace()
st.navigation(PAGES).run()
