"""A goal with a metric adds up its KPIs: sums, or a ratio of sums (issue 3, item 5).

The inputs are the shared cases 21 (ratio of sums) and 22 (zero denominators),
read from ../shared/cases.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi.evaluate import evaluate_kpi
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Goal, Metric, Target
from kpi.planned_target import PlannedTarget
from kpi.rollup import goal_tree

CASES = Path(__file__).parents[2] / "shared" / "cases"
METRICS = (
    Metric("spend", "Spend", "data", "spend", unit="currency", direction="lower"),
    Metric("leads", "Leads", "data", "leads"),
    Metric(
        "cost_per_lead",
        "Cost per lead",
        formula="spend / leads",
        unit="currency",
        direction="lower",
    ),
)
MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("spend", "leads"), team="team"
)


def case(name: str, file: str) -> pd.DataFrame:
    path = CASES / name / file
    if not path.is_file():
        pytest.skip(f"{path} is missing: the shared cases sit beside the checkout")
    return pd.read_csv(path)


def rows(frame: pd.DataFrame) -> dict[str, Rows]:
    data = frame.assign(
        date=frame["date"].astype("datetime64[ns]"),
        team=frame["team"].astype("string"),
        spend=frame["spend"].astype(float),
        leads=frame["leads"].astype(float),
    )
    return {"data": Rows(MAPPING, data[["date", "team", "spend", "leads"]])}


def tree_of(definitions: Definitions, data: dict[str, Rows], today: date):
    reports = {
        kpi.key: evaluate_kpi(kpi, definitions, data, today=today)
        for kpi in definitions.kpis
    }
    (root,) = goal_tree(definitions, reports)
    return root


def test_case_22_additive_parent_sums_actuals_and_planned_targets() -> None:
    raw = case("22-zero-denominators", "monthly.csv")
    frame = raw.assign(date=pd.to_datetime(raw["month"] + "-01"))
    # The monthly targets go into the target table, one line per team and month.
    plan = tuple(
        PlannedTarget(
            "leads",
            first.date(),
            (first + pd.offsets.MonthEnd(0)).date(),
            float(target),
            team=team,
        )
        for team, first, target in zip(
            raw["team"],
            pd.to_datetime(raw["month"] + "-01"),
            raw["target_leads"],
            strict=True,
        )
    )
    kpis = tuple(
        KPI(
            f"leads_{team}",
            f"{team} leads",
            "leads",
            Target("total", 1, from_plan=True),
            date(2025, 1, 1),
            date(2025, 2, 28),
            team=team,
            parent="all",
        )
        for team in ("Web", "Partners")
    )
    definitions = Definitions(
        metrics=METRICS,
        goals=(Goal("all", "All teams' leads", metric="leads"),),
        kpis=kpis,
        targets=plan,
    )
    root = tree_of(definitions, rows(frame), date(2025, 3, 1))

    web, partners = (child.report for child in root.children)
    # Web: 0 + 10 leads against 10 + 10; Partners: 0 + 0 against 5 + 0.
    assert (web.actual, web.target_value) == (10, 20)
    assert (partners.actual, partners.target_value) == (0, 5)
    # All teams: 10 / (20 + 5) = 40.0 %, not the mean of 50 % and 0 %.
    assert (root.summed.actual, root.summed.target) == (10, 25)
    assert root.progress == pytest.approx(0.40)
    assert root.status == "missed"
    assert "the sum of 2 KPIs" in root.summed.explanation


def test_case_21_ratio_parent_recomputes_from_summed_parts() -> None:
    raw = case("21-ratio-of-sums", "weekly_team.csv")
    # Each week's row is dated on its ISO Monday.
    frame = raw.assign(date=pd.to_datetime(raw["week"] + "-1", format="%G-W%V-%u"))
    kpis = tuple(
        KPI(
            f"cpl_{team}",
            f"{team} cost per lead",
            "cost_per_lead",
            Target("level", 25, "month", baseline=40),
            date(2025, 3, 3),
            date(2025, 3, 16),
            team=team,
            parent="cpl",
        )
        for team in ("North", "South")
    )
    definitions = Definitions(
        metrics=METRICS,
        goals=(Goal("cpl", "Cost per lead", metric="cost_per_lead"),),
        kpis=kpis,
    )
    root = tree_of(definitions, rows(frame), date(2025, 3, 20))

    north, south = (child.report for child in root.children)
    # North 1,100 / 51 = 21.57; South 3,500 / 140 = 25.00.
    assert north.actual == pytest.approx(1100 / 51)
    assert south.actual == pytest.approx(25.0)
    assert north.parts == {"spend": 1100, "leads": 51}
    # All: 4,600 / 191 = 24.08, not (21.57 + 25.00) / 2 = 23.28.
    assert root.summed.actual == pytest.approx(4600 / 191)
    assert round(root.summed.actual, 2) == 24.08
    # Both children aim at 25, so that is the parent's target; never summed.
    assert root.summed.target == 25
    # Progress stays the weighted roll-up: North met 25 from 40 (capped at
    # 100 %), South too (25.00 <= 25) -> 100 %.
    assert root.progress == pytest.approx(1.0)


def test_kpis_of_another_metric_are_left_out_and_named() -> None:
    frame = pd.DataFrame(
        {"date": ["2025-01-10"], "team": ["Web"], "spend": [100.0], "leads": [4.0]}
    )
    kpis = (
        KPI(
            "l",
            "Web leads",
            "leads",
            Target("total", 8),
            date(2025, 1, 1),
            date(2025, 1, 31),
            team="Web",
            parent="g",
        ),
        KPI(
            "s",
            "Web spend",
            "spend",
            Target("total", 500),
            date(2025, 1, 1),
            date(2025, 1, 31),
            team="Web",
            parent="g",
        ),
    )
    definitions = Definitions(
        metrics=METRICS, goals=(Goal("g", "Leads", metric="leads"),), kpis=kpis
    )
    root = tree_of(definitions, rows(frame), date(2025, 1, 31))
    # Only the leads KPI counts: 4 of 8.
    assert (root.summed.actual, root.summed.target) == (4, 8)
    assert "Left out: Web spend (measures another metric)" in root.summed.explanation


def north_and_south_on_10_january(at_risk_pace: float | None):
    """North 30 of 93 and South 5 of 62 leads in January 2026, under one goal
    that adds up leads, judged on the 10th; both KPIs keep ``at_risk_pace``."""
    frame = pd.DataFrame(
        {
            "date": ["2026-01-05", "2026-01-06"],
            "team": ["North", "South"],
            "spend": [0.0, 0.0],
            "leads": [30.0, 5.0],
        }
    )
    kpis = tuple(
        KPI(
            f"k_{team}",
            team,
            "leads",
            Target("total", target),
            date(2026, 1, 1),
            date(2026, 1, 31),
            team=team,
            parent="g",
            at_risk_pace=at_risk_pace,
        )
        for team, target in (("North", 93), ("South", 62))
    )
    definitions = Definitions(
        metrics=METRICS, goals=(Goal("g", "Leads", metric="leads"),), kpis=kpis
    )
    return tree_of(definitions, rows(frame), date(2026, 1, 10))


def test_a_running_additive_parent_is_judged_on_summed_pace() -> None:
    # January 2026, today the 10th (10 of 31 days): North 30 of 93 expected
    # 30, South 5 of 62 expected 20. Sums: 35 of 155, expected 50, pace 70 %
    # -> off track (below 90 %), though North alone is on track.
    root = north_and_south_on_10_january(at_risk_pace=None)
    assert root.summed.expected == pytest.approx(50)
    assert root.summed.pace == pytest.approx(0.70)
    assert root.progress == pytest.approx(35 / 155)
    assert root.status == "off track"


def test_a_summed_goal_uses_the_band_its_kpis_keep() -> None:
    # The same 70 % pace as above, judged with the band both KPIs keep (0.6):
    # at risk, although the workspace's 0.9 would say off track.
    root = north_and_south_on_10_january(at_risk_pace=0.6)
    assert root.summed.pace == pytest.approx(0.70)
    assert root.status == "at risk"


def test_a_person_inside_a_summed_team_is_not_counted_twice() -> None:
    # Sales East 300 (of which Maya 120) and Sales West 200: the goal adds the
    # two teams, 500, not 620; Maya's KPI is named as left out.
    frame = pd.DataFrame(
        {
            "date": ["2026-01-05", "2026-01-05", "2026-01-06"],
            "team": ["East", "East", "West"],
            "person": ["Maya", "Tom", "Ann"],
            "spend": [0.0, 0.0, 0.0],
            "leads": [120.0, 180.0, 200.0],
        }
    )
    mapping = ColumnMapping(
        date="date",
        dimensions=("team", "person"),
        numbers=("spend", "leads"),
        team="team",
        person="person",
    )
    data = frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"))
    data = data.astype({"team": "string", "person": "string"})
    owners = (("East", None, 400), ("East", "Maya", 150), ("West", None, 300))
    kpis = tuple(
        KPI(
            f"k{i}",
            f"{team} {person or ''}".strip(),
            "leads",
            Target("total", goal),
            date(2026, 1, 1),
            date(2026, 1, 31),
            team=team,
            person=person,
            parent="g",
        )
        for i, (team, person, goal) in enumerate(owners)
    )
    definitions = Definitions(
        metrics=METRICS, goals=(Goal("g", "Leads", metric="leads"),), kpis=kpis
    )
    root = tree_of(definitions, {"data": Rows(mapping, data)}, date(2026, 1, 31))
    assert (root.summed.actual, root.summed.target) == (500, 700)
    assert "East Maya (already counted in East)" in root.summed.explanation


def test_only_totals_add_up_and_one_kpi_per_owner() -> None:
    # Web has a yearly total (4 of 8) and a monthly level on the same leads:
    # adding the level would count January twice, so only the total counts;
    # a second total for Web is left out too.
    frame = pd.DataFrame(
        {"date": ["2025-01-10"], "team": ["Web"], "spend": [0.0], "leads": [4.0]}
    )
    january = (date(2025, 1, 1), date(2025, 1, 31))
    kpis = (
        KPI(
            "t",
            "Web total",
            "leads",
            Target("total", 8),
            *january,
            team="Web",
            parent="g",
        ),
        KPI(
            "m",
            "Web monthly",
            "leads",
            Target("level", 5, "month", baseline=1),
            *january,
            team="Web",
            parent="g",
        ),
        KPI(
            "t2",
            "Web total again",
            "leads",
            Target("total", 6),
            *january,
            team="Web",
            parent="g",
        ),
    )
    definitions = Definitions(
        metrics=METRICS, goals=(Goal("g", "Leads", metric="leads"),), kpis=kpis
    )
    root = tree_of(definitions, rows(frame), date(2025, 1, 31))
    assert (root.summed.actual, root.summed.target) == (4, 8)
    text = root.summed.explanation
    assert "the sum of 1 KPI:" in text
    assert "Web monthly (not a total)" in text
    assert "Web total again (same owner as Web total)" in text
