"""KPIs that take their targets from the target table (issue 3, item 2)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.evaluate import evaluate_kpi
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target
from kpi.planned_target import PlannedTarget

METRICS = (
    Metric("leads", "Leads", "data", "leads"),
    Metric("visits", "Visits", "data", "visits"),
    Metric("conversion", "Conversion", formula="leads / visits", unit="percent"),
)
PLAN = (
    PlannedTarget("leads", date(2026, 1, 1), date(2026, 1, 31), 100),
    PlannedTarget("leads", date(2026, 2, 1), date(2026, 2, 28), 280),
    PlannedTarget("conversion", date(2026, 1, 1), date(2026, 1, 31), 0.04),
    PlannedTarget("conversion", date(2026, 2, 1), date(2026, 2, 28), 0.05),
)
DEFINITIONS = Definitions(metrics=METRICS, targets=PLAN)


def rows(records: dict[str, tuple[float, float]]) -> dict[str, Rows]:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(list(records)).astype("datetime64[ns]"),
            "leads": [leads for leads, _ in records.values()],
            "visits": [visits for _, visits in records.values()],
        }
    )
    mapping = ColumnMapping(date="date", numbers=("leads", "visits"))
    return {"data": Rows(mapping, frame)}


def kpi(metric: str, target: Target) -> KPI:
    return KPI("k", "K", metric, target, date(2026, 1, 1), date(2026, 2, 28))


def test_a_planned_total_sums_its_months_and_paces_along_them() -> None:
    # Target 100 + 280 = 380. On 14 February the plan expects all of January
    # and 14 of February's 28 days: 100 + 280 × 14/28 = 240. 228 leads so far
    # -> pace 228 / 240 = 95 % -> at risk (linear pacing would expect
    # 380 × 45/59 = 289.8 and say off track).
    report = evaluate_kpi(
        kpi("leads", Target("total", 1, from_plan=True)),
        DEFINITIONS,
        rows({"2026-01-20": (100, 1000), "2026-02-10": (128, 1000)}),
        today=date(2026, 2, 14),
    )
    assert report.target_value == 380
    assert report.expected_to_date == pytest.approx(240)
    assert report.pace == pytest.approx(0.95)
    assert report.status == "at risk"
    assert "target table" in report.explanation


def test_each_planned_month_is_judged_against_its_own_target() -> None:
    # January 120 against 100 passes; February 250 against 280 fails.
    report = evaluate_kpi(
        kpi("leads", Target("per_period", 1, "month", from_plan=True)),
        DEFINITIONS,
        rows({"2026-01-20": (120, 1000), "2026-02-10": (250, 1000)}),
        today=date(2026, 3, 1),
    )
    assert report.series["target"].tolist() == [100, 280]
    assert report.hit_rate == 0.5
    assert (report.status, report.outcome) == ("missed", "failed")


def test_a_planned_rate_is_never_summed() -> None:
    # The conversion plan says 4 % in January, 5 % in February: the level in
    # force at the end of the frame is 5 %, not 9 %. February: 60 / 1,000 = 6 %.
    report = evaluate_kpi(
        kpi(
            "conversion", Target("level", 0.01, "month", baseline=0.03, from_plan=True)
        ),
        DEFINITIONS,
        rows({"2026-01-20": (30, 1000), "2026-02-10": (60, 1000)}),
        today=date(2026, 3, 1),
    )
    assert report.target_value == pytest.approx(0.05)
    assert report.actual == pytest.approx(0.06)
    assert report.status == "achieved"


def test_a_gap_in_the_plan_says_where_to_fill_it() -> None:
    short = Definitions(metrics=METRICS, targets=PLAN[:1])
    report = evaluate_kpi(
        kpi("leads", Target("total", 1, from_plan=True)),
        short,
        rows({"2026-01-20": (100, 1000)}),
        today=date(2026, 2, 14),
    )
    # February has no line: the KPI has no target (its own 1 is not used),
    # says so, and says where to fill the gap.
    assert report.target_value is None
    assert report.status == "no data"
    assert "no line for Feb 2026 of 2026-01-01 – 2026-02-28" in report.explanation
    assert "Targets tab" in report.explanation


def test_planned_weeks_read_their_own_days_and_unplanned_weeks_are_not_judged() -> None:
    # Weekly leads from the monthly plan, frame 2026-01-26..2026-02-08 (whole
    # weeks W05 and W06). W05 (26 Jan - 1 Feb) takes 6 January days at
    # 100/31 and 1 February day at 280/28: 600/31 + 10 = 29.35. W06 (2-8 Feb)
    # takes 7 × 10 = 70. 30 leads in W05 pass, 60 in W06 fail.
    kpi_weeks = KPI(
        "w",
        "W",
        "leads",
        Target("per_period", 999, "week", from_plan=True),
        date(2026, 1, 26),
        date(2026, 2, 8),
    )
    report = evaluate_kpi(
        kpi_weeks,
        DEFINITIONS,
        rows({"2026-01-27": (30, 100), "2026-02-03": (60, 100)}),
        today=date(2026, 2, 9),
    )
    assert report.series["target"].tolist() == pytest.approx([600 / 31 + 10, 70])
    assert report.hit_rate == 0.5
    # The card shows the latest finished week beside its own target, not 999.
    assert (report.actual, report.target_value) == (60, pytest.approx(70))

    # Without a plan line for March, a March week is not judged at all.
    march = KPI(
        "m",
        "M",
        "leads",
        Target("per_period", 999, "week", from_plan=True),
        date(2026, 2, 23),
        date(2026, 3, 8),
    )
    report = evaluate_kpi(
        march,
        DEFINITIONS,
        rows({"2026-02-24": (80, 100), "2026-03-03": (1, 100)}),
        today=date(2026, 3, 9),
    )
    assert pd.isna(report.series["target"].iloc[1])
    # W09 (23 Feb - 1 Mar) holds 6 planned February days (60) and 1 unplanned
    # March day, so it has no full target either: nothing is judged.
    assert report.hit_rate is None
    assert report.status == "no data"
    assert "2 finished week(s) have no target" in report.explanation


def test_a_planned_level_of_a_sum_takes_the_month_in_force_at_the_end() -> None:
    # Leads per month must reach the plan's February line (280) by the end of
    # February: a level is never the sum 100 + 280 = 380.
    report = evaluate_kpi(
        kpi("leads", Target("level", 1, "month", baseline=50, from_plan=True)),
        DEFINITIONS,
        rows({"2026-01-20": (120, 1000), "2026-02-10": (300, 1000)}),
        today=date(2026, 3, 1),
    )
    assert report.target_value == 280
    assert report.status == "achieved"
    assert "the value in force at its end" in report.explanation
