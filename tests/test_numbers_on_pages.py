"""The numbers the Overview and Team pages show, checked against the raw sample.

The sample's sales rows are regenerated here with the same seeded generator
and the figures are worked out with plain pandas, apart from ``kpi``.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_TODAY

ROOT = Path(__file__).resolve().parents[1]
TODAY = date.fromisoformat(APP_TODAY)


def sample_sales() -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location(
        "sample_generate", ROOT / "data" / "sample" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(TODAY)["sales"]


def open_page(page: str, **query: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_overview_pace_and_needed_per_day_match_the_raw_rows(app_env) -> None:
    sales = sample_sales()
    days = pd.to_datetime(sales["date"])
    # "Revenue 20% above last year": target = 1.2 × all of 2025's revenue;
    # expected by 30 April = target × 120 / 365; pace = actual / expected;
    # still needed per day = (target - actual) / 245 days left.
    last_year = sales.loc[days.dt.year == 2025, "revenue"].sum()
    actual = sales.loc[(days >= "2026-01-01") & (days <= APP_TODAY), "revenue"].sum()
    target = 1.2 * last_year
    pace = actual / (target * 120 / 365)
    needed = (target - actual) / 245

    app = open_page("pages/overview.py")
    (board,) = [frame.value for frame in app.dataframe]
    row = board[board["name"].str.endswith("Revenue 20% above last year")].iloc[0]
    assert row["pace"] == f"{pace * 100:.1f}%"
    assert row["needed"] == f"${needed:,.0f}"
    assert row["covers"] == "Jan 1–Apr 30 2026 so far"
    # A running total KPI has a forecast with its band and a chance.
    assert "(" in row["forecast"] and row["chance"].endswith("%")


def test_the_team_card_shows_status_pace_needs_and_the_forecast(app_env) -> None:
    app = open_page("pages/team.py", team="Sales East")

    captions = " ".join(c.value for c in app.caption)
    markdown = " ".join(m.value for m in app.markdown)
    assert "Jan 1–Apr 30 2026 so far" in captions
    assert "Forecast by 2026-12-31:" in captions and "chance of reaching" in captions
    assert "Pace " in markdown and "/day (" in markdown
    assert "ISO 8601" in captions


@pytest.mark.parametrize("week_start", ["sunday"])
def test_the_team_page_says_which_week_numbering_it_uses(app_env, week_start) -> None:
    from kpi.settings import WorkspaceSettings
    from kpi.store import Store

    Store(app_env).set_setting(
        "workspace", WorkspaceSettings(week_start=week_start).to_dict()
    )
    app = open_page("pages/team.py", team="Marketing")
    assert "Sunday to Saturday" in " ".join(c.value for c in app.caption)


def test_the_sample_plan_judges_each_month_against_its_own_line(app_env) -> None:
    sales = sample_sales()
    west = sales[(sales["team"] == "Sales West") & (sales["date"] >= "2026-01-01")]
    months = west.groupby(pd.to_datetime(west["date"]).dt.month)["revenue"].sum()
    # The sample plan: January 185,000, February 180,000, March 200,000,
    # April 195,000 (data/sample/goalpost.yaml).
    plan = {1: 185_000, 2: 180_000, 3: 200_000, 4: 195_000}
    passed = sum(months[m] >= plan[m] for m in plan)

    app = open_page("pages/overview.py")
    (board,) = [frame.value for frame in app.dataframe]
    row = board[board["name"].str.endswith("Sales West meets each month's plan")]
    row = row.iloc[0]
    assert row["covers"] == "Apr 2026 (latest finished month)"
    assert row["actual"] == f"${months[4]:,.0f}"
    assert row["target"] == "$195,000"
    assert row["pace"] == f"{passed / 4 * 100:.1f}%"


def test_a_goal_that_adds_up_says_what_it_counted_and_left_out(app_env) -> None:
    from dataclasses import replace

    from kpi.store import Store

    open_page("pages/overview.py")  # loads the sample
    store = Store(app_env)
    goal = next(g for g in store.definitions().goals if g.key == "sales_west_goal")
    store.save_goal(replace(goal, metric="revenue"))

    app = open_page("pages/overview.py")
    notes = " ".join(c.value for c in app.caption)
    # Sales West revenue +20% is a total; the monthly plan KPI is not.
    assert "Sales West carries its share** adds up its KPIs:" in notes
    assert "the sum of 1 KPI" in notes
    assert "Sales West meets each month's plan (not a total)" in notes
