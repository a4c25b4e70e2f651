"""The sentences on a KPI card (kpi/card_text.py), with hand-worked figures."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from kpi.card_text import (
    actual_caption,
    delta_text,
    forecast_text,
    pace_facts,
    progress_text,
)
from kpi.compare import change_between
from kpi.evaluate import evaluate_kpi
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target

DEFINITIONS = Definitions(
    metrics=(
        Metric("revenue", "Revenue", "data", "revenue", unit="currency"),
        Metric("posts", "Posts", "data", "revenue", "count"),
    )
)


def rows(values: dict[date, float]) -> dict[str, Rows]:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(list(values)).astype("datetime64[ns]"),
            "revenue": list(values.values()),
        }
    )
    return {"data": Rows(ColumnMapping(date="date", numbers=("revenue",)), frame)}


@pytest.mark.parametrize(
    ("current", "previous", "unit", "expected"),
    [
        (3_000, 2_500, "number", "+500 (+20.0%)"),
        # A rate moves in percentage points: 2.0 % -> 2.5 % is +0.5 pp, +25 %.
        (0.025, 0.02, "percent", "+0.5 pp (+25.0%)"),
        # From 0 there is no percent (it would be infinite).
        (10, 0, "number", "+10"),
        (0, 0, "number", "+0 (+0.0%)"),
        (None, 5, "number", None),
        (12.3, 20, "currency", "-$7.70 (-38.5%)"),
    ],
)
def test_delta_text(current, previous, unit, expected) -> None:
    assert delta_text(change_between(current, previous, unit=unit), unit) == expected


def revenue_report():
    # 380,000 through 30 April 2026 (the worked value): 3,346.94 a day
    # still needed over 245 days, 7 × 3,346.94 = 23,428.57 a week.
    spread = {date(2026, 1, 1) + timedelta(days=d): 380_000 / 120 for d in range(120)}
    kpi = KPI(
        "rev",
        "Revenue",
        "revenue",
        Target("total", 1_200_000),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    return evaluate_kpi(kpi, DEFINITIONS, rows(spread), today=date(2026, 4, 30))


def test_pace_facts_for_the_worked_revenue_value() -> None:
    assert pace_facts(revenue_report()) == [
        "Pace 96.3%",
        # Money from 10,000 up is shown in whole units: $23,429.
        "Needs $3,346.94/day ($23,429/week)",
    ]


def test_the_total_caption_names_the_days_so_far() -> None:
    assert actual_caption(revenue_report()) == "Jan 1–Apr 30 2026 so far"
    # 380,000 of 1,200,000 = 31.7 %.
    assert progress_text(revenue_report()) == "Progress 31.7% of target $1.20M"


def test_forecast_text_for_a_steady_total() -> None:
    # Every day is 3,166.67: no spread, so the end total is certain:
    # 380,000 + 245 × 3,166.67 = 1,155,833.33, short of 1.2M -> 0 % chance.
    text = forecast_text(revenue_report())
    assert text == (
        "Forecast by 2026-12-31: $1.16M (80% band $1.16M – $1.16M); "
        "0.0% chance of reaching $1.20M"
    )


def test_per_period_caption_and_forecast() -> None:
    # Posts (a count of rows) every week of February 2026 against 2 a week:
    # W06 3, W07 2, W08 4 and W09 so far 1 on 25 Feb.
    days = [
        "02-02",
        "02-03",
        "02-04",
        "02-09",
        "02-10",
        "02-16",
        "02-17",
        "02-18",
        "02-19",
        "02-23",
    ]
    data = rows({date.fromisoformat(f"2026-{d}"): 1.0 for d in days})
    kpi = KPI(
        "posts",
        "Posts",
        "posts",
        Target("per_period", 2, "week"),
        date(2026, 2, 2),
        date(2026, 3, 1),
    )
    report = evaluate_kpi(kpi, DEFINITIONS, data, today=date(2026, 2, 25))
    assert actual_caption(report) == "2026-W08 (latest finished week)"
    assert pace_facts(report) == ["Pace 100.0%"]
    # W08's own target is 2 (a whole week inside the frame).
    assert progress_text(report) == "Hit rate 100.0% · target 2 in 2026-W08"
    text = forecast_text(report)
    assert text is not None
    assert text.startswith("Forecast: ") and "chance that every week does" in text


def test_a_budget_has_an_allowance_not_a_need() -> None:
    # Spend budget 3,650 for 2026 (lower is better), 1,000 spent by 30 April:
    # (3,650 - 1,000) / 245 days = 10.82 a day still allowed, 75.71 a week.
    definitions = Definitions(
        metrics=(
            Metric(
                "spend", "Spend", "data", "revenue", unit="currency", direction="lower"
            ),
        )
    )
    kpi = KPI(
        "budget",
        "Budget",
        "spend",
        Target("total", 3_650),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    report = evaluate_kpi(
        kpi, definitions, rows({date(2026, 2, 1): 1_000.0}), today=date(2026, 4, 30)
    )
    assert "Can still use $10.82/day ($75.71/week)" in pace_facts(report)
