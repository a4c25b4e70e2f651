"""The SMART check on the pages: live in the KPI editor, compact on the KPI page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.sample import sample_frames
from kpi.store import Store
from tests.conftest import APP_TODAY
from tests.test_journey import by_label
from tests.test_pages import open_app

EDITOR = "pages/definitions.py"
TARGET_LABEL = "Target value (a change as a fraction: 0.15 for +15 %)"


@pytest.fixture(scope="module")
def luis_best_week() -> float:
    """Luis Ortega's most calls in a whole Monday-Sunday week before 2026.

    Worked from the sample's raw rows with pandas alone: the rows start on
    Wednesday 2024-05-01, so the first whole week starts Monday 2024-05-06;
    the last whole week before 2026 ends Sunday 2025-12-28.
    """
    sales = sample_frames(date.fromisoformat(APP_TODAY))["sales"]
    days = pd.to_datetime(sales["date"])
    mine = sales[(sales["person"] == "Luis Ortega") & (days >= "2024-05-06")]
    mine = mine[pd.to_datetime(mine["date"]) <= "2025-12-28"]
    weekly = mine.set_index(pd.to_datetime(mine["date"]))["calls"].resample("W-SUN")
    return float(weekly.sum().max())


def lines(app) -> str:
    return "\n".join(m.value for m in app.markdown)


def draft_calls_kpi(app, calls_a_week: float):
    """A new KPI: Luis Ortega's calls every week of 2026, as typed (not saved)."""
    by_label(app.text_input, "Name").set_value("Luis calls a lot")
    by_label(app.selectbox, "Metric").set_value("calls")
    by_label(app.selectbox, "Target kind").set_value("per_period")
    by_label(app.number_input, TARGET_LABEL).set_value(calls_a_week)
    by_label(app.selectbox, "Period (per_period and level)").set_value("week")
    by_label(app.text_input, "Owner team").set_value("Sales West")
    by_label(app.text_input, "Owner person (optional)").set_value("Luis Ortega")
    return app.run()


def test_a_saved_kpi_shows_its_five_ticks_with_reasons(app_env):
    app = open_app(EDITOR)

    by_label(app.selectbox, "Edit KPI").set_value("revenue_this_year").run()

    shown = lines(app)
    # The sample's company-wide revenue KPI has no owner.
    assert "✗ **Assignable** · no owner] — Nobody owns it." in shown
    assert "✓ **Time-bound** · time-bound] — Starts 2026-01-01 and ends " in shown
    assert "✓ **Specific** · specific] — Revenue for everyone: +20.0 % over 2025" in (
        shown
    )
    for name in ("Specific", "Measurable", "Assignable", "Realistic", "Time-bound"):
        assert f"**{name}**" in shown
    assert any("SMART checks: Assignable" in w.value for w in app.warning)


def test_the_ticks_follow_the_draft_before_it_is_saved(app_env, luis_best_week):
    app = open_app(EDITOR)

    draft_calls_kpi(app, 1.0)
    assert "✓ **Realistic** · within what has been done] — Needs at least 1 a week" in (
        lines(app)
    )

    # A week beyond his best ever: the same tick turns at once.
    by_label(app.number_input, TARGET_LABEL).set_value(luis_best_week + 1).run()
    shown = lines(app)
    assert "✗ **Realistic** · beyond anything seen]" in shown
    assert f"the best ever {luis_best_week:,.0f} (" in shown
    assert "Luis calls a lot" not in {k.name for k in Store(app_env).definitions().kpis}


def test_a_kpi_failing_a_check_is_saved_and_the_failure_stays(app_env, luis_best_week):
    app = open_app(EDITOR)
    draft_calls_kpi(app, luis_best_week + 1)

    by_label(app.button, "Save KPI").click().run()

    saved = {k.key: k for k in Store(app_env).definitions().kpis}
    assert saved["luis_calls_a_lot"].target.value == luis_best_week + 1
    assert any(s.value == "Saved." for s in app.success)
    # The editor reopens the saved KPI with its failed tick still in view.
    assert by_label(app.selectbox, "Edit KPI").value == "luis_calls_a_lot"
    assert "✗ **Realistic** · beyond anything seen]" in lines(app)
    assert any("Fails 1 of 5 SMART checks: Realistic." in w.value for w in app.warning)


def test_the_kpi_page_shows_the_ticks_compactly(app_env):
    app = open_app("pages/kpi_detail.py", kpi="revenue_this_year")

    assert not app.exception, [e.value for e in app.exception]
    compact = next(m.value for m in app.markdown if m.value.startswith("**SMART**"))
    assert ":red[✗ Assignable]" in compact and ":green[✓ Time-bound]" in compact
    captions = [c.value for c in app.caption]
    assert any(c.startswith("Assignable, no owner: Nobody owns it.") for c in captions)
