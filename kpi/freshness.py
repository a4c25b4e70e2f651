"""Is a dataset's data fresh? When it was last updated, and whether that is late.

A dataset may say how often new data is expected: every day, week or month.
It is *stale* once its last import is older than that plus a day of grace
(a weekly sheet uploaded on Monday is fine until Tuesday of the next week).
Nothing is stale when nobody said how often to expect data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kpi.errors import DefinitionError
from kpi.metric_checks import metric_inputs
from kpi.model import KPI, DatasetInfo, Definitions

CADENCE_DAYS: dict[str, int] = {"day": 1, "week": 7, "month": 31}
GRACE = timedelta(days=1)
_EVERY = {"day": "daily", "week": "weekly", "month": "monthly"}


@dataclass(frozen=True)
class Freshness:
    """How fresh one dataset is as of ``now``; ``age`` None when never updated."""

    dataset: str
    age: timedelta | None
    expected_every: str | None
    stale: bool
    sentence: str


def check_cadence(cadence: str | None) -> None:
    """Refuse anything but None, "day", "week" and "month"."""
    if cadence is not None and cadence not in CADENCE_DAYS:
        raise DefinitionError(
            "bad_cadence",
            f'"{cadence}" is not a known update rhythm. Choose day, week or month, '
            "or leave it unset.",
            subject=str(cadence),
        )


def freshness(info: DatasetInfo, now: datetime) -> Freshness:
    """The freshness of ``info`` at ``now`` (an aware UTC datetime).

    Updated 9 days ago, expected weekly: stale, "sales was last updated 9 days
    ago; it is expected weekly." Updated 8 days ago: 7 days + 1 of grace, not
    stale yet.
    """
    check_cadence(info.expected_every)
    if info.updated_at is None:
        return Freshness(info.name, None, info.expected_every, False, "")
    age = max(now - info.updated_at, timedelta(0))
    ago = _ago(age)
    if info.expected_every is None:
        return Freshness(
            info.name, age, None, False, f"{info.name} was last updated {ago}."
        )
    allowed = timedelta(days=CADENCE_DAYS[info.expected_every]) + GRACE
    stale = age > allowed
    every = _EVERY[info.expected_every]
    sentence = f"{info.name} was last updated {ago}; it is expected {every}"
    sentence += ". Upload the latest file." if stale else "."
    return Freshness(info.name, age, info.expected_every, stale, sentence)


def _ago(age: timedelta) -> str:
    if age < timedelta(hours=1):
        return "less than an hour ago"
    if age < timedelta(days=1):
        hours = int(age.total_seconds() // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = age.days
    return f"{days} day{'s' if days != 1 else ''} ago"


def stale_behind(
    definitions: Definitions,
    kpis: Sequence[KPI],
    datasets: Sequence[DatasetInfo],
    now: datetime,
) -> list[Freshness]:
    """The late datasets that the metrics of ``kpis`` read, each once, by name.

    A KPI whose metric cannot be resolved is skipped here; the page reports
    broken definitions on its own.
    """
    names: set[str] = set()
    for kpi in kpis:
        try:
            inputs = metric_inputs(definitions, kpi.metric)
        except DefinitionError:
            continue
        names.update(base.dataset for base in inputs if base.dataset)
    found = [freshness(info, now) for info in datasets if info.name in names]
    return sorted((f for f in found if f.stale), key=lambda f: f.dataset)
