"""Whether a set of definitions fits together, as a list of readable problems.

Reading a definitions file (``kpi.definitions``) checks its shape; this module
checks what only the whole set can tell: names that are defined twice, KPIs
whose metric or parent does not exist, formulas that cannot be read or that
go round in a circle, and values outside the words of DESIGN.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from kpi.errors import DefinitionError
from kpi.metrics import validate_metric
from kpi.model import (
    KPI,
    PERIODS,
    TARGET_KINDS,
    ColumnMapping,
    Definitions,
    Goal,
    Metric,
)

# A change of more than 1000 % is almost surely "15" typed for 15 %.
_LARGEST_CHANGE = 10.0


def validate_definitions(
    definitions: Definitions, mappings: Mapping[str, ColumnMapping] | None = None
) -> list[str]:
    """Every problem that keeps the definitions from working; [] when sound.

    Metrics are checked by ``kpi.metrics.validate_metric``: with ``mappings``
    (dataset name -> column mapping) also every column a base metric reads.

    Each problem names the entry (``kpis "blog_posts_q1"``), the field, and
    what to do, e.g. ``kpis "cpl": metric "cost_per_led" is not defined. Add
    it under metrics, or use one of the defined metrics.``
    """
    problems = _duplicates(definitions)
    directions = {metric.name: metric.direction for metric in definitions.metrics}
    goal_keys = {goal.key for goal in definitions.goals}

    for metric in definitions.metrics:
        problems += _metric_problems(definitions, metric, mappings)
    for goal in definitions.goals:
        problems += _goal_problems(goal, goal_keys)
        problems += _unknown_metric(f'goals "{goal.key}"', goal.metric, directions)
    problems += _goal_cycles(definitions.goals)
    for kpi in definitions.kpis:
        problems += _kpi_problems(kpi, directions, goal_keys)
    problems += _target_line_problems(definitions, directions)
    return problems


def _target_line_problems(
    definitions: Definitions, directions: Mapping[str, str]
) -> list[str]:
    """Target-table lines: a known metric, dates in order, no value below 0,
    and no two lines of one metric and owner covering the same day."""
    problems = []
    for row in definitions.targets:
        where = f'targets "{row.metric}" from {row.start}'
        problems += _unknown_metric(where, row.metric, directions)
        if row.end < row.start:
            problems.append(
                f"{where}: it ends ({row.end}) before it starts. Swap the dates."
            )
        if row.value < 0:
            problems.append(
                f"{where}: the value {row.value:g} is below 0. Use 0 or more."
            )
    lines = sorted(
        definitions.targets,
        key=lambda row: (row.metric, row.team or "", row.person or "", row.start),
    )
    for earlier, later in zip(lines, lines[1:], strict=False):
        same = (earlier.metric, earlier.team, earlier.person) == (
            later.metric,
            later.team,
            later.person,
        )
        if same and later.start <= earlier.end:
            owner = (
                " · ".join(p for p in (later.team, later.person) if p) or "the company"
            )
            problems.append(
                f'targets "{later.metric}" for {owner}: the lines from '
                f"{earlier.start} to {earlier.end} and from {later.start} to "
                f"{later.end} cover the same days. Keep one line per day: delete "
                "or shorten one of them."
            )
    return problems


def _unknown_metric(
    where: str, metric: str | None, directions: Mapping[str, str]
) -> list[str]:
    if metric is None or metric in directions:
        return []
    return [
        f'{where}: metric "{metric}" is not defined. Add it under metrics, '
        "or use one of the defined metrics."
    ]


def _duplicates(definitions: Definitions) -> list[str]:
    named = (
        ("metrics", "name", [metric.name for metric in definitions.metrics]),
        ("goals", "key", [goal.key for goal in definitions.goals]),
        ("kpis", "key", [kpi.key for kpi in definitions.kpis]),
    )
    problems = []
    for section, field, names in named:
        for name, count in Counter(names).items():
            if count > 1:
                problems.append(
                    f'{section}: {field} "{name}" is used {count} times. '
                    f"Give each entry its own {field}."
                )
    return problems


def _metric_problems(
    definitions: Definitions,
    metric: Metric,
    mappings: Mapping[str, ColumnMapping] | None,
) -> list[str]:
    where = f'metrics "{metric.name}"'
    if metric.is_derived and (metric.dataset or metric.column):
        return [f"{where}: give either a formula or a dataset and column, not both."]
    try:
        validate_metric(definitions, metric, mappings)
    except DefinitionError as problem:
        return [f"{where}: {problem.message}"]
    return []


def _goal_problems(goal: Goal, goal_keys: set[str]) -> list[str]:
    where = f'goals "{goal.key}"'
    problems = []
    if goal.parent is not None and goal.parent not in goal_keys:
        problems.append(
            f'{where}: parent "{goal.parent}" is not a defined goal. Add it under '
            "goals, or fix the parent."
        )
    if goal.weight < 0:
        problems.append(f"{where}: weight {goal.weight:g} is negative. Use 0 or more.")
    return problems


def _goal_cycles(goals: Iterable[Goal]) -> list[str]:
    parents = {goal.key: {goal.parent} if goal.parent else set() for goal in goals}
    return [
        f'goals "{key}": it is its own ancestor ({" → ".join(path)}). '
        "Point one of these goals at a different parent."
        for key, path in _cycles(parents)
    ]


def _kpi_problems(
    kpi: KPI, directions: Mapping[str, str], goal_keys: set[str]
) -> list[str]:
    where = f'kpis "{kpi.key}"'
    problems = []
    if kpi.metric not in directions:
        problems.append(
            f'{where}: metric "{kpi.metric}" is not defined. Add it under metrics, '
            "or use one of the defined metrics."
        )
    if kpi.parent is not None and kpi.parent not in goal_keys:
        problems.append(
            f'{where}: parent "{kpi.parent}" is not a defined goal. Add it under '
            "goals, or fix the parent."
        )
    if kpi.end < kpi.start:
        problems.append(
            f"{where}: the time frame ends ({kpi.end}) before it starts "
            f"({kpi.start}). Swap the dates."
        )
    if kpi.weight < 0:
        problems.append(f"{where}: weight {kpi.weight:g} is negative. Use 0 or more.")
    if kpi.at_risk_pace is not None and not 0 < kpi.at_risk_pace <= 1:
        problems.append(
            f"{where}: at_risk_pace {kpi.at_risk_pace:g} is outside 0-1. Use a "
            "fraction such as 0.9 (a pace of 90 % or more is at risk)."
        )
    problems += _baseline_problems(where, kpi, directions.get(kpi.metric))
    return problems + _target_problems(where, kpi)


def _baseline_problems(where: str, kpi: KPI, direction: str | None) -> list[str]:
    """A level baseline must lie on the far side of the target from "better".

    Resolution time from 12 h down to 3 h: a baseline of 0 h would count any
    value above 3 h as more than done.
    """
    target = kpi.target
    if target.kind != "level" or target.baseline is None or direction is None:
        return []
    if direction == "lower" and target.baseline <= target.value:
        side = "above"
    elif direction == "higher" and target.baseline >= target.value:
        side = "below"
    else:
        return []
    return [
        f"{where}, target: baseline {target.baseline:g} must be {side} the target "
        f"{target.value:g}, because {direction} is better for {kpi.metric}. Use "
        "the value the team starts from, or leave the baseline empty."
    ]


def _target_problems(where: str, kpi: KPI) -> list[str]:
    target = kpi.target
    where = f"{where}, target"
    problems = _choice_problems(
        where,
        (
            ("kind", target.kind, TARGET_KINDS),
            ("resolves_to", target.resolves_to, ("total", "level")),
        ),
    )
    if target.period is not None:
        problems += _choice_problems(where, (("period", target.period, PERIODS),))
    elif target.kind == "per_period":
        problems.append(
            f'{where}: a per_period target needs "period" (week, month, ...): '
            "the bucket that must reach the value on its own."
        )
    if target.kind in ("total", "per_period") and target.value == 0:
        problems.append(
            f"{where}: a {target.kind} target of 0 cannot show progress. Set the "
            "amount to reach, or use a level target for a value to stay under."
        )
    if target.kind == "change":
        problems += _change_problems(where, kpi)
    return problems


def _change_problems(where: str, kpi: KPI) -> list[str]:
    target = kpi.target
    first, last = target.baseline_start, target.baseline_end
    if first is None or last is None:
        return [
            f'{where}: a change target needs "baseline_period" (such as 2025-Q4), '
            "the period the change is measured against."
        ]
    problems = []
    if last < first:
        problems.append(
            f"{where}: the baseline ends ({last}) before it starts ({first}). "
            "Swap the dates."
        )
    if abs(target.value) > _LARGEST_CHANGE:
        problems.append(
            f"{where}: a change of {target.value:g} means {target.value:.0%}. "
            "Write the change as a fraction: 0.15 for +15 %."
        )
    return problems


def _choice_problems(
    where: str, choices: Iterable[tuple[str, str, tuple[str, ...]]]
) -> list[str]:
    return [
        f'{where}: {field} "{value}" is not known. Use one of: {", ".join(allowed)}.'
        for field, value, allowed in choices
        if value not in allowed
    ]


def _cycles(edges: dict[str, set[str]]) -> list[tuple[str, list[str]]]:
    """Each node that can reach itself, with one path that shows how.

    ``{"a": {"b"}, "b": {"a"}}`` gives ``[("a", ["a", "b", "a"]),
    ("b", ["b", "a", "b"])]``.
    """
    found = []
    for start in edges:
        path = _path_back(start, edges)
        if path is not None:
            found.append((start, path))
    return found


def _path_back(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for following in sorted(edges.get(node, ())):
            if following == start:
                return [*path, start]
            if following not in seen:
                seen.add(following)
                stack.append((following, [*path, following]))
    return None


def metric_users(definitions: Definitions, name: str) -> list[tuple[str, str]]:
    """What uses metric ``name``: KPIs and goals measuring it, derived metrics
    naming it, and lines of the target table.

    A formula uses a metric only by its whole name: ``spend / leads`` uses
    ``leads`` but not ``lead``.
    """
    mention = re.compile(rf"\b{re.escape(name)}\b")
    users = [("KPI", kpi.key) for kpi in definitions.kpis if kpi.metric == name]
    users += [("goal", goal.key) for goal in definitions.goals if goal.metric == name]
    users += [
        ("metric", metric.name)
        for metric in definitions.metrics
        if metric.formula and mention.search(metric.formula)
    ]
    planned = sum(row.metric == name for row in definitions.targets)
    if planned:
        users.append(("target table", f"{planned} line(s)"))
    return users


def goal_users(definitions: Definitions, key: str) -> list[tuple[str, str]]:
    """The KPIs and goals directly under goal ``key``."""
    users = [("KPI", kpi.key) for kpi in definitions.kpis if kpi.parent == key]
    return users + [("goal", g.key) for g in definitions.goals if g.parent == key]


def name_all(users: list[tuple[str, str]]) -> str:
    """``[("KPI", "a"), ("metric", "b")]`` -> ``KPI "a" and metric "b"``."""
    names = [f'{kind} "{key}"' for kind, key in users]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
