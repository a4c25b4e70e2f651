"""Is a target realistic? The pace it needs per period, set against history.

The required pace comes from the target: a total of an additive metric is
spread over the time frame's periods (600,000 in Q1 2026 is 600,000 / 12.86
weeks = 46,667 a week, a cut week counting its share of days); a per-period
target needs its value every period; a level, and a total of a rate or an
average, needs its value in a period. A change target is resolved first.

History is the metric's own value in every whole period before the KPI
starts, for the KPI's team and person. The best 10 % of the last
``look_back`` periods (the 90th percentile, or the 10th when lower is
better) and the best period ever seen classify the pace:

- within what has been done: no better than the best 10 % threshold;
- a stretch: beyond the best 10 %, but no better than the best ever;
- beyond anything seen: better than every period on record.

The first two pass (a stretch with a caution); beyond anything seen, no
history and no target fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kpi.formatting import format_value
from kpi.kpi_data import KpiData, resolve_target
from kpi.metrics import metric_inputs, metric_series
from kpi.model import Target
from kpi.periods import bucket_end, days_inclusive, period_range
from kpi.progress import meets

WITHIN = "within what has been done"
STRETCH = "a stretch"
BEYOND = "beyond anything seen"
NO_HISTORY = "no history"
NO_TARGET = "no target"
PASSING_VERDICTS: frozenset[str] = frozenset({WITHIN, STRETCH})

# How many recent periods the best 10 % is taken from, per period.
LOOK_BACK: dict[str, int] = {
    "day": 90,
    "week": 26,
    "month": 12,
    "quarter": 8,
    "year": 5,
}
BEST_SHARE = 0.10
# A total without a period of its own is paced by the week up to half a year.
_WEEKLY_UP_TO_DAYS = 183
_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RequiredPace:
    """What the target asks of one period; ``spread_over`` is the number of
    periods a total was divided by (None when the value applies as it is)."""

    value: float
    period: str
    total: float | None = None
    spread_over: float | None = None


@dataclass(frozen=True)
class PaceHistory:
    """The metric's value in each whole period before the KPI, oldest first."""

    period: str
    values: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    look_back: int = 26

    @property
    def recent(self) -> tuple[float, ...]:
        """The last ``look_back`` values: what the best 10 % is taken from."""
        return self.values[-self.look_back :]


@dataclass(frozen=True)
class RealisticFigures:
    """The required pace beside history, and the verdict they give.

    ``best_tenth`` is the 90th percentile of ``history.recent`` (the 10th when
    lower is better); ``best`` is the best value of all of ``history``, seen
    in the period ``best_label``; ``done_in`` counts the recent periods that
    reached the required pace.
    """

    verdict: str
    direction: str
    required: RequiredPace | None
    history: PaceHistory
    best_tenth: float | None = None
    best: float | None = None
    best_label: str = ""
    done_in: int = 0
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING_VERDICTS


def realistic_figures(data: KpiData, look_back: int | None = None) -> RealisticFigures:
    """Resolve the KPI's target, find its required pace and judge it on history."""
    direction = data.metric.direction
    target, _, lead = resolve_target(data)
    period = pace_period(data, target)
    history = PaceHistory(period, look_back=look_back or _look_back(period))
    if target is None:
        return RealisticFigures(NO_TARGET, direction, None, history, note=lead)
    required = required_pace(data, target, period)
    if required is None:
        note = "The target table does not plan every day of the time frame."
        return RealisticFigures(NO_TARGET, direction, None, history, note=note)
    return judge_pace(required, pace_history(data, period, look_back), direction)


def pace_period(data: KpiData, target: Target | None) -> str:
    """The target's own period; for a total without one, week or month by length."""
    if target is not None and target.period:
        return target.period
    days = days_inclusive(data.kpi.start, data.kpi.end)
    return "week" if days <= _WEEKLY_UP_TO_DAYS else "month"


def periods_in_frame(data: KpiData, period: str) -> float:
    """The frame in periods, a cut period counting the share of its days inside.

    Q1 2026 in Monday weeks: 4/7 (29 Dec - 4 Jan) + 12 + 2/7 (30-31 Mar) =
    12.86; the calendar year 2026 in months: 12.
    """
    kpi, settings = data.kpi, data.settings
    buckets = period_range(
        kpi.start, kpi.end, period, settings.week_start, settings.fiscal_start_month
    )
    total = 0.0
    for bucket in buckets:
        first, last = bucket.date(), bucket_end(bucket, period).date()
        inside = days_inclusive(max(first, kpi.start), min(last, kpi.end))
        total += inside / days_inclusive(first, last)
    return total


def required_pace(data: KpiData, target: Target, period: str) -> RequiredPace | None:
    """The value one period must reach; None when the target table has no line."""
    kpi, additive = data.kpi, data.metric.is_additive
    value = target.value
    if target.kind == "per_period" and target.from_plan:
        planned = data.planned(kpi.start, kpi.end)
        if planned is None:
            return None
        value = planned
    spread = target.kind == "total" or (
        target.kind == "per_period" and target.from_plan
    )
    if not (spread and additive):
        return RequiredPace(value, period)
    periods = periods_in_frame(data, period)
    return RequiredPace(value / periods, period, value, periods)


def pace_history(
    data: KpiData, period: str, look_back: int | None = None
) -> PaceHistory:
    """The metric for the KPI's owner in each whole period before it starts.

    A period counts when it starts on or after the day every input's rows
    begin, starts no later than their last row, and ends before the KPI
    starts and by today: a half-filled first or last period would pass for a
    quiet one. Periods without a value (a rate over nothing) are left out.
    """
    settings = data.settings
    empty = PaceHistory(period, look_back=look_back or _look_back(period))
    first, data_end = _data_start(data), data.data_end()
    last = min(data.kpi.start - timedelta(days=1), data.timeline.today)
    if first is None or data_end is None or last < first:
        return empty
    cut = (period, settings.week_start, settings.fiscal_start_month)
    whole = [
        bucket
        for bucket in period_range(first, last, *cut)
        if first <= bucket.date() <= data_end
        and bucket_end(bucket, period).date() <= last
    ]
    if not whole:
        return empty
    start, end = whole[0].date(), bucket_end(whole[-1], period).date()
    if not data.has_rows(start, end):
        return empty

    series = metric_series(
        data.definitions,
        data.metric.name,
        data.rows,
        period=period,
        start=start,
        end=end,
        where=data.where,
        week_start=settings.week_start,
        fiscal_start_month=settings.fiscal_start_month,
    ).dropna(subset=["value"])
    values = tuple(float(value) for value in series["value"])
    labels = tuple(settings.label(pd.Timestamp(b), period) for b in series["bucket"])
    return PaceHistory(period, values, labels, empty.look_back)


def judge_pace(
    required: RequiredPace, history: PaceHistory, direction: str
) -> RealisticFigures:
    """Classify ``required`` against ``history`` (see the module's docstring).

    Higher is better, last 10 weeks 10, 20, ..., 100: the 90th percentile is
    91 (numpy's linear interpolation), so 80 is within, 95 a stretch and 101
    beyond anything seen.
    """
    recent = history.recent
    if not recent:
        return RealisticFigures(NO_HISTORY, direction, required, history)

    higher = direction == "higher"
    best_tenth = float(np.quantile(recent, 1 - BEST_SHARE if higher else BEST_SHARE))
    values = np.asarray(history.values)
    best_at = int(np.argmax(values) if higher else np.argmin(values))
    best = float(values[best_at])
    # Equal figures count as reached, however the division rounded.
    slack = _RELATIVE_TOLERANCE * max(1.0, abs(required.value))
    needed = required.value - slack if higher else required.value + slack
    done_in = sum(1 for value in recent if meets(value, needed, direction))

    if meets(best_tenth, needed, direction):
        verdict = WITHIN
    elif meets(best, needed, direction):
        verdict = STRETCH
    else:
        verdict = BEYOND
    return RealisticFigures(
        verdict,
        direction,
        required,
        history,
        best_tenth,
        best,
        history.labels[best_at] if best_at < len(history.labels) else "",
        done_in,
    )


def realistic_sentence(figures: RealisticFigures, unit: str, where: str) -> str:
    """The verdict with its figures, for the Realistic tick.

    "Needs at least 46,154 a week (600,000 over 13 weeks); 2 of the last 26
    weeks did it, the best 10 % reached 41,000, the best ever 52,300
    (2025-W14): a stretch." ``where`` names the owner ("team Sales East").
    """
    required = figures.required
    if required is None:
        lead = f"{figures.note} " if figures.note else ""
        return f"{lead}There is no target to set against history: {NO_TARGET}."

    period = required.period
    bound = "at least" if figures.direction == "higher" else "at most"
    needs = f"Needs {bound} {format_value(required.value, unit)} a {period}"
    if required.total is not None and required.spread_over is not None:
        over = _periods(required.spread_over, period)
        needs += f" ({format_value(required.total, unit)} over {over})"
    if figures.verdict == NO_HISTORY:
        return (
            f"{needs}, but there is no whole {period} of data for {where} before "
            f"the KPI starts to compare it with: {NO_HISTORY}."
        )

    seen = len(figures.history.recent)
    return (
        f"{needs}; {figures.done_in} of the last {_periods(seen, period)} did it, "
        f"the best 10 % reached {format_value(figures.best_tenth, unit)}, the best "
        f"ever {format_value(figures.best, unit)} ({figures.best_label}): "
        f"{figures.verdict}."
    )


def _look_back(period: str) -> int:
    # An unknown period is refused where the periods are cut, with its reason.
    return LOOK_BACK.get(period, LOOK_BACK["week"])


def _periods(count: float, period: str) -> str:
    """'13 weeks', '12.9 weeks', '1 month'."""
    shown = f"{count:.1f}".rstrip("0").rstrip(".")
    return f"{shown} {period}" if shown == "1" else f"{shown} {period}s"


def _data_start(data: KpiData) -> date | None:
    """The first day every dataset behind the metric has rows for (any owner)."""
    starts = []
    for base in metric_inputs(data.definitions, data.metric.name):
        found = data.rows.get(base.dataset or "")
        if found is None or found.frame.empty:
            return None
        first = found.frame[found.mapping.date].min()
        if pd.isna(first):
            return None
        starts.append(pd.Timestamp(first).date())
    return max(starts) if starts else None
