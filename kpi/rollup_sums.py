"""A goal with a metric of its own adds up the KPIs under it (issue 3, roll-up).

- An additive metric (a sum or a count) sums its children's actuals, targets
  and expected-to-date: North 300 of 500 and South 200 of 300 make 500 of 800,
  62.5 %, never the mean of 60 % and 66.7 %. Pace and status follow from the
  sums, judged like a total target.
- A ratio (a derived metric whose base inputs all add up) is recomputed from
  the summed inputs: North spent 1,100 for 51 leads and South 3,500 for 140,
  so the parent's cost per lead is 4,600 / 191 = 24.08, not the mean of 21.57
  and 25.00. A ratio's targets are never summed: the parent shows the target
  its children share, and its progress and status stay the weighted roll-up
  of theirs (DESIGN.md rule 5).

Only KPIs that measure the goal's metric count, and a KPI whose owner sits
inside another counted KPI's owner (a person inside their team, a team inside
the whole company) is left out, so no row is counted twice; the explanation
names every KPI left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from kpi.evaluate import KpiReport
from kpi.formatting import format_fraction, format_value
from kpi.formula import parse_formula
from kpi.model import Definitions, Metric
from kpi.progress import meets, pace_ratio, safe_ratio, status_from_pace


@dataclass(frozen=True)
class Summed:
    """A metric goal's own figures; None means "no value" (shown as —)."""

    explanation: str
    actual: float | None = None
    target: float | None = None
    expected: float | None = None
    progress: float | None = None
    pace: float | None = None
    status: str | None = None
    unit: str = "number"


def summed_figures(
    metric: Metric,
    definitions: Definitions,
    reports: Sequence[KpiReport],
    *,
    at_risk_pace: float,
) -> Summed:
    """The figures of a goal measuring ``metric`` from its children's reports.

    ``status`` is None when the goal should keep the worst child's status (a
    ratio, or children that cannot be added up). Pace is judged with the
    at-risk band the children keep when they all keep the same one, else with
    ``at_risk_pace`` (the workspace's).
    """
    counted, note = _countable(metric, reports)
    if not counted:
        return Summed(
            f"No KPI under it measures {metric.label}.{note}",
        )
    # The children's own band when they share one (kept since they were saved).
    bands = {r.kpi.at_risk_pace for r in counted}
    band = bands.pop() if len(bands) == 1 else None
    if metric.is_additive:
        summed = _additive(metric, counted, band or at_risk_pace, note)
    else:
        summed = _ratio(metric, definitions, counted, note)
    return replace(summed, unit=metric.unit)


def _countable(
    metric: Metric, reports: Sequence[KpiReport]
) -> tuple[list[KpiReport], str]:
    """The children that add up, and a note naming every one left out.

    Left out: another metric; for a sum or count, a KPI that is not a total
    (a monthly level beside a yearly total would count a month twice); a
    second KPI of the same owner; an owner inside another counted owner.
    """
    counted: list[KpiReport] = []
    left_out: list[str] = []
    for report in reports:
        kind = report.kpi.target.kind
        is_total = kind == "total" or (
            kind == "change" and report.kpi.target.resolves_to == "total"
        )
        owner = (report.kpi.team, report.kpi.person)
        same = next((c for c in counted if (c.kpi.team, c.kpi.person) == owner), None)
        if report.metric.name != metric.name:
            left_out.append(f"{report.kpi.name} (measures another metric)")
        elif metric.is_additive and not is_total:
            left_out.append(f"{report.kpi.name} (not a total)")
        elif same is not None:
            left_out.append(f"{report.kpi.name} (same owner as {same.kpi.name})")
        else:
            counted.append(report)
    for report in list(counted):
        wider = _inside(report, counted)
        if wider is not None:
            counted.remove(report)
            left_out.append(f"{report.kpi.name} (already counted in {wider.kpi.name})")
    note = f" Left out: {'; '.join(left_out)}." if left_out else ""
    return counted, note


def _inside(report: KpiReport, others: Sequence[KpiReport]) -> KpiReport | None:
    """The KPI whose owner already holds this one's rows, if any: the company
    holds every team, a team holds its people (Maya Chen inside Sales East)."""
    team, person = report.kpi.team, report.kpi.person
    for other in others:
        wide_team, wide_person = other.kpi.team, other.kpi.person
        if other is report or wide_person is not None:
            continue
        if wide_team is None and (team, person) != (None, None):
            return other
        if wide_team is not None and wide_team == team and person is not None:
            return other
    return None


def _additive(
    metric: Metric, reports: Sequence[KpiReport], at_risk_pace: float, note: str
) -> Summed:
    known = [r for r in reports if r.actual is not None and r.target_value is not None]
    if not known:
        return Summed(f"No data yet.{note}")
    actual = math.fsum(r.actual or 0.0 for r in known)
    target = math.fsum(r.target_value or 0.0 for r in known)
    progress = safe_ratio(actual, target)
    unit = metric.unit
    so_far = (
        f"{format_value(actual, unit)} of {format_value(target, unit)} "
        f"({format_fraction(progress)}), the sum of {_kpis(len(known))}"
    )
    if all(r.outcome is not None for r in reports):
        met = meets(actual, target, metric.direction)
        status = "achieved" if met else "missed"
        sentence = f"{so_far}: {status}.{note}"
        return Summed(sentence, actual, target, progress=progress, status=status)

    expected_parts = [r.expected_to_date for r in known]
    if any(part is None for part in expected_parts):
        return Summed(f"{so_far}.{note}", actual, target, progress=progress)
    expected = math.fsum(part or 0.0 for part in expected_parts)
    pace = pace_ratio(actual, expected, metric.direction)
    status = "on track" if pace is None else status_from_pace(pace, at_risk_pace)
    sentence = (
        f"{so_far}; {format_value(expected, unit)} expected by now, so pace is "
        f"{format_fraction(pace)}: {status}.{note}"
    )
    return Summed(sentence, actual, target, expected, progress, pace, status)


def _ratio(
    metric: Metric, definitions: Definitions, reports: Sequence[KpiReport], note: str
) -> Summed:
    with_parts = [r for r in reports if r.parts]
    if len(with_parts) < len(reports) or not with_parts:
        return Summed(
            f"{metric.label} cannot be "
            f"recomputed from sums for every KPI under it.{note}",
        )
    sums: dict[str, float] = {}
    for report in with_parts:
        for name, value in report.parts.items():
            sums[name] = sums.get(name, 0.0) + value
    actual = value_from_parts(definitions, metric.name, sums)
    targets = {r.target_value for r in reports}
    target = targets.pop() if len(targets) == 1 else None
    shown = ", ".join(
        f"{name} {format_value(v, 'number')}" for name, v in sorted(sums.items())
    )
    sentence = (
        f"{format_value(actual, metric.unit)}, recomputed from the summed {shown} "
        f"of {_kpis(len(with_parts))}.{note}"
    )
    return Summed(sentence, actual, target)


def _kpis(count: int) -> str:
    return "1 KPI" if count == 1 else f"{count} KPIs"


def value_from_parts(
    definitions: Definitions, name: str, parts: Mapping[str, float]
) -> float | None:
    """A metric's value from the values of its base inputs; None for x / 0.

    ``cost_per_lead = spend / leads`` with spend 4,600 and leads 191 is 24.08.
    """
    if name in parts:
        return parts[name]
    metric = definitions.metric(name)
    formula = parse_formula(metric.formula or "")
    inputs = {
        input_name: value_from_parts(definitions, input_name, parts)
        for input_name in formula.names
    }
    if any(value is None for value in inputs.values()):
        return None
    result = formula.evaluate({k: v or 0.0 for k, v in inputs.items()})
    if not isinstance(result, float | int) or not math.isfinite(result):
        return None
    return float(result)
