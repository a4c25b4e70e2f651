"""Writing the YAML definitions file that ``kpi.definitions`` reads.

Entries are written the way people would write them: time frames by name
("2026-Q1"), defaults left out, whole numbers without ".0".
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from kpi.model import KPI, Definitions, Goal, Metric
from kpi.periods import parse_time_frame
from kpi.planned_target import PlannedTarget


def definitions_to_yaml(definitions: Definitions) -> str:
    """The definitions as a YAML file that ``definitions_from_yaml`` reads back.

    KPI time frames and change baselines are written as ``time_frame`` and
    ``baseline_period`` ("2026-Q1", "2026-01-05..2026-02-20"), and fields left
    at their defaults are omitted.
    """
    document = {
        "metrics": [_metric_entry(metric) for metric in definitions.metrics],
        "goals": [_goal_entry(goal) for goal in definitions.goals],
        "kpis": [_kpi_entry(kpi) for kpi in definitions.kpis],
    }
    if definitions.targets:
        document["targets"] = [_planned_entry(row) for row in definitions.targets]
    return yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def _metric_entry(metric: Metric) -> dict[str, Any]:
    data = metric.to_dict()
    data["filters"] = [
        {k: v for k, v in f.items() if not (k == "negate" and v is False)}
        for f in data.get("filters", [])
    ]
    if metric.is_derived:
        data.pop("aggregation", None)
    for key, default in (("filters", []), ("unit", "number"), ("direction", "higher")):
        if data.get(key) == default:
            data.pop(key)
    return data


def _goal_entry(goal: Goal) -> dict[str, Any]:
    data = goal.to_dict()
    if data.get("weight") == 1.0:
        data.pop("weight")
    return _plain_numbers(data)


def _kpi_entry(kpi: KPI) -> dict[str, Any]:
    data = kpi.to_dict()
    time_frame = time_frame_text(kpi.start, kpi.end)
    data = {
        **{k: v for k, v in data.items() if k not in ("start", "end", "target")},
        "time_frame": time_frame,
        "target": _target_entry(kpi),
    }
    if data.get("weight") == 1.0:
        data.pop("weight")
    return _plain_numbers(data)


def _planned_entry(row: PlannedTarget) -> dict[str, Any]:
    data = row.to_dict()
    data = {
        **{k: v for k, v in data.items() if k not in ("start", "end")},
        "time_frame": time_frame_text(row.start, row.end),
    }
    return _plain_numbers(data)


def _target_entry(kpi: KPI) -> dict[str, Any]:
    target = kpi.target
    data = target.to_dict()
    if target.baseline_start is not None and target.baseline_end is not None:
        data.pop("baseline_start")
        data.pop("baseline_end")
        data["baseline_period"] = time_frame_text(
            target.baseline_start, target.baseline_end
        )
    if target.kind != "change" and target.resolves_to == "total":
        data.pop("resolves_to")
    return _plain_numbers(data)


def _plain_numbers(data: dict[str, Any]) -> dict[str, Any]:
    """Whole floats as integers, so the file says 2 rather than 2.0."""
    return {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in data.items()
    }


def time_frame_text(start: date, end: date) -> str:
    """How a definitions file (and a time-frame box) writes a time frame: a
    whole calendar year, quarter or month by name (2026-Q1), else a range."""
    candidates = (
        str(start.year),
        f"{start.year}-Q{(start.month - 1) // 3 + 1}",
        f"{start.year}-{start.month:02d}",
    )
    for text in candidates:
        if parse_time_frame(text) == (start, end):
            return text
    return f"{start.isoformat()}..{end.isoformat()}"
