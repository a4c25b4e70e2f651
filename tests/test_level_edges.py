"""Level targets at their edges: a baseline past the target, a running period,
and a value moving away from the target."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from kpi.evaluate import evaluate_kpi
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target

DEFINITIONS = Definitions(
    metrics=(Metric("rate", "Rate", "data", "rate", "mean", unit="percent"),)
)


def rows(values: dict[date, float]) -> dict[str, Rows]:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(list(values)).astype("datetime64[ns]"),
            "rate": list(values.values()),
        }
    )
    return {"data": Rows(ColumnMapping(date="date", numbers=("rate",)), frame)}


def monthly(first_month_values: list[float]) -> dict[date, float]:
    """One reading on the 10th of each month from January 2026."""
    return {date(2026, m + 1, 10): v for m, v in enumerate(first_month_values)}


def level(baseline: float | None, target: float = 0.13) -> KPI:
    return KPI(
        "rate",
        "Rate up to 13%",
        "rate",
        Target("level", target, "month", baseline=baseline),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )


def test_a_baseline_already_past_the_target_and_met_is_100_percent() -> None:
    # Baseline 13.2 % is already above 13 %; April's 13.5 % meets it.
    report = evaluate_kpi(
        level(0.132),
        DEFINITIONS,
        rows(monthly([0.13, 0.13, 0.13, 0.135])),
        today=date(2026, 5, 1),
    )
    assert report.status == "achieved"
    assert report.progress == 1.0  # not (13.5 - 13.2) / (13 - 13.2) = -150 %


def test_falling_back_past_the_target_from_such_a_baseline_is_off_track() -> None:
    report = evaluate_kpi(
        level(0.132),
        DEFINITIONS,
        rows(monthly([0.13, 0.13, 0.13, 0.125])),
        today=date(2026, 5, 1),
    )
    assert report.status == "off track"
    assert report.progress is None  # not (12.5 - 13.2) / (13 - 13.2) = 350 %
    assert "fallen back past the target" in report.explanation


def test_a_running_month_that_meets_the_target_is_on_track_not_achieved() -> None:
    # 1 January: only the running month exists, at 50 %.
    report = evaluate_kpi(
        level(0.10), DEFINITIONS, rows({date(2026, 1, 1): 0.5}), today=date(2026, 1, 1)
    )
    assert report.status == "on track"
    assert "counts once the period ends" in report.explanation


def test_moving_away_from_the_target_is_off_track_with_zero_pace() -> None:
    # From 10 % towards 13 %, April is at 9 %: progress (9 - 10) / (13 - 10) =
    # -33.3 %; pace is held at 0 % rather than a negative figure.
    report = evaluate_kpi(
        level(0.10),
        DEFINITIONS,
        rows(monthly([0.10, 0.10, 0.10, 0.09])),
        today=date(2026, 5, 1),
    )
    assert report.progress == pytest.approx(-1 / 3)
    assert report.pace == 0.0
    assert report.status == "off track"


def test_the_first_day_gives_no_runaway_pace_sign() -> None:
    values = {date(2026, 1, 1) + timedelta(days=d): 0.08 for d in range(40)}
    report = evaluate_kpi(
        level(0.10), DEFINITIONS, rows(values), today=date(2026, 2, 9)
    )
    assert report.pace == 0.0
