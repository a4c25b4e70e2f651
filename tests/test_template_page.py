"""The Templates tab of Metrics & KPIs: apply a template to the sample workspace.

Expected targets are recomputed with pandas over the sample's generated rows
(the same rows the app imports on its first start), never read from the app.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from kpi.model import ColumnMapping
from kpi.sample import sample_frames
from kpi.store import Store
from tests.conftest import APP_TODAY
from tests.test_journey import by_label
from tests.test_pages import open_app

EDITOR = "pages/definitions.py"
SAMPLE_KPIS = 17  # the KPIs in data/sample/goalpost.yaml


def three_figures(value: float) -> float:
    exact = Decimal(str(value))
    step = Decimal(1).scaleb(exact.adjusted() - 2)
    return float(exact.quantize(step, ROUND_HALF_UP))


def test_sales_template_adds_kpis_seen_on_the_overview(app_env):
    app = open_app(EDITOR)

    by_label(app.selectbox, "Template").set_value("sales").run()
    # The sample's sales sheet fills the most columns, so it is offered first;
    # the time frame defaults to the quarter of today (2026-04-30).
    assert by_label(app.selectbox, "Apply to dataset").value == "sales"
    assert by_label(app.text_input, "Time frame").value == "2026-Q2"
    assert by_label(app.selectbox, "Calls (optional)").value == "calls"
    preview = next(d.value for d in app.dataframe if "SMART" in d.value.columns)
    # Each draft is explained by its SMART check: five ticks and a reason.
    assert [len(ticks.split()) for ticks in preview["SMART"]] == [5] * len(preview)
    assert all(reason.startswith("Needs") for reason in preview["realistic?"])
    by_label(app.button, "Apply template").click().run()

    assert not app.exception
    assert any("10 KPIs and 0 new metrics" in s.value for s in app.success)
    kpis = {kpi.key: kpi for kpi in Store(app_env).definitions().kpis}
    assert len(kpis) == SAMPLE_KPIS + 10
    # Revenue: Q1 2026 as a whole, +10 %, for the one quarter of the frame.
    raw = sample_frames(date.fromisoformat(APP_TODAY))["sales"]
    q1 = raw[(raw["date"] >= "2026-01-01") & (raw["date"] <= "2026-03-31")]
    assert kpis["revenue"].target.value == three_figures(q1["revenue"].sum() * 1.1)
    assert kpis["win_rate_sales"].target.kind == "level"

    overview = open_app()
    tree = overview.dataframe[0].value
    shown = dict(zip(tree["link"], tree["name"].str.strip("• "), strict=True))
    assert shown["kpi_detail?kpi=revenue"] == "Revenue"
    assert shown["kpi_detail?kpi=calls_each_week"] == "Calls each week"
    assert shown["kpi_detail?kpi=win_rate_sales"] == "Win rate"


def test_a_team_owns_the_support_kpis_on_its_page(app_env):
    app = open_app(EDITOR)

    by_label(app.selectbox, "Template").set_value("support").run()
    assert by_label(app.selectbox, "Apply to dataset").value == "support"
    # The sample's support sheet has no first response or CSAT column.
    assert by_label(app.selectbox, "First response minutes (optional)").value == (
        "(none)"
    )
    by_label(app.selectbox, "Owner team (drafts read its rows only)").set_value(
        "Support"
    ).run()
    by_label(app.button, "Apply template").click().run()

    added = [k for k in Store(app_env).definitions().kpis if k.key.endswith("week")]
    assert {k.team for k in added} == {"Support"}
    team = open_app("pages/team.py", team="Support")
    shown = " ".join(m.label for m in team.metric) + " ".join(
        m.value for m in team.markdown
    )
    assert "Tickets resolved each week" in shown


def test_a_time_frame_that_is_not_one_is_refused(app_env):
    app = open_app(EDITOR)

    by_label(app.text_input, "Time frame").set_value("2026-Q5").run()

    assert any('"2026-Q5" is not a time frame' in e.value for e in app.error)
    assert not any(b.label == "Apply template" for b in app.button)
    assert len(Store(app_env).definitions().kpis) == SAMPLE_KPIS


@pytest.mark.parametrize(
    ("field", "team"),
    [("marketing", "Marketing"), ("support", "Support"), ("saas", None)],
)
def test_no_draft_asks_for_more_than_the_team_has_done(app_env, field, team):
    app = open_app(EDITOR)
    by_label(app.selectbox, "Template").set_value(field).run()
    if team:
        owner = by_label(app.selectbox, "Owner team (drafts read its rows only)")
        owner.set_value(team).run()

    preview = next(d.value for d in app.dataframe if "SMART" in d.value.columns)
    # Realistic passes (within, or a stretch up to the best period) or has no
    # history to judge by; never "beyond anything seen".
    realistic = preview["realistic?"].tolist()
    assert not [r for r in realistic if "beyond anything seen" in r], realistic
    capped = preview["how it was drafted"].str.contains("set by the best")
    assert capped.any(), "the sample has drafts beyond its best period"


def test_new_metrics_show_their_filters(app_env):
    app = open_app(EDITOR)
    deals = pd.DataFrame(
        {
            "close_date": pd.to_datetime(["2026-01-10", "2026-02-12", "2026-03-03"]),
            "deal_stage": ["Won", "Lost", "Won"],
            "close_value": [1200.0, 0.0, 800.0],
        }
    )
    mapping = ColumnMapping(
        date="close_date", dimensions=("deal_stage",), numbers=("close_value",)
    )
    Store(app_env).import_rows(
        "deals", mapping, deals, file_name="deals.csv", sheet=None, content_hash="d"
    )
    app.run()
    by_label(app.selectbox, "Template").set_value("sales").run()
    by_label(app.selectbox, "Apply to dataset").set_value("deals").run()

    shown = [
        d.value["definition"].tolist()
        for d in app.dataframe
        if "definition" in d.value.columns
    ]
    assert any("count of deal_stage where deal_stage = Won" in t for t in shown), shown
