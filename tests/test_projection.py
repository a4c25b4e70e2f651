"""Each KPI's forecast through evaluate_kpi, and the dashed line it draws."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from kpi.evaluate import evaluate_kpi
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target

DEFINITIONS = Definitions(
    metrics=(
        Metric("calls", "Calls", "data", "calls"),
        Metric("hours", "Resolution time", "data", "hours", "mean", direction="lower"),
    )
)
WORKED_DAYS = [10, 12, 8, 10, 10, 12, 8, 10, 10, 10]


def rows(first: date, values: list[float], column: str = "calls") -> dict[str, Rows]:
    days = [first + timedelta(days=offset) for offset in range(len(values))]
    frame = pd.DataFrame(
        {"date": pd.to_datetime(days).astype("datetime64[ns]"), column: values}
    )
    mapping = ColumnMapping(date="date", numbers=(column,))
    return {"data": Rows(mapping, frame.astype({column: float}))}


def january(target: Target, metric: str = "calls") -> KPI:
    return KPI("k", "K", metric, target, date(2026, 1, 1), date(2026, 1, 31))


def test_total_forecast_worked_value() -> None:
    # 1-10 January: 100 calls, mean 10, s = 4/3 (squares of the deviations add
    # to 16, over 9). 21 days left: 100 + 10 × 21 = 310, exactly the target, so
    # the chance is one half. The end total's error is
    # 4/3 × √(21 × (1 + 21/10)) = 10.757; t(0.90, 9 df) = 1.383 gives a band of
    # 310 ± 14.88.
    report = evaluate_kpi(
        january(Target("total", 310)),
        DEFINITIONS,
        rows(date(2026, 1, 1), WORKED_DAYS),
        today=date(2026, 1, 10),
    )
    forecast = report.forecast
    assert forecast is not None
    assert forecast.projected == pytest.approx(310)
    assert forecast.probability == pytest.approx(0.5)
    half = 1.3830 * 4 / 3 * math.sqrt(21 * 3.1)
    assert (forecast.low, forecast.high) == pytest.approx(
        (310 - half, 310 + half), abs=0.01
    )
    assert "10 days" in forecast.method


def test_total_projection_continues_the_running_total() -> None:
    # A 31-day frame is charted by day. The line leaves 10 January at the
    # running total of 100 and reaches 100 + 10 × k k days later.
    series = evaluate_kpi(
        january(Target("total", 310)),
        DEFINITIONS,
        rows(date(2026, 1, 1), WORKED_DAYS),
        today=date(2026, 1, 10),
    ).series.set_index("label")
    assert series["projected"].iloc[:9].isna().all()
    assert series.loc["2026-01-10", ["projected", "projected_low"]].tolist() == [
        100,
        100,
    ]
    assert series.loc["2026-01-11", "projected"] == pytest.approx(110)
    assert series.loc["2026-01-31", "projected"] == pytest.approx(310)
    assert (
        (series["projected_low"] <= series["projected_high"])
        .where(series["projected"].notna(), True)
        .all()
    )


@pytest.mark.parametrize(
    ("today", "why"),
    [(date(2025, 12, 31), "not started"), (date(2026, 1, 31), "ended")],
)
def test_no_forecast_outside_the_frame(today: date, why: str) -> None:
    report = evaluate_kpi(
        january(Target("total", 310)),
        DEFINITIONS,
        rows(date(2025, 12, 20), [10.0] * 43),
        today=today,
    )
    assert report.forecast is None, why
    assert report.series["projected"].isna().all()


def test_a_total_of_an_average_has_no_forecast() -> None:
    report = evaluate_kpi(
        january(Target("total", 5), "hours"),
        DEFINITIONS,
        rows(date(2026, 1, 1), WORKED_DAYS, "hours"),
        today=date(2026, 1, 10),
    )
    assert report.forecast is None


def test_level_forecast_follows_the_trend() -> None:
    # Weekly mean resolution time falls 12, 11, 10, 9 h over Q1's first four
    # whole weeks (5 Jan - 1 Feb); each week's days hold that value all week.
    # The line is 12 - x, so week x = 12 (30 Mar - 5 Apr, the 13th week after
    # 5 Jan, index 12) is at 0 h: projected far below the 3 h target, and with
    # no scatter around the line the chance is 1 and the band has no width.
    values = [float(12 - week) for week in range(4) for _ in range(7)]
    kpi = KPI(
        "res",
        "Resolution",
        "hours",
        Target("level", 3, "week", baseline=12),
        date(2026, 1, 5),
        date(2026, 4, 5),
    )
    report = evaluate_kpi(
        kpi,
        DEFINITIONS,
        rows(date(2026, 1, 5), values, "hours"),
        today=date(2026, 2, 1),
    )
    forecast = report.forecast
    assert forecast is not None
    assert forecast.projected == pytest.approx(0.0)
    assert forecast.probability == 1.0
    assert forecast.low == pytest.approx(forecast.high)
    series = report.series
    # Anchored on the last finished week (9 h), then one point per week to come.
    anchor = series.index[series["label"] == "2026-W05"][0]
    assert series.loc[anchor, "projected"] == 9
    assert series["projected"].iloc[anchor + 1 :].tolist() == pytest.approx(
        [8.0 - step for step in range(9)]
    )


def test_per_period_forecast_bands_every_period_left() -> None:
    # Calls per week against 60 a week: four whole weeks of 70, 63, 77, 70
    # (10, 9, 11 and 10 a day; mean 70, s² = (0 + 49 + 49 + 0) / 3). Every
    # week so far passed.
    values = [float(daily) for daily in (10, 9, 11, 10) for _ in range(7)]
    kpi = KPI(
        "calls",
        "Calls",
        "calls",
        Target("per_period", 60, "week"),
        date(2026, 1, 5),
        date(2026, 3, 1),
    )
    report = evaluate_kpi(
        kpi, DEFINITIONS, rows(date(2026, 1, 5), values), today=date(2026, 2, 1)
    )
    forecast = report.forecast
    assert forecast is not None
    # 4 weeks left (W06-W09): each 70 ± t(0.90, 3) × s × √(1 + 1/4).
    half = 1.6377 * math.sqrt(98 / 3) * math.sqrt(1.25)
    coming = report.series[report.series["projected"].notna()]
    assert coming["label"].tolist() == ["2026-W06", "2026-W07", "2026-W08", "2026-W09"]
    assert coming["projected"].tolist() == pytest.approx([70] * 4)
    assert coming["projected_high"].tolist() == pytest.approx([70 + half] * 4, abs=1e-3)
    assert 0 < forecast.probability < 1
    assert not np.isnan(forecast.projected)
