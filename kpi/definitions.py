"""The YAML definitions file: metrics, goals and KPIs as people write them.

The file has three lists, each entry shaped like the record's ``to_dict``::

    metrics:
      - name: cost_per_lead
        label: Cost per lead
        formula: ad_spend / leads
        unit: currency
        direction: lower
    goals:
      - key: grow_revenue
        name: Grow revenue 20% this year
    kpis:
      - key: blog_posts_q1
        metric: blog_posts
        time_frame: 2026-Q1          # instead of start: and end:
        target: {kind: per_period, value: 2, period: week}

A KPI may give ``time_frame`` (a year, quarter, month, ISO week or
``start..end`` range) instead of ``start``/``end``, and a change target may
give ``baseline_period`` instead of ``baseline_start``/``baseline_end``.
Reading checks the shape of the file; ``validate_definitions`` checks that
the entries fit together.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import yaml

from kpi.definition_checks import validate_definitions
from kpi.definitions_writer import definitions_to_yaml
from kpi.errors import DefinitionError
from kpi.model import KPI, Definitions, Goal, Metric
from kpi.periods import parse_time_frame
from kpi.planned_target import PlannedTarget

__all__ = ["definitions_from_yaml", "definitions_to_yaml", "validate_definitions"]

_SECTIONS = ("metrics", "goals", "kpis", "targets")
_FIELDS: dict[str, tuple[str, ...]] = {
    "metrics": tuple(
        "name label dataset column aggregation filters formula unit direction "
        "description".split()
    ),
    "goals": ("key", "name", "parent", "weight", "team", "description", "metric"),
    "kpis": tuple(
        "key name metric target time_frame start end team person parent weight "
        "description at_risk_pace".split()
    ),
    "targets": tuple(
        "metric time_frame start end value team person overridden".split()
    ),
    "target": tuple(
        "kind value period baseline baseline_period baseline_start baseline_end "
        "resolves_to from_plan".split()
    ),
    "filters": ("column", "value", "negate"),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "metrics": ("name",),
    "goals": ("key",),
    "kpis": ("key", "metric", "target"),
    "targets": ("metric", "value"),
    "target": ("kind", "value"),
    "filters": ("column", "value"),
}
# Fields that hold names or text; YAML reads `team: 2026` as a number.
_TEXT_FIELDS: dict[str, frozenset[str]] = {
    "metrics": frozenset(_FIELDS["metrics"]) - {"filters"},
    "goals": frozenset({"key", "name", "parent", "team", "description", "metric"}),
    "kpis": frozenset({"key", "name", "metric", "team", "person", "parent"})
    | {"description"},
    "targets": frozenset({"metric", "team", "person"}),
    "target": frozenset({"kind", "period", "resolves_to"}),
    "filters": frozenset({"column", "value"}),
}
_NUMBER_FIELDS = frozenset({"weight", "value", "baseline", "at_risk_pace"})
_DATE_FIELDS = frozenset({"start", "end", "baseline_start", "baseline_end"})
_BUILDERS = {
    "metrics": Metric.from_dict,
    "goals": Goal.from_dict,
    "kpis": KPI.from_dict,
    "targets": PlannedTarget.from_dict,
}


def definitions_from_yaml(
    text: str, *, source: str = "definitions.yaml"
) -> Definitions:
    """Read a definitions file; raise ``DefinitionError`` naming the bad entry.

    Reason codes: ``bad_yaml`` (unreadable YAML), ``not_a_mapping`` and
    ``not_a_list`` (wrong shape), ``unknown_field``, ``missing_field``,
    ``conflicting_fields`` (``time_frame`` beside ``start``), ``bad_time_frame``
    and ``bad_value`` (a date or number that cannot be read). An empty file
    gives empty definitions.
    """
    document = _parse_yaml(text, source)
    if document is None:
        return Definitions()
    if not isinstance(document, dict):
        raise DefinitionError(
            "not_a_mapping",
            f"{source}: the file must be a mapping with the keys metrics:, goals:, "
            f"kpis: and targets:, but it is a {_kind_of(document)}.",
            subject=source,
        )
    _refuse_unknown(document, _SECTIONS, source, "the top level")

    built: dict[str, tuple[Any, ...]] = {}
    for section in _SECTIONS:
        entries = document.get(section) or []
        if not isinstance(entries, list):
            raise DefinitionError(
                "not_a_list",
                f"{source}, {section}: expected a list of entries, each starting "
                f'with "- ", but found a {_kind_of(entries)}.',
                subject=section,
            )
        built[section] = tuple(
            _build_entry(section, index, entry, source)
            for index, entry in enumerate(entries)
        )
    return Definitions(**built)


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except ValueError as problem:
        # YAML reads 2026-13-01 as a date and fails while building it.
        raise DefinitionError(
            "bad_yaml",
            f"{source}: a value cannot be read ({problem}). Write dates as "
            "YYYY-MM-DD, or put the value in quotes.",
            subject=source,
        ) from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(problem, "problem", None) or "not valid YAML"
        raise DefinitionError(
            "bad_yaml",
            f"{source}{where}: the file cannot be read as YAML ({reason}). "
            "Check the indentation and the quotes near that line.",
            subject=source,
        ) from None


def _build_entry(section: str, index: int, entry: Any, source: str) -> Any:
    where = _entry_name(section, index, entry)
    if not isinstance(entry, dict):
        raise DefinitionError(
            "not_a_mapping",
            f"{source}, {where}: expected a mapping of fields (name: value), "
            f"but found a {_kind_of(entry)}.",
            subject=where,
        )
    data = _checked_fields(entry, section, source, where)
    if section == "kpis":
        data = _expand_kpi(data, source, where)
    if section == "targets":
        data = _expand_planned_target(data, source, where)
    try:
        return _BUILDERS[section](data)
    except (TypeError, ValueError) as problem:
        raise DefinitionError(
            "bad_value",
            f"{source}, {where}: a value cannot be read ({problem}). Dates are "
            "written 2026-03-31 and numbers 0.15 or 1200.",
            subject=where,
        ) from None


def _checked_fields(
    entry: dict[Any, Any], section: str, source: str, where: str
) -> dict[str, Any]:
    """The entry with known fields only, all required ones present, text as text."""
    _refuse_unknown(entry, _FIELDS[section], source, where)
    for field in _REQUIRED[section]:
        if entry.get(field) in (None, ""):
            raise DefinitionError(
                "missing_field",
                f'{source}, {where}: field "{field}" is missing. Add it, e.g. '
                f"{field}: ...",
                subject=where,
            )
    data = {str(key): value for key, value in entry.items()}
    for field in _TEXT_FIELDS[section] & set(data):
        data[field] = _as_text(data[field], field, source, where)
    for field in (_NUMBER_FIELDS | _DATE_FIELDS) & set(data):
        _check_readable(data[field], field, section, source, where)
    if section == "metrics":
        data["filters"] = _checked_list(data, "filters", source, where)
    return data


def _checked_list(
    data: dict[str, Any], field: str, source: str, where: str
) -> list[dict[str, Any]]:
    items = data.get(field) or []
    if not isinstance(items, list):
        raise DefinitionError(
            "not_a_list",
            f'{source}, {where}, field "{field}": expected a list, '
            f"but found a {_kind_of(items)}.",
            subject=where,
        )
    checked = []
    for index, item in enumerate(items):
        inner = f"{where}, {field}[{index}]"
        if not isinstance(item, dict):
            raise DefinitionError(
                "not_a_mapping",
                f"{source}, {inner}: expected a mapping such as "
                f"{{column: channel, value: paid}}, but found a {_kind_of(item)}.",
                subject=where,
            )
        checked.append(_checked_fields(item, field, source, inner))
    return checked


def _expand_planned_target(
    data: dict[str, Any], source: str, where: str
) -> dict[str, Any]:
    """Replace a target line's ``time_frame`` ("2026-03") by its dates."""
    data = dict(data)
    start, end = _dates_of(data, "time_frame", ("start", "end"), source, where)
    data["start"], data["end"] = start, end
    data.pop("time_frame", None)
    return data


def _expand_kpi(data: dict[str, Any], source: str, where: str) -> dict[str, Any]:
    """Replace ``time_frame`` and ``baseline_period`` by the dates they name."""
    data = dict(data)
    start, end = _dates_of(data, "time_frame", ("start", "end"), source, where)
    data["start"], data["end"] = start, end

    target = data["target"]
    if not isinstance(target, dict):
        raise DefinitionError(
            "not_a_mapping",
            f'{source}, {where}, field "target": expected a mapping such as '
            f"{{kind: total, value: 100}}, but found a {_kind_of(target)}.",
            subject=where,
        )
    target = _checked_fields(target, "target", source, f"{where}, target")
    fields = ("baseline_start", "baseline_end")
    if any(target.get(name) is not None for name in ("baseline_period", *fields)):
        first, last = _dates_of(target, "baseline_period", fields, source, where)
        target["baseline_start"], target["baseline_end"] = first, last
    target.pop("baseline_period", None)
    data["target"] = target
    data.pop("time_frame", None)
    return data


def _dates_of(
    data: dict[str, Any],
    frame_field: str,
    date_fields: tuple[str, str],
    source: str,
    where: str,
) -> tuple[Any, Any]:
    """The two dates given either as one time-frame text or as two fields."""
    frame = data.get(frame_field)
    given = [name for name in date_fields if data.get(name) is not None]
    if frame is not None and given:
        raise DefinitionError(
            "conflicting_fields",
            f'{source}, {where}: give either "{frame_field}" or '
            f'"{date_fields[0]}" and "{date_fields[1]}", not both.',
            subject=where,
        )
    if frame is None:
        missing = [name for name in date_fields if name not in given]
        if missing:
            raise DefinitionError(
                "missing_field",
                f'{source}, {where}: field "{missing[0]}" is missing. Give '
                f'"{frame_field}" (such as 2026-Q1) or both "{date_fields[0]}" '
                f'and "{date_fields[1]}".',
                subject=where,
            )
        return data[date_fields[0]], data[date_fields[1]]
    try:
        return parse_time_frame(str(frame))
    except ValueError as problem:
        raise DefinitionError(
            "bad_time_frame",
            f'{source}, {where}, field "{frame_field}": {problem}',
            subject=where,
        ) from None


def _refuse_unknown(
    entry: dict[Any, Any], known: tuple[str, ...], source: str, where: str
) -> None:
    unknown = [str(key) for key in entry if key not in known]
    if unknown:
        raise DefinitionError(
            "unknown_field",
            f'{source}, {where}: unknown field "{unknown[0]}". Known fields are '
            f"{', '.join(known)}; check the spelling.",
            subject=where,
        )


def _entry_name(section: str, index: int, entry: Any) -> str:
    """``kpis[3] "blog_posts_q1"``: the position, and the entry's own name if any."""
    identifier = "name" if section == "metrics" else "key"
    name = entry.get(identifier) if isinstance(entry, dict) else None
    return (
        f'{section}[{index}] "{name}"'
        if name not in (None, "")
        else f"{section}[{index}]"
    )


def _check_readable(
    value: Any, field: str, section: str, source: str, where: str
) -> None:
    """Refuse a number or date field whose value cannot be read as one."""
    if value is None or (section == "filters" and field == "value"):
        return
    if field in _DATE_FIELDS:
        readable, expected = _is_date_like(value), "a date such as 2026-03-31"
    else:
        readable, expected = _is_number_like(value), "a number"
    if not readable:
        raise DefinitionError(
            "bad_value",
            f'{source}, {where}, field "{field}": "{value}" is not {expected}. '
            "Write numbers without units (0.15 for 15 %) and dates as YYYY-MM-DD.",
            subject=where,
        )


def _is_date_like(value: Any) -> bool:
    try:
        return isinstance(value, date) or bool(date.fromisoformat(str(value)))
    except ValueError:
        return False


def _is_number_like(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _as_text(value: Any, field: str, source: str, where: str) -> Any:
    """Numbers and dates as the text they were typed as; yes/no refused."""
    if isinstance(value, bool):
        raise DefinitionError(
            "bad_value",
            f'{source}, {where}, field "{field}": YAML reads this value as '
            f'{str(value).lower()}. Put it in quotes, e.g. {field}: "no".',
            subject=where,
        )
    if isinstance(value, int | float | date):
        return str(value)
    return value


def _kind_of(value: Any) -> str:
    names = {dict: "mapping", list: "list", str: "text", type(None): "empty value"}
    return names.get(type(value), type(value).__name__)
