"""The SMART check: five ticks, each with a verdict and a reason with figures.

- Specific: one defined metric, a target number that asks for something, and
  a scope (the owner or everyone; the period a per-period or level target is
  judged on).
- Measurable: every dataset behind the metric is loaded and holds rows for
  the KPI's team and person.
- Assignable: a team or a person owns the KPI.
- Realistic: the pace the target needs against the metric's own history
  (``kpi.realistic``); within what has been done and a stretch pass (a
  stretch with a caution), beyond anything seen and no history fail.
- Time-bound: a start and an end, the end not before the start.

A KPI may be saved while failing a check; the check never raises for a half
drafted KPI, it fails the tick the problem belongs to and says why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from kpi.errors import DefinitionError, GoalpostError
from kpi.formatting import format_value
from kpi.kpi_data import KpiData, kpi_data, resolve_target
from kpi.metric_checks import adds_up
from kpi.metrics import Rows, Slice, metric_inputs, metric_value
from kpi.model import KPI, PERIODS, Definitions, Metric, Target
from kpi.periods import days_inclusive
from kpi.realistic import (
    STRETCH,
    RealisticFigures,
    realistic_figures,
    realistic_sentence,
)
from kpi.settings import WorkspaceSettings

SMART_NAMES: tuple[str, ...] = (
    "Specific",
    "Measurable",
    "Assignable",
    "Realistic",
    "Time-bound",
)
CANNOT_TELL = "cannot tell"
DEFAULT_SETTINGS = WorkspaceSettings()


@dataclass(frozen=True)
class SmartTick:
    """One letter of SMART: passed or not, a verdict of a few words, a reason.

    ``caution`` marks a pass worth a second look (a stretch target).
    """

    name: str
    passed: bool
    verdict: str
    reason: str
    caution: bool = False


@dataclass(frozen=True)
class SmartCheck:
    """The five ticks in the order S, M, A, R, T, and the Realistic figures."""

    ticks: tuple[SmartTick, ...]
    pace: RealisticFigures | None = None

    @property
    def passed(self) -> bool:
        return all(tick.passed for tick in self.ticks)

    @property
    def failures(self) -> tuple[SmartTick, ...]:
        return tuple(tick for tick in self.ticks if not tick.passed)

    def tick(self, name: str) -> SmartTick:
        """The tick called ``name`` ("Realistic")."""
        for tick in self.ticks:
            if tick.name == name:
                return tick
        raise KeyError(name)

    def summary(self) -> str:
        """'Passes all 5 SMART checks.' or 'Fails 2 of 5 SMART checks: A, R.'"""
        if self.passed:
            return f"Passes all {len(self.ticks)} SMART checks."
        names = ", ".join(tick.name for tick in self.failures)
        return f"Fails {len(self.failures)} of {len(self.ticks)} SMART checks: {names}."


@dataclass(frozen=True)
class _Draft:
    kpi: KPI
    definitions: Definitions
    rows: Mapping[str, Rows]
    today: date
    settings: WorkspaceSettings
    look_back: int | None

    def data(self, *, whole_frame: bool = True) -> KpiData:
        """The KPI's data; without ``whole_frame`` a frame that ends before it
        starts is read as its first day, for the checks that do not need it."""
        kpi = self.kpi
        if not whole_frame and kpi.end < kpi.start:
            kpi = replace(kpi, end=kpi.start)
        return kpi_data(kpi, self.definitions, self.rows, self.today, self.settings)


def smart_check(
    kpi: KPI,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    today: date,
    *,
    settings: WorkspaceSettings = DEFAULT_SETTINGS,
    look_back: int | None = None,
) -> SmartCheck:
    """The SMART check of ``kpi`` (saved or a draft) as of ``today``.

    ``look_back`` overrides how many recent periods the Realistic tick takes
    its best 10 % from (``kpi.realistic.LOOK_BACK``: 26 weeks, 12 months...).
    """
    draft = _Draft(kpi, definitions, rows, today, settings, look_back)
    figures, realistic = _realistic(draft)
    ticks = (
        _guarded("Specific", _specific, draft),
        _guarded("Measurable", _measurable, draft),
        _guarded("Assignable", _assignable, draft),
        realistic,
        _guarded("Time-bound", _time_bound, draft),
    )
    return SmartCheck(ticks, figures)


def _guarded(
    name: str, check: Callable[[_Draft], SmartTick], draft: _Draft
) -> SmartTick:
    """The tick, or a failed one that says what stopped it."""
    try:
        return check(draft)
    except (GoalpostError, ValueError) as problem:
        return _cannot_tell(name, problem)


def _cannot_tell(name: str, problem: GoalpostError | ValueError) -> SmartTick:
    reason = problem.message if isinstance(problem, GoalpostError) else str(problem)
    return SmartTick(name, False, CANNOT_TELL, reason)


def _specific(draft: _Draft) -> SmartTick:
    kpi = draft.kpi
    metric = draft.definitions.find_metric(kpi.metric)
    if metric is None:
        return _fail("Specific", "no metric", _unknown_metric(kpi))
    target, baseline_label, lead = resolve_target(draft.data(whole_frame=False))
    if target is None:
        return _fail("Specific", "no number", lead)
    problem = (
        _number_problem(kpi, target.value, metric)
        or _total_problem(kpi, metric, draft.definitions)
        or _period_problem(target)
    )
    if problem:
        return _fail("Specific", *problem)
    number = _target_phrase(kpi, metric.unit, target.kind, target.value, baseline_label)
    return SmartTick(
        "Specific",
        True,
        "specific",
        f"{metric.label} for {_owner(kpi)}: {number}.",
    )


def _number_problem(
    kpi: KPI, resolved: float, metric: Metric
) -> tuple[str, str] | None:
    """("no number", why) for a target that asks for nothing, else None."""
    target = kpi.target
    why = ""
    if not math.isfinite(resolved):
        why = f"The target {resolved} is not a number. Type the value to reach."
    elif target.kind == "change" and target.value == 0:
        why = "A change of +0.0 % asks for nothing new. Type the change, e.g. 0.15."
    elif target.kind in ("total", "per_period") and resolved == 0:
        why = (
            f"A {target.kind} target of 0 asks for nothing. Type the amount to "
            f"reach, or use a level target for a value {metric.label} must stay under."
        )
    elif target.kind in ("total", "per_period") and resolved < 0:
        # Money can be a loss to keep under; counts never fall below zero.
        if metric.unit != "currency":
            why = (
                f"A {target.kind} target of {resolved:g} asks for less than "
                f"nothing: {metric.label} does not go below 0. Type the amount "
                "to reach."
            )
    return ("no number", why) if why else None


def _total_problem(
    kpi: KPI, metric: Metric, definitions: Definitions
) -> tuple[str, str] | None:
    """("not a total", why) for a total target on a metric that does not add
    up over periods (a ratio, an average, a latest value), else None."""
    if kpi.target.kind != "total" or adds_up(definitions, metric):
        return None
    why = (
        f"{metric.label} does not add up over periods (it is a ratio, an average "
        "or a latest value), so a total of it means nothing. Use a level target "
        "(the value to reach by the end) or a per-period one."
    )
    return ("not a total", why)


def _period_problem(target: Target) -> tuple[str, str] | None:
    """("no period", why) for a period that is unknown or missing, else None."""
    if target.period is not None and target.period not in PERIODS:
        known = ", ".join(PERIODS)
        why = f'Period "{target.period}" is not known. Use one of: {known}.'
        return ("no period", why)
    if target.kind in ("per_period", "level") and not target.period:
        why = (
            f"A {target.kind} target is judged period by period, but it has no "
            "period. Pick week, month or another period."
        )
        return ("no period", why)
    return None


def _target_phrase(
    kpi: KPI, unit: str, kind: str, value: float, baseline_label: str | None
) -> str:
    shown = format_value(value, unit)
    if kpi.target.kind == "change":
        change = f"{kpi.target.value * 100:+.1f} %"
        return f"{change} over {baseline_label}, a {kind} of {shown}"
    if kind == "total":
        return f"a total of {shown} by {kpi.end}"
    period = kpi.target.period
    if kind == "per_period":
        planned = "its planned value, else " if kpi.target.from_plan else ""
        return f"{planned}{shown} every {period}"
    return f"a level of {shown}, judged on the latest {period}"


def _measurable(draft: _Draft) -> SmartTick:
    kpi = draft.kpi
    if draft.definitions.find_metric(kpi.metric) is None:
        return _fail("Measurable", "no data", _unknown_metric(kpi))
    found = []
    for base in metric_inputs(draft.definitions, kpi.metric):
        data = draft.rows.get(base.dataset or "")
        if data is None:
            return _fail(
                "Measurable",
                "no data",
                f'Metric "{base.name}" reads dataset "{base.dataset}", which is '
                "not loaded or not yours to see. Upload it on the Data page.",
            )
        try:
            count, first, last = _owner_rows(base, data, kpi)
        except DefinitionError as problem:
            return _fail("Measurable", "no data", problem.message)
        if not count:
            return _fail(
                "Measurable",
                "no data",
                f'Dataset "{base.dataset}" has no rows for {_owner(kpi)}'
                f"{_filtered(base)}. Check the owner's spelling, or upload their rows.",
            )
        found.append(
            f'dataset "{base.dataset}" has {_rows_text(count)} for {_owner(kpi)}'
            f"{_filtered(base)}, in data from {first} to {last}"
        )
    # Two inputs of one dataset (spend and leads) say the same thing once.
    reason = "; ".join(dict.fromkeys(found))
    return SmartTick(
        "Measurable", True, "measurable", reason[0].upper() + reason[1:] + "."
    )


def _owner_rows(base: Metric, data: Rows, kpi: KPI) -> tuple[float, date, date]:
    """How many rows of ``data`` the metric counts for the owner, and the
    dataset's first and last day (any owner)."""
    dates = data.frame[data.mapping.date].dropna()
    if dates.empty:
        return 0.0, date.min, date.min
    first, last = pd.Timestamp(dates.min()).date(), pd.Timestamp(dates.max()).date()
    # Named after the input, so that an error about it names a real metric.
    counter = Metric(base.name, base.label, base.dataset, None, "count", base.filters)
    count = metric_value(
        Definitions(metrics=(counter,)),
        counter.name,
        {base.dataset or "": data},
        start=first,
        end=last,
        where=Slice(team=kpi.team, person=kpi.person),
    )
    return count or 0.0, first, last


def _assignable(draft: _Draft) -> SmartTick:
    kpi = draft.kpi
    if not (kpi.team or kpi.person):
        return _fail(
            "Assignable",
            "no owner",
            "Nobody owns it. Set an owner team or person, so that someone "
            "answers for it.",
        )
    return SmartTick("Assignable", True, "owned", f"Owned by {_owner(kpi)}.")


def _realistic(draft: _Draft) -> tuple[RealisticFigures | None, SmartTick]:
    """The Realistic figures (None when they cannot be found) and their tick."""
    try:
        data = draft.data()
        figures = realistic_figures(data, draft.look_back)
    except (GoalpostError, ValueError) as problem:
        return None, _cannot_tell("Realistic", problem)
    reason = realistic_sentence(figures, data.metric.unit, _owner(data.kpi))
    tick = SmartTick(
        "Realistic",
        figures.passed,
        figures.verdict,
        reason,
        caution=figures.verdict == STRETCH,
    )
    return figures, tick


def _time_bound(draft: _Draft) -> SmartTick:
    kpi = draft.kpi
    if kpi.end < kpi.start:
        return _fail(
            "Time-bound",
            "no time frame",
            f"It ends ({kpi.end}) before it starts ({kpi.start}). Put the "
            "earlier date first.",
        )
    days = days_inclusive(kpi.start, kpi.end)
    name = draft.settings.frame_label(kpi.start, kpi.end)
    named = "" if kpi.start.isoformat() in name else f"{name}, "
    return SmartTick(
        "Time-bound",
        True,
        "time-bound",
        f"Starts {kpi.start} and ends {kpi.end} ({named}{days} days).",
    )


def _fail(name: str, verdict: str, reason: str) -> SmartTick:
    return SmartTick(name, False, verdict, reason)


def _unknown_metric(kpi: KPI) -> str:
    return (
        f'Metric "{kpi.metric}" is not defined. Define it on the Metrics tab, '
        "or pick another metric."
    )


def _owner(kpi: KPI) -> str:
    if kpi.team and kpi.person:
        return f"{kpi.person} ({kpi.team})"
    if kpi.person:
        return kpi.person
    return f"team {kpi.team}" if kpi.team else "everyone"


def _filtered(base: Metric) -> str:
    if not base.filters:
        return ""
    parts = [
        f"{item.column} {'!=' if item.negate else '='} {item.value}"
        for item in base.filters
    ]
    return f" where {' and '.join(parts)}"


def _rows_text(count: float) -> str:
    return "1 row" if count == 1 else f"{count:,.0f} rows"
