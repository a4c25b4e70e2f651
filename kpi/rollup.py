"""The goal tree: goals, the KPIs under them, and the roll-up (DESIGN.md rule 5).

Company goal -> department objective -> team KPI -> individual KPI. A goal
without a metric of its own shows the weighted mean of its children's
progress and warns with its worst child's status. A goal with a metric adds
up the KPIs under it that measure that metric (``kpi.rollup_sums``): sums for
an additive metric, a ratio recomputed from summed parts for a ratio. A KPI
keeps its own figures even when other KPIs sit under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kpi.errors import DefinitionError
from kpi.evaluate import KpiReport
from kpi.model import KPI, STATUS_SEVERITY, Definitions, Goal
from kpi.rollup_sums import Summed, summed_figures


@dataclass(frozen=True)
class GoalNode:
    """One node of the tree: a goal (rolled up) or a KPI (its own report)."""

    key: str
    name: str
    kind: str
    weight: float
    progress: float | None
    status: str
    children: tuple[GoalNode, ...]
    report: KpiReport | None
    summed: Summed | None = None


def goal_tree(
    definitions: Definitions,
    reports: Mapping[str, KpiReport],
    *,
    at_risk_pace: float = 0.9,
) -> list[GoalNode]:
    """The roots of the goal tree: top goals first, then KPIs under no goal.

    A goal or KPI is a root when it has no parent, or when its parent is not
    in ``definitions`` (hidden from this viewer; ``kpi.definition_checks``
    reports a parent that does not exist). Children keep the order of
    ``definitions``, goals before KPIs. A KPI without a report in ``reports``
    (out of the viewer's scope) is left out, with the KPIs under it. Raises
    ``DefinitionError`` with reason ``duplicate_key`` or ``goal_cycle``.
    """
    keys = _check_tree(definitions)
    tree = _Tree(definitions, reports, at_risk_pace)
    goals = [tree.goal(goal) for goal in definitions.goals if goal.parent not in keys]
    kpis = [
        tree.kpi(kpi)
        for kpi in definitions.kpis
        if kpi.parent not in keys and kpi.key in reports
    ]
    return goals + kpis


@dataclass(frozen=True)
class _Tree:
    definitions: Definitions
    reports: Mapping[str, KpiReport]
    at_risk_pace: float

    def goal(self, goal: Goal) -> GoalNode:
        """A goal with its subtree; progress and status roll up from the children."""
        children = self.children(goal.key)
        progress = rolled_up_progress(children)
        status = worst_status(child.status for child in children)
        summed = self.summed(goal, children)
        if summed is not None:
            progress = summed.progress if summed.progress is not None else progress
            status = summed.status or status
        return GoalNode(
            goal.key,
            goal.name,
            "goal",
            goal.weight,
            progress,
            status,
            children,
            None,
            summed,
        )

    def kpi(self, kpi: KPI) -> GoalNode:
        """A KPI with the KPIs under it; its own report gives progress and status."""
        report = self.reports[kpi.key]
        return GoalNode(
            kpi.key,
            kpi.name,
            "kpi",
            kpi.weight,
            report.progress,
            report.status,
            self.children(kpi.key),
            report,
        )

    def children(self, key: str) -> tuple[GoalNode, ...]:
        goals = [self.goal(g) for g in self.definitions.goals if g.parent == key]
        kpis = [
            self.kpi(k)
            for k in self.definitions.kpis
            if k.parent == key and k.key in self.reports
        ]
        return tuple(goals + kpis)

    def summed(self, goal: Goal, children: tuple[GoalNode, ...]) -> Summed | None:
        if goal.metric is None:
            return None
        metric = self.definitions.find_metric(goal.metric)
        if metric is None:
            return None
        reports = [child.report for child in children if child.report is not None]
        return summed_figures(
            metric, self.definitions, reports, at_risk_pace=self.at_risk_pace
        )


def rolled_up_progress(children: tuple[GoalNode, ...] | list[GoalNode]) -> float | None:
    """Weighted mean of the children's progress, each held within 0..100 %.

    Children without progress are left out of the mean; None when none has
    any (or their weights add up to 0). Children at 50 %, 120 % and 80 % with
    weights 1, 1 and 2: (0.5 + 1.0 + 1.6) / 4 = 77.5 %.
    """
    counted = [child for child in children if child.progress is not None]
    total_weight = sum(child.weight for child in counted)
    if not counted or total_weight <= 0:
        return None
    weighted = sum(child.weight * _capped(child.progress) for child in counted)
    return weighted / total_weight


def worst_status(statuses: Iterable[str]) -> str:
    """The most severe status by ``STATUS_SEVERITY``; "no data" for none at all."""
    ranked = [STATUS_SEVERITY.index(status) for status in statuses]
    return STATUS_SEVERITY[min(ranked)] if ranked else "no data"


def _capped(progress: float | None) -> float:
    return min(max(progress or 0.0, 0.0), 1.0)


def _check_tree(definitions: Definitions) -> set[str]:
    parents: dict[str, str | None] = {}
    items: tuple[Goal | KPI, ...] = (*definitions.goals, *definitions.kpis)
    for item in items:
        if item.key in parents:
            raise DefinitionError(
                "duplicate_key",
                f'Two goals or KPIs share the key "{item.key}". Give each its own key.',
                subject=item.key,
            )
        parents[item.key] = item.parent
    for key in parents:
        _refuse_cycle(key, parents)
    return set(parents)


def _refuse_cycle(key: str, parents: Mapping[str, str | None]) -> None:
    trail = [key]
    parent = parents[key]
    while parent is not None:
        if parent in trail:
            path = " -> ".join([*trail[trail.index(parent) :], parent])
            raise DefinitionError(
                "goal_cycle",
                f'"{parent}" sits under itself ({path}). Change the parent of one '
                "of them so the goal tree has a top.",
                subject=parent,
            )
        trail.append(parent)
        parent = parents.get(parent)
