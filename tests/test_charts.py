"""Chart builders: one row per period, running totals, UTC dates, target lines."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.charts import breakdown_chart, kpi_chart, series_chart


def weekly(values, partial_last=True):
    buckets = pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-16"])
    return pd.DataFrame(
        {
            "bucket": buckets,
            "label": ["2026-W10", "2026-W11", "2026-W12"],
            "value": values,
            "partial": [False, False, partial_last],
            "expected": [10.0, 20.0, 30.0],
            "target": [10.0, 20.0, 30.0],
        }
    )


def chart_rows(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def test_a_total_target_draws_the_running_total():
    spec = kpi_chart(weekly([4.0, 6.0, 5.0]), unit="number", cumulative=True).to_dict()

    rows = chart_rows(spec)
    # 4, 4 + 6 = 10, 10 + 5 = 15
    assert [r["actual"] for r in rows] == [4.0, 10.0, 15.0]
    assert [r["partial"] for r in rows] == [False, False, True]
    assert [r["state"] for r in rows][-1] == "partial period"


def test_a_running_total_starts_with_the_first_value():
    rows = chart_rows(
        kpi_chart(weekly([None, 6.0, 5.0]), unit="number", cumulative=True).to_dict()
    )

    assert rows[0]["actual"] is None or math.isnan(rows[0]["actual"])
    assert [r["actual"] for r in rows[1:]] == [6.0, 11.0]


def test_dates_travel_as_plain_days_on_a_utc_scale():
    spec = kpi_chart(weekly([1.0, 2.0, 3.0]), unit="number", cumulative=False).to_dict()

    assert [r["day"] for r in chart_rows(spec)] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"type": "utc"}


@pytest.mark.parametrize(
    ("target", "layers"), [(None, 2), (2.0, 3)], ids=["no target", "target line"]
)
def test_series_chart_draws_a_target_line_when_given(target, layers):
    spec = series_chart(weekly([1.0, 2.0, 3.0]), unit="number", target=target).to_dict()

    assert len(spec["layer"]) == layers
    if target is not None:
        rule_data = spec["datasets"][spec["layer"][2]["data"]["name"]]
        assert rule_data == [{"target": 2.0, "shown": "2"}]


def test_breakdown_names_blank_values():
    frame = pd.DataFrame({"channel": ["paid", ""], "value": [30.0, 10.0]})

    rows = chart_rows(breakdown_chart(frame, by="channel", unit="currency").to_dict())

    assert [(r["name"], r["shown"]) for r in rows] == [
        ("paid", "$30.00"),
        ("(blank)", "$10.00"),
    ]


def test_the_forecast_is_a_dashed_line_in_a_band():
    series = weekly([4.0, 6.0, None], partial_last=False).assign(
        projected=[float("nan"), 10.0, 16.0],
        projected_low=[float("nan"), 10.0, 13.0],
        projected_high=[float("nan"), 10.0, 19.0],
    )
    spec = kpi_chart(series, unit="number", cumulative=True).to_dict()

    marks = [layer["mark"] for layer in spec["layer"]]
    area = next(m for m in marks if m["type"] == "area")
    dashed = [m for m in marks if m["type"] == "line" and "strokeDash" in m]
    assert area["opacity"] < 1
    assert any(m["color"] == "#7a4fd6" for m in dashed)
    last = chart_rows(spec)[-1]
    assert (last["projected_low"], last["projected_high"]) == (13.0, 19.0)
    assert last["band_shown"] == "13 – 19"


def test_no_forecast_no_band():
    spec = kpi_chart(weekly([4.0, 6.0, 5.0]), unit="number", cumulative=True).to_dict()
    assert all(layer["mark"]["type"] != "area" for layer in spec["layer"])


def test_a_running_total_stops_at_the_last_known_bucket():
    # Buckets still to come have no value: the line must not run on flat.
    rows = chart_rows(
        kpi_chart(weekly([4.0, 6.0, None]), unit="number", cumulative=True).to_dict()
    )
    assert [r["actual"] for r in rows[:2]] == [4.0, 10.0]
    assert rows[2]["actual"] is None or math.isnan(rows[2]["actual"])


def test_the_open_point_of_a_running_period_has_a_visible_edge():
    spec = kpi_chart(weekly([4.0, 6.0, 5.0]), unit="number", cumulative=False).to_dict()
    points = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    (mark,) = [p["mark"] for p in points]
    assert mark["stroke"] == "#2f6fdf" and mark["strokeWidth"] > 0
    # Its fill turns white only for the running period.
    fill = points[0]["encoding"]["fill"]
    assert fill["condition"]["test"] == "datum.partial"
    assert fill["condition"]["value"] == "white"
