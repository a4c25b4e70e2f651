"""KPI templates as data: reading and checking the files in ``data/templates/``.

One YAML file per field (marketing, sales, ...) declares the columns it
needs, each as a *role* (``calls``, ``stage``), the metrics it builds from
them and the KPIs it sets, each with a rule for its draft target
(README.md, "Templates"). ``kpi.templates`` applies a template; this module
reads a file into records, or refuses it with a ``DefinitionError`` that
names the file, the entry and what to change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from keyword import iskeyword
from pathlib import Path
from typing import Any, NoReturn

import yaml

from kpi import model
from kpi.errors import DefinitionError, FormulaError
from kpi.formula import parse_formula
from kpi.metric_checks import NEEDS_NUMBERS
from kpi.model import PERIODS, Filter, Metric

TEMPLATE_DIR: Path = Path(__file__).resolve().parents[1] / "data" / "templates"
# The gallery's order; any other file in the folder follows, by name.
FIELD_ORDER: tuple[str, ...] = ("marketing", "sales", "support", "saas", "finance")
TEMPLATE_TARGET_KINDS: tuple[str, ...] = ("total", "per_period", "level")
DRAFT_BASES: tuple[str, ...] = ("median", "mean", "best", "pooled")

# The fields of each kind of entry as "field:check"; "!" marks a required
# field. A check is a word of _CHECKS, or of _CHOICES (one of those words).
_SPECS: dict[str, str] = {
    "template": "title:text! description:text! columns:list! metrics:list! kpis:list!",
    "columns": "role:name! kind:role_kind! description:text! optional:flag "
    "hints:list values:mapping",
    "metrics": "name:name! label:text! unit:unit direction:direction "
    "description:text ways:list column:name aggregation:aggregation "
    "filters:list formula:text",
    "ways": "column:name aggregation:aggregation filters:list formula:text",
    "filters": "column:name! value:name! negate:flag",
    "kpis": "key:name! name:text! metric:name! kind:target_kind! period:period "
    "draft:mapping!",
    "draft": "basis:basis! last:count! period:period change:fraction",
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "role_kind": ("number", "dimension"),
    "target_kind": TEMPLATE_TARGET_KINDS,
    "unit": model.UNITS,
    "direction": model.DIRECTIONS,
    "aggregation": model.AGGREGATIONS,
    "period": PERIODS,
    "basis": DRAFT_BASES,
}
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (
        lambda v: isinstance(v, str) and v.isidentifier() and not iskeyword(v),
        "letters, digits and _, starting with a letter",
    ),
    "text": (lambda v: type(v) in (str, int, float), "text"),
    "flag": (lambda v: type(v) is bool, "true or false"),
    "count": (lambda v: type(v) is int and v >= 1, "a whole number, 1 or more"),
    "fraction": (lambda v: type(v) in (int, float) and -1 < v < 1, "0.10 for +10 %"),
    "list": (lambda v: type(v) is list, "a list"),
    "mapping": (lambda v: type(v) is dict, "a mapping (name: value)"),
}


@dataclass(frozen=True)
class ColumnRole:
    """A column a template asks for: a ``number`` or a ``dimension``.

    ``hints`` are column names that usually play the role; ``values`` name
    the values of a dimension that filters use, with their usual text:
    ``(("won", "Won"), ("lost", "Lost"))``.
    """

    role: str
    kind: str
    description: str
    optional: bool = False
    hints: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """ "emails_sent" -> "Emails sent"."""
        return self.role.replace("_", " ").capitalize()


@dataclass(frozen=True)
class TemplateMetric:
    """A metric's ways to be built, the first that can wins: each a dataset-less
    ``Metric`` with a formula, or with a role as column and filters on roles
    by value name (``Filter("stage", "won")``); all share name, label, unit."""

    ways: tuple[Metric, ...]

    @property
    def name(self) -> str:
        return self.ways[0].name

    @property
    def direction(self) -> str:
        return self.ways[0].direction


@dataclass(frozen=True)
class DraftRule:
    """A draft target from history: the ``basis`` (the median, mean or best
    bucket, or ``pooled``: the metric over all buckets at once) of the last
    ``last`` whole ``period`` buckets before the time frame, then ``change``
    (0.10 for +10 %)."""

    basis: str
    last: int
    period: str
    change: float = 0.0

    def describe(self) -> str:
        """ "median week of the last 8 weeks +5 %"."""
        many = self.period if self.last == 1 else f"{self.last} {self.period}s"
        what = f"{self.basis} {self.period} of the last {many}"
        if self.basis == "pooled":
            what = f"last {many} taken together"
        change = f" {self.change:+.0%}".replace("%", " %") if self.change else ""
        return what + change


@dataclass(frozen=True)
class TemplateKpi:
    """A KPI of a template: its metric, target kind, period and draft rule."""

    key: str
    name: str
    metric: str
    kind: str
    draft: DraftRule
    period: str | None = None


@dataclass(frozen=True)
class Template:
    """One field's columns, metrics and KPIs, as read from ``<field>.yaml``."""

    field: str
    title: str
    description: str
    columns: tuple[ColumnRole, ...]
    metrics: tuple[TemplateMetric, ...]
    kpis: tuple[TemplateKpi, ...]


def list_templates(folder: Path = TEMPLATE_DIR) -> list[Template]:
    """Every template file of ``folder``, read and checked, in gallery order."""
    rank = {name: position for position, name in enumerate(FIELD_ORDER)}
    files = sorted(folder.glob("*.yaml"), key=lambda p: (rank.get(p.stem, 99), p.stem))
    return [load_template(path.stem, folder) for path in files]


def load_template(field: str, folder: Path = TEMPLATE_DIR) -> Template:
    """The template of one field ("sales"); ``unknown_template`` if none."""
    path = folder / f"{field}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        message = f'There is no template "{field}". Pick one of: {known}.'
        raise DefinitionError("unknown_template", message, subject=field)
    return read_template(path.read_text(encoding="utf-8"), field=field)


def read_template(text: str, *, field: str) -> Template:
    """A template from YAML text; ``DefinitionError`` naming what is wrong.

    Reasons: ``bad_yaml``, ``not_a_mapping``, ``unknown_field``,
    ``missing_field``, ``bad_value``, ``duplicate_name``, ``unknown_role``,
    ``unknown_metric``, ``not_summable`` and those of ``kpi.formula``.
    """
    top = _At(f"{field}.yaml", "the top level")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else "somewhere"
        message = "it cannot be read as YAML. Check the indentation and quotes."
        _At(top.source, line).fail("bad_yaml", message)
    data = top.checked(document, "template")
    columns = tuple(_role(entry, at) for at, entry in top.items(data, "columns"))
    top.refuse_twice([c.role for c in columns], "columns", "role")
    metrics: list[TemplateMetric] = []
    for at, entry in top.items(data, "metrics"):
        metrics.append(_metric(entry, at, columns, metrics))
    kpis = tuple(_kpi(entry, at, metrics) for at, entry in top.items(data, "kpis"))
    top.refuse_twice([k.key for k in kpis], "kpis", "key")
    title, description = str(data["title"]), str(data["description"])
    return Template(field, title, description, columns, tuple(metrics), kpis)


def summable(name: str, metrics: Sequence[TemplateMetric]) -> bool:
    """True when every way of the metric adds up over time: sums and counts,
    and formulas that only add or subtract such metrics."""
    by_name = {metric.name: metric for metric in metrics}
    for way in by_name[name].ways:
        if way.formula is None:
            if way.aggregation not in model.ADDITIVE_AGGREGATIONS:
                return False
        elif any(sign in way.formula for sign in "*/") or not all(
            summable(each, metrics) for each in parse_formula(way.formula).names
        ):
            return False
    return True


def way_roles(way: Metric) -> frozenset[str]:
    """The roles a way reads: its column and its filters' columns."""
    named = {item.column for item in way.filters} | {way.column or ""}
    return frozenset(named - {""})


def _role(entry: Any, at: _At) -> ColumnRole:
    data = at.checked(entry, "columns")
    values, hints = data["values"] or {}, data["hints"] or []
    if values and data["kind"] != "dimension":
        at.bad("values", "left out: only a dimension has named values")
    named = tuple((at.valid(k, "name", "values"), str(v)) for k, v in values.items())
    hints = tuple(str(at.valid(hint, "text", "hints")) for hint in hints)
    optional, description = bool(data["optional"]), str(data["description"])
    return ColumnRole(data["role"], data["kind"], description, optional, hints, named)


def _metric(
    entry: Any, at: _At, columns: tuple[ColumnRole, ...], earlier: list[TemplateMetric]
) -> TemplateMetric:
    data = at.checked(entry, "metrics")
    if data["name"] in {metric.name for metric in earlier}:
        at.fail("duplicate_name", "defined twice. List both ways under one ways:.")
    own = {k: data[k] for k in ("column", "aggregation", "filters", "formula")}
    own = {key: value for key, value in own.items() if value is not None}
    if own and data["ways"] is not None:
        at.bad("ways", "left out when the metric gives a column or formula itself")
    entries = data["ways"] if data["ways"] is not None else [own] if own else []
    if not entries:
        at.bad("ways", "a list of ways, each a column or a formula")
    shared = Metric(
        data["name"],
        str(data["label"]),
        unit=data["unit"] or "number",
        direction=data["direction"] or "higher",
        description=str(data["description"] or ""),
    )
    return TemplateMetric(
        tuple(
            _way(item, at.inner(f"ways[{i}]"), shared, columns, earlier)
            for i, item in enumerate(entries)
        )
    )


def _way(
    entry: Any,
    at: _At,
    shared: Metric,
    columns: tuple[ColumnRole, ...],
    earlier: list[TemplateMetric],
) -> Metric:
    data = at.checked(entry, "ways")
    if data["formula"] is not None:
        if set(entry) != {"formula"}:
            at.bad("formula", "alone, without column, aggregation or filters")
        return replace(shared, formula=_formula(str(data["formula"]), at, earlier))
    roles = {role.role: role for role in columns}
    role, aggregation = at.role(data["column"], roles), data["aggregation"] or "sum"
    if aggregation in NEEDS_NUMBERS and role.kind != "number":
        at.bad("aggregation", f"count or nunique on dimension {role.role}")
    filters = tuple(
        _filter(item, at.inner(f"filters[{i}]"), roles)
        for i, item in enumerate(data["filters"] or [])
    )
    return replace(shared, column=role.role, aggregation=aggregation, filters=filters)


def _filter(entry: Any, at: _At, roles: dict[str, ColumnRole]) -> Filter:
    data = at.checked(entry, "filters")
    role, value = at.role(data["column"], roles), data["value"]
    names = ", ".join(name for name, _ in role.values) or "none"
    if value not in dict(role.values):
        message = f'"{value}" is not a named value of column "{role.role}" ({names}).'
        at.fail("unknown_role", f"{message} Name it under that column's values:.")
    return Filter(role.role, value, bool(data["negate"]))


def _formula(text: str, at: _At, earlier: list[TemplateMetric]) -> str:
    try:
        formula = parse_formula(text)
    except FormulaError as problem:
        at.fail(problem.reason, problem.message)
    unknown = sorted(formula.names - {metric.name for metric in earlier})
    if unknown:
        message = f'formula "{text}" names "{unknown[0]}", not a metric above it.'
        at.fail("unknown_metric", f"{message} Define that metric first.")
    return formula.text


def _kpi(entry: Any, at: _At, metrics: list[TemplateMetric]) -> TemplateKpi:
    data = at.checked(entry, "kpis")
    metric = next((m for m in metrics if m.name == data["metric"]), None)
    if metric is None:
        message = f'metric "{data["metric"]}" is not defined in this file.'
        at.fail("unknown_metric", f"{message} Add it under metrics:.")
    kind, period = data["kind"], data["period"]
    if kind != "total" and period is None:
        at.bad("period", f"the bucket a {kind} target judges ({', '.join(PERIODS)})")
    if kind == "total" and not summable(metric.name, metrics):
        message = f'a total needs a metric that adds up, and "{metric.name}" does'
        at.fail("not_summable", f"{message} not. Use a level or per_period target.")
    draft = _draft(data["draft"], at.inner("draft"), kind, metric, period)
    return TemplateKpi(data["key"], str(data["name"]), metric.name, kind, draft, period)


def _draft(
    entry: Any, at: _At, kind: str, metric: TemplateMetric, period: str | None
) -> DraftRule:
    data = at.checked(entry, "draft")
    bucket = data["period"] or period
    if bucket is None:
        at.bad("period", "the bucket history is read in (week, month, ...)")
    change = float(data["change"] or 0.0)
    towards = 1 if metric.direction == "higher" else -1
    if kind == "level" and change * towards <= 0:
        at.bad("change", f"towards {metric.direction}: a level lies past its baseline")
    return DraftRule(data["basis"], data["last"], bucket, change)


@dataclass(frozen=True)
class _At:
    """Where in which file an entry sits, and the checks that name it."""

    source: str
    where: str

    def inner(self, part: str) -> _At:
        return _At(self.source, f"{self.where}, {part}")

    def fail(self, reason: str, text: str) -> NoReturn:
        message = f"{self.source}, {self.where}: {text}"
        raise DefinitionError(reason, message, subject=self.where)

    def bad(self, field: str, expected: str) -> NoReturn:
        message = f'field "{field}" must be {expected}. Correct the template file.'
        self.fail("bad_value", message)

    def items(self, data: dict[str, Any], section: str) -> list[tuple[_At, Any]]:
        """Each entry of a section, with its place ``metrics[2] "win_rate"``."""
        key = {"columns": "role", "metrics": "name", "kpis": "key"}[section]
        found = []
        for index, entry in enumerate(data[section]):
            name = entry.get(key) if isinstance(entry, dict) else None
            label = f'{section}[{index}] "{name}"' if name else f"{section}[{index}]"
            found.append((_At(self.source, label), entry))
        return found

    def checked(self, entry: Any, kind: str) -> dict[str, Any]:
        """Every field of ``kind``: the entry's value, checked, or None."""
        if not isinstance(entry, dict):
            self.fail("not_a_mapping", "expected a mapping of fields (name: value).")
        spec = dict(item.split(":") for item in _SPECS[kind].split())
        unknown = [str(key) for key in entry if key not in spec]
        if unknown:
            known = ", ".join(spec)
            self.fail("unknown_field", f'"{unknown[0]}" is not a field. Use {known}.')
        data = {}
        for field, check in spec.items():
            value = entry.get(field)
            if value is None and check.endswith("!"):
                self.fail("missing_field", f'field "{field}" is missing. Add it.')
            data[field] = None if value is None else self.valid(value, check, field)
        return data

    def valid(self, value: Any, check: str, field: str) -> Any:
        """``value`` when it passes ``check``: text stripped, else as given."""
        check = check.rstrip("!")
        if check in _CHOICES and value not in _CHOICES[check]:
            self.bad(field, "one of: " + ", ".join(_CHOICES[check]))
        if check in _CHECKS and not _CHECKS[check][0](value):
            self.bad(field, _CHECKS[check][1])
        return value.strip() if isinstance(value, str) else value

    def role(self, name: Any, roles: dict[str, ColumnRole]) -> ColumnRole:
        if name not in roles:
            known = ", ".join(roles)
            self.fail("unknown_role", f'"{name}" is not a role of columns: ({known}).')
        return roles[name]

    def refuse_twice(self, names: list[str], section: str, key: str) -> None:
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            message = f'{key} "{twice[0]}" is used twice. Give each its own {key}.'
            _At(self.source, section).fail("duplicate_name", message)
