"""Team: a card per KPI of one team, with its chart against target and pace."""

import streamlit as st

from kpi.card_text import (
    actual_caption,
    delta_text,
    forecast_text,
    pace_facts,
    progress_text,
)
from kpi.dashboard import team_names
from kpi.formatting import format_value
from pages import common

common.through_the_router()
st.title("Team")
scope = common.viewer_scope()
definitions = common.definitions()
teams = team_names(definitions, scope)
if not teams:
    st.info("No team owns a KPI yet. Define KPIs on the Metrics & KPIs page.")
    st.stop()

team = common.pick_from_query("team", teams, "Team")
whole = st.toggle(
    "Compare whole periods",
    help="Off: this period so far against the same days of the previous one. "
    "On: the last complete period against the one before.",
)
view = common.workspace_snapshot(scope)
cards = common.team_cards(scope, team, whole)
st.caption(
    "Open points mark a period still running. The dashed line is the forecast "
    "to the end of the time frame, inside its 80% band. " + common.settings().week_note
)

for message in view.problems.values():
    st.warning(message, icon=":material/warning:")
common.show_late_data([card.report.kpi for card in cards])


def draw_card(card) -> None:
    report = card.report
    metric = report.metric
    delta = card.delta
    owner = f" · {report.kpi.person}" if report.kpi.person else ""
    st.metric(
        report.kpi.name + owner,
        format_value(report.actual, metric.unit),
        delta=delta_text(delta, metric.unit),
        delta_color="off"
        if delta is None or not delta.absolute
        else "normal"
        if metric.direction == "higher"
        else "inverse",
        delta_description=(
            f"{delta.current_label} vs {delta.previous_label}" if delta else None
        ),
        chart_data=card.sparkline or None,
        border=True,
        help=common.plain(report.explanation),
    )
    st.caption(actual_caption(report))
    progress = report.progress
    st.progress(
        0.0 if progress is None else max(0.0, min(progress, 1.0)),
        text=progress_text(report),
    )
    facts = [common.status_badge(report.status), *map(common.plain, pace_facts(report))]
    st.markdown(" · ".join(facts))
    forecast = forecast_text(report)
    if forecast:
        st.caption(common.plain(forecast), help=report.forecast.method)
    st.vega_lite_chart(card.chart, width="stretch")
    st.page_link(
        "pages/kpi_detail.py",
        label="Details",
        icon=":material/query_stats:",
        query_params={"kpi": report.kpi.key},
    )


if not cards:
    st.info(f"{team} has no KPI you can see.")
for start in range(0, len(cards), 3):
    for column, card in zip(st.columns(3), cards[start : start + 3], strict=False):
        with column:
            draw_card(card)
