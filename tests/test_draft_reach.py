"""Template drafts brought back within what the team has done."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.draft_reach import within_reach
from kpi.metrics import Rows
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target
from kpi.settings import WorkspaceSettings
from kpi.templates import DraftTarget, TemplatePlan

MAPPING = ColumnMapping(
    date="date", dimensions=("team",), numbers=("tickets", "hours"), team="team"
)
TICKETS = Metric("tickets", "Tickets", "support", "tickets")
HOURS = Metric(
    "hours", "Hours", "support", "hours", "mean", unit="duration", direction="lower"
)
# Ten Monday-to-Sunday weeks from 5 January 2026: 10, 20, ... 100 tickets,
# and resolution hours 9 down to 5.4 (0.4 better each week).
WEEKS = pd.date_range("2026-01-05", periods=10, freq="7D")
ROWS = {
    "support": Rows(
        MAPPING,
        pd.DataFrame(
            {
                "date": WEEKS,
                "team": "Support",
                "tickets": [10.0 * (i + 1) for i in range(10)],
                "hours": [9 - 0.4 * i for i in range(10)],
            }
        ),
    )
}
# Four whole weeks after the history; judged on the first of them.
FRAME = (date(2026, 3, 16), date(2026, 4, 12))
TODAY = date(2026, 3, 16)


def plan_of(metric: str, target: Target) -> TemplatePlan:
    kpi = KPI("k", "A KPI", metric, target, *FRAME, team="Support")
    draft = DraftTarget("k", target.value, target.value, 0.0, *FRAME, 4, "Drafted.")
    return TemplatePlan(metrics=(), kpis=(kpi,), drafts=(draft,))


def reached(metric: str, target: Target) -> tuple[float, str]:
    definitions = Definitions(metrics=(TICKETS, HOURS))
    plan = within_reach(
        plan_of(metric, target), definitions, ROWS, TODAY, WorkspaceSettings()
    )
    return plan.kpis[0].target.value, plan.drafts[0].explanation


@pytest.mark.parametrize(
    ("metric", "target", "expected"),
    [
        # 120 a week where the best week gave 100: the best week.
        ("tickets", Target("per_period", 120, period="week"), 100),
        # 480 over 4 weeks needs 120 a week: 480 x 100 / 120 = 400.
        ("tickets", Target("total", 480), 400),
        # 90 a week was done (within): left alone.
        ("tickets", Target("per_period", 90, period="week"), 90),
        # Lower is better: 4.8 h where the best week was 5.4 h: 5.4.
        ("hours", Target("level", 4.8, period="week"), 5.4),
    ],
)
def test_a_draft_beyond_anything_seen_becomes_the_best_period(
    metric, target, expected
) -> None:
    value, explanation = reached(metric, target)

    assert value == pytest.approx(expected)
    if value != target.value:
        assert "set by the best week seen" in explanation
    else:
        assert explanation == "Drafted."
