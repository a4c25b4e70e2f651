"""Altair chart builders. They receive one row per period (and series), never raw rows.

Dates travel to the browser as ``YYYY-MM-DD`` text on a UTC scale, so a chart
never shifts a bucket by the viewer's time zone.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from kpi.formatting import format_value

ACTUAL_COLOUR = "#2f6fdf"
TARGET_COLOUR = "#1b9e5a"
EXPECTED_COLOUR = "#9a9a9a"
FORECAST_COLOUR = "#7a4fd6"

_AXIS_FORMAT = {
    "percent": ".0%",
    "currency": "$,.0f",
    "duration": ",.1f",
    "number": ",.2~f",
}


def kpi_chart(
    series: pd.DataFrame, *, unit: str, cumulative: bool, height: int = 220
) -> alt.LayerChart:
    """Actual against target, with the expected-to-date path and the forecast.

    ``series`` has one row per bucket: bucket, label, value, partial, target,
    expected and, when there is a forecast, projected, projected_low and
    projected_high. With ``cumulative`` the actual line is the running total
    (for a total target); otherwise each bucket's own value. The unfinished
    bucket is drawn as a hollow point and labelled partial in the tooltip; the
    forecast is a dashed line inside a shaded 80 % band.
    """
    frame = _chart_frame(series, unit, cumulative)
    x = alt.X(
        "day:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=_date_axis(),
    )
    y_axis = alt.Axis(format=_AXIS_FORMAT.get(unit, ",.2~f"), title=None)
    tooltip = [
        alt.Tooltip("label:N", title="Period"),
        alt.Tooltip("shown:N", title="Actual"),
        alt.Tooltip("target_shown:N", title="Target"),
        alt.Tooltip("state:N", title=""),
    ]

    base = alt.Chart(frame).encode(x=x)
    actual = base.mark_line(color=ACTUAL_COLOUR, point=False).encode(
        y=alt.Y("actual:Q", axis=y_axis), tooltip=tooltip
    )
    # A stroke keeps the hollow point of a running period visible.
    points = base.mark_point(
        color=ACTUAL_COLOUR, stroke=ACTUAL_COLOUR, strokeWidth=1.5, size=40, filled=True
    ).encode(
        y="actual:Q",
        fill=alt.condition(
            "datum.partial", alt.value("white"), alt.value(ACTUAL_COLOUR)
        ),
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [actual, points]
    if frame["target"].notna().any():
        layers.append(
            base.mark_line(color=TARGET_COLOUR, strokeWidth=2).encode(y="target:Q")
        )
    if frame["expected"].notna().any():
        layers.append(
            base.mark_line(color=EXPECTED_COLOUR, strokeDash=[6, 4]).encode(
                y="expected:Q"
            )
        )
    if frame["projected"].notna().any():
        layers = [*_forecast_layers(base, unit), *layers]
    # alt.layer returns a FacetChart only when the layers share a facet.
    return cast(alt.LayerChart, alt.layer(*layers).properties(height=height))


def _forecast_layers(base: alt.Chart, unit: str) -> list[alt.Chart]:
    """The shaded 80 % band under the dashed projected line."""
    tooltip = [
        alt.Tooltip("label:N", title="Period"),
        alt.Tooltip("projected_shown:N", title="Forecast"),
        alt.Tooltip("band_shown:N", title="80% band"),
    ]
    band = base.mark_area(color=FORECAST_COLOUR, opacity=0.15).encode(
        y="projected_low:Q", y2="projected_high:Q", tooltip=tooltip
    )
    line = base.mark_line(color=FORECAST_COLOUR, strokeDash=[4, 4]).encode(
        y="projected:Q", tooltip=tooltip
    )
    return [band, line]


def breakdown_chart(frame: pd.DataFrame, *, by: str, unit: str) -> alt.Chart:
    """Horizontal bars, one per value of a dimension; ``frame`` has [by, value]."""
    data = pd.DataFrame(
        {
            "name": frame[by].replace("", "(blank)").astype(str),
            "value": frame["value"],
            "shown": [format_value(v, unit) for v in frame["value"]],
        }
    )
    # Altair types its mark_* methods as returning Any.
    return cast(
        alt.Chart,
        alt.Chart(data)
        .mark_bar(color=ACTUAL_COLOUR)
        .encode(
            x=alt.X(
                "value:Q",
                title=None,
                axis=alt.Axis(format=_AXIS_FORMAT.get(unit, ",.2~f")),
            ),
            y=alt.Y("name:N", sort="-x", title=None),
            tooltip=[alt.Tooltip("name:N", title=by), alt.Tooltip("shown:N", title="")],
        )
        .properties(height=max(80, 24 * len(data))),
    )


def series_chart(
    frame: pd.DataFrame,
    *,
    unit: str,
    by: str | None = None,
    target: float | None = None,
    height: int = 260,
) -> alt.LayerChart:
    """The metric by period, one line per value of ``by`` when given.

    ``frame`` has bucket, label, value (and ``by``); a ``partial`` column, when
    present, marks the unfinished bucket. ``target``, when given, is drawn as
    a horizontal line: the value each period must reach.
    """
    partial = (
        frame["partial"].astype(bool)
        if "partial" in frame
        else pd.Series(False, index=frame.index)
    )
    data = pd.DataFrame(
        {
            "day": frame["bucket"].dt.strftime("%Y-%m-%d"),
            "label": frame["label"],
            "value": frame["value"],
            "shown": [format_value(v, unit) for v in frame["value"]],
            "series": frame[by].astype(str) if by else "all",
            "partial": partial,
            "state": ["partial period" if p else "" for p in partial],
        }
    )
    colour = alt.Color("series:N", title=by) if by else alt.value(ACTUAL_COLOUR)
    tooltip = [
        alt.Tooltip("label:N", title="Period"),
        alt.Tooltip("series:N", title=by or ""),
        alt.Tooltip("shown:N", title="Value"),
        alt.Tooltip("state:N", title=""),
    ]
    base = alt.Chart(data).encode(
        x=alt.X(
            "day:T",
            title=None,
            scale=alt.Scale(type="utc"),
            axis=_date_axis(),
        ),
        y=alt.Y(
            "value:Q",
            title=None,
            axis=alt.Axis(format=_AXIS_FORMAT.get(unit, ",.2~f")),
        ),
        color=colour,
        tooltip=tooltip,
    )
    # The unfinished period is a hollow point: its value is still growing.
    points = base.mark_point(size=40, filled=True, strokeWidth=1.5).encode(
        fill=alt.condition("datum.partial", alt.value("white"), colour),
        stroke=colour,
    )
    # alt.layer returns a FacetChart only when the layers share a facet.
    layers = [base.mark_line(), points]
    if target is not None:
        rule = pd.DataFrame({"target": [target], "shown": [format_value(target, unit)]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color=TARGET_COLOUR, strokeWidth=2)
            .encode(y="target:Q", tooltip=[alt.Tooltip("shown:N", title="Target")])
        )
    layered = alt.layer(*layers).properties(height=height)
    return cast(alt.LayerChart, layered)


def _chart_frame(series: pd.DataFrame, unit: str, cumulative: bool) -> pd.DataFrame:
    values = series["value"]
    # A running total is drawn from the first known bucket to the last one;
    # buckets still to come stay empty rather than flat.
    known = values.notna()
    inside = known.cummax() & known[::-1].cummax()[::-1]
    actual = values.fillna(0).cumsum().where(inside) if cumulative else values
    partial = series["partial"].astype(bool)
    projected, low, high = (
        series[name] if name in series else pd.Series(float("nan"), index=series.index)
        for name in ("projected", "projected_low", "projected_high")
    )
    return pd.DataFrame(
        {
            "day": series["bucket"].dt.strftime("%Y-%m-%d"),
            "label": series["label"],
            "actual": actual,
            "target": series["target"],
            "expected": series["expected"],
            "partial": partial,
            "shown": [format_value(v, unit) for v in actual],
            "target_shown": [format_value(v, unit) for v in series["target"]],
            "state": ["partial period" if p else "" for p in partial],
            "projected": projected,
            "projected_low": low,
            "projected_high": high,
            "projected_shown": [format_value(v, unit) for v in projected],
            "band_shown": [
                f"{format_value(a, unit)} – {format_value(b, unit)}"
                for a, b in zip(low, high, strict=True)
            ],
        }
    )


def _date_axis() -> alt.Axis:
    """Vega's own multi-level labels ("Feb", "2026" at the year's start).

    They follow the UTC scale, so a month never shows as the day before.
    """
    return alt.Axis(labelOverlap=True, grid=False)
