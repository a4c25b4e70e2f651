"""Overview: every goal and KPI at a glance, with progress and status."""

import streamlit as st

from kpi.dashboard import status_counts, team_names, tree_rows
from kpi.formatting import format_fraction, format_value
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

common.show_late_data([report.kpi for report in view.reports.values()])
counts = status_counts(view.reports)
columns = st.columns(max(len(counts), 1))
for column, (status, count) in zip(columns, counts.items(), strict=False):
    column.metric(status.capitalize(), count, border=True)

table = tree_rows(view.tree)
units = table["unit"].tolist()


def shown(column: str) -> list[str]:
    """A column in each row's unit; — where a row has no value."""
    return [
        format_value(value, unit)
        for value, unit in zip(table[column], units, strict=True)
    ]


board = table.assign(
    name=[
        "    " * depth + ("◆ " if kind == "goal" else "• ") + name
        for depth, kind, name in zip(
            table["depth"], table["kind"], table["name"], strict=True
        )
    ],
    progress=table["progress"],
    actual=shown("actual"),
    target=shown("target"),
    pace=[format_fraction(p) for p in table["pace"]],
    needed=shown("needed_per_day"),
    forecast=table["forecast"],
    chance=[format_fraction(p) for p in table["chance"]],
    status=[s.capitalize() for s in table["status"]],
    link=[
        f"kpi_detail?kpi={k}" if kind == "kpi" else ""
        for k, kind in zip(table["key"], table["kind"], strict=True)
    ],
)
columns = [
    "name",
    "status",
    "progress",
    "actual",
    "target",
    "pace",
    "needed",
    "forecast",
    "chance",
    "covers",
    "owner",
    "link",
]
st.dataframe(
    board[columns],
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(board), 900),
    column_config={
        "name": st.column_config.TextColumn("Goal / KPI", width="large"),
        "owner": st.column_config.TextColumn("Owner"),
        "progress": st.column_config.ProgressColumn(
            "Progress",
            min_value=0.0,
            max_value=1.0,
            format="percent",
            help="The bar stops at 100%; the figure is exact",
        ),
        "actual": st.column_config.TextColumn(
            "Actual", help="Total so far, latest level, or latest finished period"
        ),
        "covers": st.column_config.TextColumn(
            "Period", help="What the actual covers; a running period says so"
        ),
        "target": st.column_config.TextColumn("Target"),
        "pace": st.column_config.TextColumn(
            "Pace", help="Actual against what was expected by today (100% = on plan)"
        ),
        "needed": st.column_config.TextColumn(
            "Needs / day", help="Still needed per remaining day to reach a total"
        ),
        "forecast": st.column_config.TextColumn(
            "Forecast",
            help="Projected value at the end of the time frame, with its 80% band",
        ),
        "chance": st.column_config.TextColumn(
            "Chance", help="Probability of reaching the target, from the forecast"
        ),
        "status": st.column_config.TextColumn("Status"),
        "link": st.column_config.LinkColumn("Details", display_text="Open"),
    },
)
for name, note in zip(table["name"], table["note"], strict=True):
    if note:
        st.caption(f"**{name}** adds up its KPIs: {common.plain(note)}")
st.caption(
    "Goals without a metric show the weighted mean of their children's progress "
    "(each capped at 100%) and their worst child's status; goals with a metric add "
    "up the KPIs under them. Pace, forecast and chance are explained on each KPI's "
    "details page."
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
