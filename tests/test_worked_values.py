"""The issue's worked values, one test each, in the one place a reviewer reads them.

Every expected number is worked out by hand in the comment beside it. The rows
are built so that each worked value holds exactly, with a row just outside
every window (after "today", before the baseline) that must not count.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.compare import like_for_like
from kpi.evaluate import KpiReport, evaluate_kpi
from kpi.metrics import Rows, metric_series, metric_value
from kpi.model import KPI, ColumnMapping, Definitions, Goal, Metric, Target
from kpi.rollup import goal_tree
from kpi.settings import WorkspaceSettings

NUMBERS = ("revenue", "hours", "spend", "leads", "sessions", "orders")
MAPPING = ColumnMapping(date="date", dimensions=("team",), numbers=NUMBERS, team="team")
DEFINITIONS = Definitions(
    metrics=(
        Metric("revenue", "Revenue", "data", "revenue", unit="currency"),
        Metric(
            "resolution_time",
            "Resolution time",
            "data",
            "hours",
            "mean",
            unit="duration",
            direction="lower",
        ),
        Metric("spend", "Spend", "data", "spend", unit="currency", direction="lower"),
        Metric("leads", "Leads", "data", "leads"),
        Metric(
            "cost_per_lead",
            "Cost per lead",
            formula="spend / leads",
            unit="currency",
            direction="lower",
        ),
        Metric("sessions", "Organic sessions", "data", "sessions"),
        Metric("orders", "Orders", "data", "orders"),
    )
)


def rows(records: list[dict]) -> dict[str, Rows]:
    """Dataset "data": each record has a date; missing numbers are 0, team "North"."""
    frame = pd.DataFrame(records)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["team"] = frame.get("team", pd.Series("North", index=frame.index))
    frame["team"] = frame["team"].fillna("North").astype("string")
    for column in NUMBERS:
        if column not in frame:
            frame[column] = 0.0
        frame[column] = frame[column].astype(float)
    return {"data": Rows(MAPPING, frame)}


def evaluate(
    kpi: KPI,
    records: list[dict],
    today: date,
    settings: WorkspaceSettings | None = None,
) -> KpiReport:
    return evaluate_kpi(
        kpi,
        DEFINITIONS,
        rows(records),
        today=today,
        settings=settings or WorkspaceSettings(),
    )


# ---------------------------------------------------------------------------
# Level target: ticket resolution time from 12 h down to 3 h.
# ---------------------------------------------------------------------------

# Twelve Monday weeks, 5 January to 29 March 2026. Judged on Sunday 25 January,
# the weeks of 5, 12 and 19 January have finished. The latest finished week
# has two tickets, 6 h and 9 h: mean (6 + 9) / 2 = 7.5 h. The ticket on 26
# January lies after today and must not count.
RESOLUTION_ROWS = [
    {"date": "2026-01-06", "hours": 12.0},
    {"date": "2026-01-14", "hours": 11.0},
    {"date": "2026-01-15", "hours": 9.0},
    {"date": "2026-01-20", "hours": 6.0},
    {"date": "2026-01-23", "hours": 9.0},
    {"date": "2026-01-26", "hours": 1.0},
]
RESOLUTION_KPI = KPI(
    "resolution",
    "Resolution time",
    "resolution_time",
    Target("level", 3.0, "week", baseline=12.0),
    date(2026, 1, 5),
    date(2026, 3, 29),
)


def test_resolution_time_level_progress() -> None:
    report = evaluate(RESOLUTION_KPI, RESOLUTION_ROWS, date(2026, 1, 25))

    assert report.actual == 7.5
    # (12 - 7.5) / (12 - 3) = 4.5 / 9 = 50.0 %.
    assert report.progress == pytest.approx(0.50)
    # 21 of 84 days gone = 25 %; pace 50 % / 25 % = 200 % -> on track.
    assert (report.elapsed_days, report.total_days) == (21, 84)
    assert report.pace == pytest.approx(2.0)
    assert report.status == "on track"


# ---------------------------------------------------------------------------
# Total target with pace: revenue 1,200,000 in calendar 2026.
# ---------------------------------------------------------------------------

# 2026 through 30 April: 200,000 + 180,000 = 380,000; 1 May lies after today.
# 2025 through 30 April: 100,000 + 200,000 = 300,000 of a year of 300,000 +
# 450,000 + 250,000 = 1,000,000, i.e. 30 % by 30 April.
REVENUE_ROWS = [
    {"date": "2025-01-01", "revenue": 100_000},
    {"date": "2025-04-30", "revenue": 200_000},
    {"date": "2025-05-01", "revenue": 450_000},
    {"date": "2025-12-31", "revenue": 250_000},
    {"date": "2026-01-01", "revenue": 200_000},
    {"date": "2026-04-30", "revenue": 180_000},
    {"date": "2026-05-01", "revenue": 50_000},
]
REVENUE_KPI = KPI(
    "revenue",
    "Revenue 2026",
    "revenue",
    Target("total", 1_200_000),
    date(2026, 1, 1),
    date(2026, 12, 31),
)
END_OF_APRIL = date(2026, 4, 30)


def test_revenue_pace_is_linear_by_default() -> None:
    report = evaluate(REVENUE_KPI, REVENUE_ROWS, END_OF_APRIL)

    assert report.actual == 380_000
    # January 31 + February 28 + March 31 + April 30 = 120 days of 365.
    assert (report.elapsed_days, report.total_days) == (120, 365)
    # 1,200,000 × 120 / 365 = 394,520.548; pace 380,000 / 394,520.548 = 96.32 %.
    assert report.expected_to_date == pytest.approx(394_520.55, abs=0.005)
    assert report.pace == pytest.approx(0.963, abs=5e-4)
    # 96.3 % is at least 90 % but below 100 %: at risk.
    assert report.status == "at risk"
    # (1,200,000 - 380,000) / (365 - 120) = 820,000 / 245 = 3,346.939.
    assert report.needed_per_day == pytest.approx(3_346.94, abs=0.005)


def test_revenue_pace_follows_last_year_with_seasonal_pacing() -> None:
    settings = WorkspaceSettings(seasonal_pacing=True)

    report = evaluate(REVENUE_KPI, REVENUE_ROWS, END_OF_APRIL, settings)

    # 1,200,000 × 30 % = 360,000; pace 380,000 / 360,000 = 105.56 % -> on track.
    assert report.expected_to_date == pytest.approx(360_000)
    assert report.pace == pytest.approx(1.0556, abs=5e-5)
    assert report.status == "on track"


# ---------------------------------------------------------------------------
# Ratio of sums: cost per lead over three days.
# ---------------------------------------------------------------------------

# (100 + 300 + 50) / (20 + 10 + 0) = 450 / 30 = 15.00. The mean of the daily
# ratios, 100/20 = 5 and 300/10 = 30 (50/0 has none), is 17.50: wrong.
CPL_ROWS = [
    {"date": "2026-03-02", "spend": 100, "leads": 20},
    {"date": "2026-03-03", "spend": 300, "leads": 10},
    {"date": "2026-03-04", "spend": 50, "leads": 0},
]
THREE_DAYS = (date(2026, 3, 2), date(2026, 3, 4))


def test_cost_per_lead_is_a_ratio_of_sums() -> None:
    start, end = THREE_DAYS

    found = metric_value(
        DEFINITIONS, "cost_per_lead", rows(CPL_ROWS), start=start, end=end
    )

    assert found == pytest.approx(15.00)
    assert found != pytest.approx(17.50)


def test_cost_per_lead_per_day_and_over_the_month() -> None:
    start, end = THREE_DAYS
    data = rows(CPL_ROWS)

    daily = metric_series(
        DEFINITIONS, "cost_per_lead", data, period="day", start=start, end=end
    )
    monthly = metric_series(
        DEFINITIONS, "cost_per_lead", data, period="month", start=start, end=end
    )

    # Days: 5.00, 30.00 and no value (50 / 0); the month divides the sums.
    assert daily["value"].tolist()[:2] == [5.0, 30.0]
    assert daily["value"].isna().tolist() == [False, False, True]
    assert monthly["value"].tolist() == [pytest.approx(15.00)]


# ---------------------------------------------------------------------------
# Change target: organic sessions +15 % in Q1 2026 over Q4 2025.
# ---------------------------------------------------------------------------

# Q4 2025: 10,000 + 12,000 + 18,000 = 40,000; 30 September is outside it.
# Target (1 + 0.15) × 40,000 = 46,000.
SESSION_ROWS = [
    {"date": "2025-09-30", "sessions": 5_000},
    {"date": "2025-10-01", "sessions": 10_000},
    {"date": "2025-11-15", "sessions": 12_000},
    {"date": "2025-12-31", "sessions": 18_000},
    {"date": "2026-01-20", "sessions": 20_000},
]
SESSIONS_KPI = KPI(
    "organic",
    "Organic sessions +15 %",
    "sessions",
    Target(
        "change",
        0.15,
        baseline_start=date(2025, 10, 1),
        baseline_end=date(2025, 12, 31),
    ),
    date(2026, 1, 1),
    date(2026, 3, 31),
)


def test_change_target_resolves_against_q4() -> None:
    report = evaluate(SESSIONS_KPI, SESSION_ROWS, date(2026, 2, 1))

    assert report.target_value == pytest.approx(46_000)
    assert report.baseline_label is not None
    assert report.baseline_label.startswith("Q4 2025")
    assert "40,000" in report.baseline_label
    # Resolved to a total: 20,000 of 46,000 so far.
    assert report.actual == 20_000
    assert report.progress == pytest.approx(20_000 / 46_000)


# ---------------------------------------------------------------------------
# Roll-up: a goal over three KPIs at 50 %, 120 % and 80 %, weights 1, 1, 2.
# ---------------------------------------------------------------------------

# Each team has one revenue row in Q1 2026 against a total target of 100, and
# Q1 has ended on 1 April: progress 50 / 100, 120 / 100 and 80 / 100.
ROLL_UP_ROWS = [
    {"date": "2026-02-10", "team": "A", "revenue": 50},
    {"date": "2026-02-10", "team": "B", "revenue": 120},
    {"date": "2026-02-10", "team": "C", "revenue": 80},
]


def team_kpi(team: str, weight: float) -> KPI:
    return KPI(
        f"revenue_{team.lower()}",
        f"Revenue {team}",
        "revenue",
        Target("total", 100),
        date(2026, 1, 1),
        date(2026, 3, 31),
        team=team,
        parent="growth",
        weight=weight,
    )


def test_goal_rolls_up_weighted_capped_progress() -> None:
    kpis = (team_kpi("A", 1), team_kpi("B", 1), team_kpi("C", 2))
    definitions = Definitions(
        metrics=DEFINITIONS.metrics, goals=(Goal("growth", "Growth"),), kpis=kpis
    )
    data = rows(ROLL_UP_ROWS)
    reports = {
        item.key: evaluate_kpi(item, definitions, data, today=date(2026, 4, 1))
        for item in kpis
    }
    assert [reports[item.key].progress for item in kpis] == [
        pytest.approx(0.5),
        pytest.approx(1.2),
        pytest.approx(0.8),
    ]

    (goal,) = goal_tree(definitions, reports)

    # 120 % counts as 100 %: (1 × 0.5 + 1 × 1.0 + 2 × 0.8) / (1 + 1 + 2)
    # = 3.1 / 4 = 77.5 %; uncapped it would be 3.3 / 4 = 82.5 %.
    assert goal.progress == pytest.approx(0.775)
    # A and C ended short of 100: missed, the worst of the three.
    assert goal.status == "missed"


# ---------------------------------------------------------------------------
# Like for like: on 15 March, March 1-15 against February 1-15.
# ---------------------------------------------------------------------------

# February 1-15: 1,000 + 1,500 = 2,500; all of February: 2,500 + 2,700 = 5,200.
# March 1-15: 1,000 + 2,000 = 3,000; 16 March lies after today.
LIKE_ROWS = [
    {"date": "2026-02-01", "sessions": 1_000},
    {"date": "2026-02-15", "sessions": 1_500},
    {"date": "2026-02-16", "sessions": 2_700},
    {"date": "2026-03-01", "sessions": 1_000},
    {"date": "2026-03-15", "sessions": 2_000},
    {"date": "2026-03-16", "sessions": 9_999},
]


def test_like_for_like_compares_the_same_days() -> None:
    data = rows(LIKE_ROWS)

    delta = like_for_like(DEFINITIONS, "sessions", data, today=date(2026, 3, 15))

    # 3,000 - 2,500 = +500; 500 / 2,500 = +20.0 %.
    assert (delta.current, delta.previous) == (3_000, 2_500)
    assert delta.absolute == 500
    assert delta.percent == pytest.approx(0.20)
    # Against all of February: 3,000 - 5,200 = -2,200, the wrong headline.
    february = metric_value(
        DEFINITIONS, "sessions", data, start=date(2026, 2, 1), end=date(2026, 2, 28)
    )
    assert february == 5_200
    assert delta.absolute != 3_000 - february
