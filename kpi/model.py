"""The words of DESIGN.md as plain, immutable records.

Everything here is data: no arithmetic, no I/O. Each record turns into a plain
dict (``to_dict``) and back (``from_dict``) so that the store and the YAML
definitions file share one representation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from kpi.column_mapping import ColumnMapping as ColumnMapping
from kpi.planned_target import PlannedTarget

Aggregation = Literal["sum", "mean", "median", "count", "nunique", "min", "max", "last"]
AGGREGATIONS: tuple[str, ...] = (
    "sum",
    "mean",
    "median",
    "count",
    "nunique",
    "min",
    "max",
    "last",
)
# Only these aggregations can be added up across periods or teams.
ADDITIVE_AGGREGATIONS: frozenset[str] = frozenset({"sum", "count"})

Unit = Literal["number", "currency", "percent", "duration"]
UNITS: tuple[str, ...] = ("number", "currency", "percent", "duration")

Direction = Literal["higher", "lower"]
DIRECTIONS: tuple[str, ...] = ("higher", "lower")

Period = Literal["day", "week", "month", "quarter", "year"]
PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")

TargetKind = Literal["total", "per_period", "level", "change"]
TARGET_KINDS: tuple[str, ...] = ("total", "per_period", "level", "change")

Status = Literal[
    "achieved",
    "on track",
    "at risk",
    "off track",
    "missed",
    "not started",
    "no data",
]
# Worst first: a goal warns with the worst status among its children.
STATUS_SEVERITY: tuple[str, ...] = (
    "missed",
    "off track",
    "at risk",
    "no data",
    "not started",
    "on track",
    "achieved",
)


@dataclass(frozen=True)
class Filter:
    """Keep only rows whose ``column`` equals (or, negated, differs from) a value.

    Values are compared as text, so ``007`` and ``7`` stay different.
    """

    column: str
    value: str
    negate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filter:
        return cls(str(data["column"]), str(data["value"]), bool(data.get("negate")))


@dataclass(frozen=True)
class Metric:
    """A named measure: a base metric (column + aggregation) or a derived one.

    ``name`` is the identifier formulas use (``cost_per_lead``); ``label`` is
    what people read ("Cost per lead").
    """

    name: str
    label: str
    dataset: str | None = None
    column: str | None = None
    aggregation: str = "sum"
    filters: tuple[Filter, ...] = ()
    formula: str | None = None
    unit: str = "number"
    direction: str = "higher"
    description: str = ""

    @property
    def is_derived(self) -> bool:
        return self.formula is not None

    @property
    def is_additive(self) -> bool:
        return not self.is_derived and self.aggregation in ADDITIVE_AGGREGATIONS

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["filters"] = [f.to_dict() for f in self.filters]
        return {key: value for key, value in data.items() if value not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metric:
        return cls(
            name=str(data["name"]),
            label=str(data.get("label") or data["name"]),
            dataset=data.get("dataset"),
            column=data.get("column"),
            aggregation=str(data.get("aggregation") or "sum"),
            filters=tuple(Filter.from_dict(f) for f in data.get("filters") or ()),
            formula=data.get("formula"),
            unit=str(data.get("unit") or "number"),
            direction=str(data.get("direction") or "higher"),
            description=str(data.get("description") or ""),
        )


@dataclass(frozen=True)
class Target:
    """What a KPI must reach; the four kinds of DESIGN.md, rule 2.

    - total: ``value`` is the amount to reach by the end of the time frame.
    - per_period: every ``period`` bucket must reach ``value`` on its own.
    - level: the value of the latest ``period`` bucket must reach ``value``;
      progress runs from ``baseline``.
    - change: ``value`` is a fraction (0.15 for +15 %) against the metric over
      ``baseline_start``..``baseline_end``; ``resolves_to`` says whether it
      becomes a total or a level target.

    With ``from_plan`` the number comes from the workspace's target table
    (``kpi.target_plan``) for the KPI's metric and owner, and ``value`` is
    used only where the table has no line: a total sums the planned months
    of the frame, each per-period bucket takes its own planned value, and a
    level takes the value in force at the end of the frame.
    """

    kind: str
    value: float
    period: str | None = None
    baseline: float | None = None
    baseline_start: date | None = None
    baseline_end: date | None = None
    resolves_to: str = "total"
    from_plan: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("baseline_start", "baseline_end"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        if not self.from_plan:
            data.pop("from_plan")
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(
            kind=str(data["kind"]),
            value=float(data["value"]),
            period=data.get("period"),
            baseline=_optional_float(data.get("baseline")),
            baseline_start=_optional_date(data.get("baseline_start")),
            baseline_end=_optional_date(data.get("baseline_end")),
            resolves_to=str(data.get("resolves_to") or "total"),
            from_plan=bool(data.get("from_plan", False)),
        )


@dataclass(frozen=True)
class KPI:
    """A metric, a target, a time frame and an owner, optionally under a goal.

    The owner is a team, a person, or both (a person within a team). ``parent``
    is the key of a goal; ``weight`` is this KPI's share in that goal's roll-up.
    ``at_risk_pace`` is the status band the KPI is judged with, copied from the
    workspace setting when the KPI is saved, so that changing the setting
    later does not rewrite the outcome of a KPI that has ended; None follows
    the workspace.
    """

    key: str
    name: str
    metric: str
    target: Target
    start: date
    end: date
    team: str | None = None
    person: str | None = None
    parent: str | None = None
    weight: float = 1.0
    description: str = ""
    at_risk_pace: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "metric": self.metric,
            "target": self.target.to_dict(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "team": self.team,
            "person": self.person,
            "parent": self.parent,
            "weight": self.weight,
            "description": self.description,
            "at_risk_pace": self.at_risk_pace,
        }
        return {key: value for key, value in data.items() if value not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KPI:
        return cls(
            key=str(data["key"]),
            name=str(data.get("name") or data["key"]),
            metric=str(data["metric"]),
            target=Target.from_dict(data["target"]),
            start=_required_date(data["start"]),
            end=_required_date(data["end"]),
            team=data.get("team"),
            person=data.get("person"),
            parent=data.get("parent"),
            weight=float(data.get("weight", 1.0)),
            description=str(data.get("description") or ""),
            at_risk_pace=_optional_float(data.get("at_risk_pace")),
        )


@dataclass(frozen=True)
class Goal:
    """A node of the goal tree: company goal → department objective → (KPIs).

    Without a ``metric``, a goal's progress is the weighted roll-up of its
    children (goals and KPIs whose ``parent`` is it). With one, the goal
    adds up its children that measure the same metric: an additive metric
    sums their actuals and targets, a ratio is recomputed from the summed
    parts (``kpi.rollup``).
    """

    key: str
    name: str
    parent: str | None = None
    weight: float = 1.0
    team: str | None = None
    description: str = ""
    metric: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {key: value for key, value in data.items() if value not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Goal:
        return cls(
            key=str(data["key"]),
            name=str(data.get("name") or data["key"]),
            parent=data.get("parent"),
            weight=float(data.get("weight", 1.0)),
            team=data.get("team"),
            description=str(data.get("description") or ""),
            metric=data.get("metric") or None,
        )


@dataclass(frozen=True)
class Definitions:
    """The whole set of metrics, goals, KPIs and planned targets of a workspace."""

    metrics: tuple[Metric, ...] = ()
    goals: tuple[Goal, ...] = ()
    kpis: tuple[KPI, ...] = ()
    targets: tuple[PlannedTarget, ...] = ()

    def metric(self, name: str) -> Metric:
        found = self.find_metric(name)
        if found is None:
            raise KeyError(name)
        return found

    def find_metric(self, name: str) -> Metric | None:
        """The metric called ``name``, or None."""
        return next((metric for metric in self.metrics if metric.name == name), None)

    def with_kpi(self, kpi: KPI) -> Definitions:
        others = tuple(k for k in self.kpis if k.key != kpi.key)
        return replace(self, kpis=(*others, kpi))


@dataclass(frozen=True)
class Scope:
    """Which teams a viewer may see. ``teams=None`` means every team.

    Always passed to the functions that read data, and part of every cache key
    (``cache_key``), so that two viewers never share a cached answer.
    """

    teams: frozenset[str] | None = None

    def allows(self, team: str | None) -> bool:
        return self.teams is None or team is None or team in self.teams

    @property
    def cache_key(self) -> str:
        return "*" if self.teams is None else "|".join(sorted(self.teams))


EVERYTHING = Scope()


@dataclass(frozen=True)
class DatasetInfo:
    """A stored dataset as the store describes it.

    ``updated_at`` is when its current rows were imported (UTC);
    ``expected_every`` is how often new data is expected ("day", "week",
    "month"), None when nobody said (``kpi.freshness``).
    """

    id: int
    name: str
    mapping: ColumnMapping
    version: int
    row_count: int
    source: str = "upload"
    is_sample: bool = False
    columns: tuple[str, ...] = field(default=())
    expected_every: str | None = None
    updated_at: datetime | None = None


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_date(value: Any) -> date | None:
    return None if value is None else _required_date(value)


def _required_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
