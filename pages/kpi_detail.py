"""KPI detail: one KPI's series by period, a breakdown by any dimension, the table."""

from datetime import timedelta

import streamlit as st

from kpi.card_text import actual_caption, forecast_text, pace_facts
from kpi.charts import breakdown_chart, kpi_chart, series_chart
from kpi.dashboard import kpi_breakdown, kpi_dimensions, kpi_series
from kpi.errors import GoalpostError
from kpi.formatting import format_fraction, format_value
from kpi.model import PERIODS
from kpi.smart import smart_check
from pages import common
from pages.editor.smart_ticks import show_compact

common.through_the_router()
st.title("KPI detail")
scope = common.viewer_scope()
definitions = common.definitions()
view = common.workspace_snapshot(scope)
if not view.reports:
    st.info("No KPI to show yet. Define one on the Metrics & KPIs page.")
    st.stop()

names = {report.kpi.key: report.kpi.name for report in view.reports.values()}
key = common.pick_from_query(
    "kpi", list(names), "KPI", format_func=lambda k: names.get(k, k)
)
report = view.reports[key]
kpi, metric = report.kpi, report.metric
rows = common.rows(scope)
settings = common.settings()

owner = " · ".join(p for p in (kpi.team, kpi.person) if p) or "everyone"
st.markdown(
    f"**{metric.label}** for **{owner}**, {settings.frame_label(kpi.start, kpi.end)} · "
    + common.status_badge(report.status)
)
st.caption(common.plain(report.explanation))
show_compact(smart_check(kpi, definitions, rows, common.today(), settings=settings))
facts = st.columns(4)
facts[0].metric(
    "Actual", format_value(report.actual, metric.unit), help=actual_caption(report)
)
facts[1].metric("Target", format_value(report.target_value, metric.unit))
facts[2].metric("Progress", format_fraction(report.progress))
facts[3].metric("Pace", format_fraction(report.pace))
st.markdown(common.plain(" · ".join(pace_facts(report))))

st.subheader("Against the target")
cumulative = kpi.target.kind in ("total", "change") and metric.is_additive
st.altair_chart(
    kpi_chart(report.series, unit=metric.unit, cumulative=cumulative, height=300),
    width="stretch",
)
forecast = forecast_text(report)
if forecast:
    st.markdown(common.plain(forecast))
    st.caption(report.forecast.method)
elif report.forecast is not None:
    st.caption(report.forecast.method)

left, right = st.columns(2)
period = left.selectbox(
    "Period", PERIODS, index=PERIODS.index(kpi.target.period or "month")
)
history_start = right.date_input(
    "From", value=kpi.start - timedelta(days=365), max_value=kpi.end
)
end = min(kpi.end, common.today())

try:
    series = kpi_series(
        kpi,
        definitions,
        rows,
        period=period,
        start=history_start,
        end=end,
        today=common.today(),
        settings=settings,
    )
    dimensions = kpi_dimensions(kpi, definitions, rows)
except GoalpostError as error:
    st.error(error.message)
    st.stop()

st.subheader(f"{metric.label} by {period}")
st.caption("An open point is a period still running. " + common.settings().week_note)
# The targets are on the chart above, bucket by bucket; this one is history.
st.altair_chart(series_chart(series, unit=metric.unit), width="stretch")

st.subheader("Breakdown")
if dimensions:
    by = st.selectbox("Split by", dimensions)
    parts = kpi_breakdown(kpi, definitions, rows, by=by, start=kpi.start, end=end)
    st.altair_chart(breakdown_chart(parts, by=by, unit=metric.unit), width="stretch")
else:
    st.caption("The data behind this KPI has no dimension to split by.")

st.subheader("The table behind it")
table = series.assign(
    shown=[format_value(v, metric.unit) for v in series["value"]],
    state=["partial" if p else "" for p in series["partial"]],
)
st.dataframe(
    table[["label", "shown", "state"]].iloc[::-1],
    hide_index=True,
    width="stretch",
    column_config={
        "label": "Period",
        "shown": metric.label,
        "state": st.column_config.TextColumn(
            "Partial", help="The period still running"
        ),
    },
)
st.download_button(
    "Download this table (CSV)",
    table[["label", "shown", "state"]]
    .rename(columns={"label": "period", "shown": metric.label, "state": "partial"})
    .to_csv(index=False),
    file_name=f"{kpi.key}_by_{period}.csv",
    mime="text/csv",
)
