"""The goal tree and its roll-up (kpi/rollup.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpi.errors import DefinitionError
from kpi.evaluate import KpiReport
from kpi.model import KPI, Definitions, Goal, Metric, Target
from kpi.rollup import GoalNode, goal_tree, rolled_up_progress, worst_status

METRIC = Metric("revenue", "Revenue", "sales", "revenue")


def kpi(key: str, parent: str | None, weight: float = 1.0) -> KPI:
    return KPI(
        key,
        key.title(),
        "revenue",
        Target("total", 100),
        date(2026, 1, 1),
        date(2026, 12, 31),
        parent=parent,
        weight=weight,
    )


def report(item: KPI, progress: float | None, status: str = "on track") -> KpiReport:
    """A report with only the fields the roll-up reads filled in."""
    return KpiReport(
        kpi=item,
        metric=METRIC,
        status=status,
        outcome=None,
        actual=None,
        actual_label="",
        target_value=100.0,
        progress=progress,
        expected_to_date=None,
        pace=None,
        needed_per_day=None,
        needed_per_week=None,
        hit_rate=None,
        baseline_label=None,
        elapsed_days=0,
        total_days=365,
        series=pd.DataFrame(),
        explanation="",
    )


def tree(
    goals: list[Goal], children: list[tuple[KPI, float | None, str]]
) -> list[GoalNode]:
    definitions = Definitions(
        metrics=(METRIC,),
        goals=tuple(goals),
        kpis=tuple(item for item, _, _ in children),
    )
    reports = {
        item.key: report(item, progress, status) for item, progress, status in children
    }
    return goal_tree(definitions, reports)


def test_worked_value_weighted_mean_of_capped_progress() -> None:
    roots = tree(
        [Goal("grow", "Grow")],
        [
            (kpi("a", "grow", 1), 0.5, "at risk"),
            (kpi("b", "grow", 1), 1.2, "achieved"),
            (kpi("c", "grow", 2), 0.8, "on track"),
        ],
    )
    goal = roots[0]
    # (0.5 × 1 + min(1.2, 1) × 1 + 0.8 × 2) / (1 + 1 + 2) = 3.1 / 4 = 77.5 %.
    assert goal.progress == pytest.approx(0.775)
    assert goal.status == "at risk"
    assert goal.kind == "goal" and goal.report is None
    assert [child.key for child in goal.children] == ["a", "b", "c"]
    assert goal.children[1].progress == 1.2  # a KPI keeps its own figure


@pytest.mark.parametrize(
    ("progresses", "weights", "expected"),
    [
        ([0.5, None], [1, 5], 0.5),  # no progress: left out of the mean
        ([None, None], [1, 1], None),
        ([], [], None),
        ([0.5, 0.9], [0, 0], None),  # weights add up to 0
        ([-0.5, 1.0], [1, 1], 0.5),  # held within 0..100 %: (0 + 1) / 2
    ],
)
def test_rolled_up_progress(
    progresses: list[float | None], weights: list[float], expected: float | None
) -> None:
    children = [
        GoalNode(f"k{i}", "", "kpi", weight, progress, "on track", (), None)
        for i, (progress, weight) in enumerate(zip(progresses, weights, strict=True))
    ]
    assert rolled_up_progress(children) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["achieved", "on track"], "on track"),
        (["on track", "not started", "no data"], "no data"),
        (["at risk", "off track", "achieved"], "off track"),
        (["achieved", "missed", "off track"], "missed"),
        ([], "no data"),
    ],
)
def test_worst_status(statuses: list[str], expected: str) -> None:
    assert worst_status(statuses) == expected


def test_nested_goals_roll_up_through_every_level() -> None:
    roots = tree(
        [
            Goal("company", "Company"),
            Goal("sales", "Sales", parent="company", weight=3),
            Goal("empty", "Empty", parent="company"),
        ],
        [
            (kpi("deals", "sales"), 0.6, "at risk"),
            (kpi("direct", "company"), 1.0, "achieved"),
            (kpi("orphan", None), 0.3, "off track"),
        ],
    )
    assert [root.key for root in roots] == ["company", "orphan"]
    company = roots[0]
    assert [child.key for child in company.children] == ["sales", "empty", "direct"]
    empty = company.children[1]
    assert (empty.progress, empty.status, empty.children) == (None, "no data", ())
    # sales 0.6 × 3 and direct 1.0 × 1; "empty" has no progress: 2.8 / 4 = 0.7.
    assert company.progress == pytest.approx(0.7)
    # Children: sales "at risk", empty "no data", direct "achieved"; at risk
    # ranks worst in STATUS_SEVERITY.
    assert company.status == "at risk"


def test_a_kpi_under_a_kpi_keeps_its_own_figures() -> None:
    roots = tree(
        [Goal("g", "G")],
        [(kpi("team", "g"), 0.4, "off track"), (kpi("person", "team"), 0.9, "at risk")],
    )
    team = roots[0].children[0]
    assert (team.kind, team.progress, team.status) == ("kpi", 0.4, "off track")
    assert [child.key for child in team.children] == ["person"]
    assert roots[0].progress == pytest.approx(0.4)


def test_kpis_without_a_report_are_left_out() -> None:
    definitions = Definitions(
        metrics=(METRIC,),
        goals=(Goal("g", "G"),),
        kpis=(kpi("seen", "g"), kpi("hidden", "g")),
    )
    roots = goal_tree(definitions, {"seen": report(kpi("seen", "g"), 0.2)})
    assert [child.key for child in roots[0].children] == ["seen"]


def test_a_parent_outside_the_definitions_makes_a_root() -> None:
    definitions = Definitions(metrics=(METRIC,), kpis=(kpi("a", "elsewhere"),))
    roots = goal_tree(definitions, {"a": report(kpi("a", "elsewhere"), 0.5)})
    assert [root.key for root in roots] == ["a"]


@pytest.mark.parametrize(
    ("goals", "kpis", "reason", "message"),
    [
        (
            [Goal("a", "A", parent="b"), Goal("b", "B", parent="a")],
            [],
            "goal_cycle",
            r'"a" sits under itself \(a -> b -> a\)',
        ),
        ([Goal("a", "A", parent="a")], [], "goal_cycle", r"\(a -> a\)"),
        (
            [Goal("g", "G")],
            [kpi("x", "y"), kpi("y", "x")],
            "goal_cycle",
            "sits under itself",
        ),
        ([Goal("a", "A")], [kpi("a", None)], "duplicate_key", 'share the key "a"'),
    ],
)
def test_broken_trees_raise(
    goals: list[Goal], kpis: list[KPI], reason: str, message: str
) -> None:
    definitions = Definitions(metrics=(METRIC,), goals=tuple(goals), kpis=tuple(kpis))
    with pytest.raises(DefinitionError, match=message) as caught:
        goal_tree(definitions, {})
    assert caught.value.reason == reason
