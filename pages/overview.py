"""Overview: every goal and KPI at a glance, with progress and status."""

import streamlit as st

from kpi.dashboard import status_counts, team_names, tree_rows
from kpi.formatting import format_fraction
from pages import common

common.through_the_router()
st.title("Overview")
scope = common.viewer_scope()
view = common.workspace_snapshot(scope)

if not view.reports and not view.problems:
    st.info(
        "No KPIs yet. Upload a spreadsheet on the Data page, then define metrics "
        "and KPIs on the Metrics & KPIs page."
    )
    st.page_link("pages/data.py", label="Go to Data", icon=":material/upload_file:")
    st.stop()

counts = status_counts(view.reports)
columns = st.columns(max(len(counts), 1))
for column, (status, count) in zip(columns, counts.items(), strict=False):
    column.metric(status.capitalize(), count, border=True)

table = tree_rows(view.tree)
shown = table.assign(
    name=[
        "    " * depth + ("◆ " if kind == "goal" else "• ") + name
        for depth, kind, name in zip(
            table["depth"], table["kind"], table["name"], strict=True
        )
    ],
    progress=table["progress"].clip(upper=1.0),
    progress_text=[format_fraction(p) for p in table["progress"]],
    pace=[
        format_fraction(p) if kind == "kpi" else ""
        for p, kind in zip(table["pace"], table["kind"], strict=True)
    ],
    status=[s.capitalize() for s in table["status"]],
    link=[
        f"kpi_detail?kpi={k}" if kind == "kpi" else ""
        for k, kind in zip(table["key"], table["kind"], strict=True)
    ],
)
st.dataframe(
    shown[["name", "owner", "progress", "progress_text", "pace", "status", "link"]],
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(shown), 900),
    column_config={
        "name": st.column_config.TextColumn("Goal / KPI", width="large"),
        "owner": st.column_config.TextColumn("Owner"),
        "progress": st.column_config.ProgressColumn(
            "Progress", min_value=0.0, max_value=1.0, format="percent"
        ),
        "progress_text": st.column_config.TextColumn("Exact"),
        "pace": st.column_config.TextColumn("Pace"),
        "status": st.column_config.TextColumn("Status"),
        "link": st.column_config.LinkColumn("Details", display_text="Open"),
    },
)

for message in view.problems.values():
    st.warning(message, icon=":material/warning:")

st.subheader("Teams")
teams = team_names(common.definitions(), scope)
for column, team in zip(st.columns(max(len(teams), 1)), teams, strict=False):
    column.page_link(
        "pages/team.py",
        label=team,
        icon=":material/groups:",
        query_params={"team": team},
    )
