"""Goalpost's router: registers every page and loads the sample on first start."""

import streamlit as st

from pages import common

st.set_page_config(page_title="Goalpost", page_icon="🎯", layout="wide")

PAGES = [
    st.Page(
        "pages/overview.py",
        title="Overview",
        icon="🎯",
        url_path="overview",
        default=True,
    ),
    st.Page("pages/team.py", title="Team", icon="👥", url_path="team"),
    st.Page("pages/kpi_detail.py", title="KPI detail", icon="🔎", url_path="kpi"),
    st.Page("pages/data.py", title="Data", icon="📄", url_path="data"),
    st.Page(
        "pages/definitions.py", title="Metrics & KPIs", icon="🛠️", url_path="definitions"
    ),
]

common.ensure_workspace()
st.navigation(PAGES).run()
