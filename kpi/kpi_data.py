"""What a KPI is judged on: its metric, slice, time frame, target and buckets.

``kpi.evaluate`` judges; this module fetches. A change target is resolved
here to the total or level number it stands for, and a time frame is cut into
buckets of a period, each with its in-frame days and its value to date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kpi.errors import DefinitionError
from kpi.formatting import format_fraction, format_value
from kpi.metrics import Rows, Slice, metric_inputs, metric_series, metric_value
from kpi.model import KPI, TARGET_KINDS, Definitions, Metric, Target
from kpi.periods import (
    bucket_end,
    days_inclusive,
    period_range,
)
from kpi.progress import Timeline
from kpi.settings import WorkspaceSettings
from kpi.target_plan import plan_table, planned_value


@dataclass(frozen=True)
class KpiData:
    """One KPI's metric, slice and time frame, with the look-ups it needs."""

    kpi: KPI
    metric: Metric
    definitions: Definitions
    rows: Mapping[str, Rows]
    settings: WorkspaceSettings
    timeline: Timeline

    @property
    def at_risk_pace(self) -> float:
        """The KPI's own status band when it keeps one, else the workspace's."""
        if self.kpi.at_risk_pace is not None:
            return self.kpi.at_risk_pace
        return self.settings.at_risk_pace

    @property
    def where(self) -> Slice:
        return Slice(team=self.kpi.team, person=self.kpi.person)

    def value(self, start: date, end: date) -> float | None:
        return metric_value(
            self.definitions,
            self.metric.name,
            self.rows,
            start=start,
            end=end,
            where=self.where,
        )

    def planned(
        self, start: date, end: date, *, summed: bool | None = None
    ) -> float | None:
        """The target table's value for ``start``..``end`` and this KPI's owner.

        Summed over the window for an additive metric (or when ``summed``),
        else the value in force on ``end`` (``kpi.target_plan.planned_value``);
        None without a line.
        """
        return planned_value(
            self.definitions.targets,
            self.metric.name,
            start,
            end,
            team=self.kpi.team,
            person=self.kpi.person,
            additive=self.metric.is_additive if summed is None else summed,
        )

    def data_end(self) -> date | None:
        """The last day any dataset behind the metric has a row for (any owner).

        A log of events (one row per blog post) ends at its last event, so
        this cannot tell a stale spreadsheet from a quiet month; the judgement
        only says where the rows stop.
        """
        ends = []
        for base in metric_inputs(self.definitions, self.metric.name):
            data = self.rows.get(base.dataset or "")
            if data is None or data.frame.empty:
                continue
            last = data.frame[data.mapping.date].max()
            if pd.notna(last):
                ends.append(pd.Timestamp(last).date())
        return max(ends) if ends else None

    def has_rows(self, start: date, end: date) -> bool:
        """True when any input of the metric has a row in the window and slice."""
        for base in metric_inputs(self.definitions, self.metric.name):
            # Named after the input, so that an error about it names a real metric.
            counter = Metric(
                base.name, base.label, base.dataset, None, "count", base.filters
            )
            count = metric_value(
                Definitions(metrics=(counter,)),
                counter.name,
                self.rows,
                start=start,
                end=end,
                where=self.where,
            )
            if count:
                return True
        return False


def kpi_data(
    kpi: KPI,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    today: date,
    settings: WorkspaceSettings,
) -> KpiData:
    """Check ``kpi`` and gather what judging it needs; raises ``DefinitionError``
    (bad_time_frame, unknown_target_kind, unknown_metric) for a broken KPI."""
    if kpi.end < kpi.start:
        raise DefinitionError(
            "bad_time_frame",
            f'KPI "{kpi.key}" ends ({kpi.end}) before it starts ({kpi.start}). '
            "Put the earlier date first.",
            subject=kpi.key,
        )
    if kpi.target.kind not in TARGET_KINDS:
        raise DefinitionError(
            "unknown_target_kind",
            f'KPI "{kpi.key}" has target kind "{kpi.target.kind}". '
            f"Use one of: {', '.join(TARGET_KINDS)}.",
            subject=kpi.key,
        )
    try:
        metric = definitions.metric(kpi.metric)
    except KeyError:
        raise DefinitionError(
            "unknown_metric",
            f'KPI "{kpi.key}" measures metric "{kpi.metric}", which is not '
            "defined. Define the metric first, or pick another one.",
            subject=kpi.key,
        ) from None
    timeline = Timeline(kpi.start, kpi.end, today)
    return KpiData(kpi, metric, definitions, rows, settings, timeline)


def resolve_target(data: KpiData) -> tuple[Target | None, str | None, str]:
    """The target to judge, the baseline's label and a sentence leading the
    explanation. A change target becomes a total or level target:
    +15 % over Q4 2025 (40,000) -> 46,000. None when the baseline has no data.
    """
    target, kpi = data.kpi.target, data.kpi
    if target.from_plan and target.kind in ("total", "level"):
        return _planned_target(data)
    if target.kind != "change":
        return target, None, ""
    if target.baseline_start is None or target.baseline_end is None:
        raise DefinitionError(
            "missing_baseline",
            f'KPI "{kpi.key}" has a change target without a baseline period. Set '
            "baseline_start and baseline_end, e.g. 2025-10-01 and 2025-12-31.",
            subject=kpi.key,
        )
    if target.resolves_to not in ("total", "level"):
        raise DefinitionError(
            "unknown_target_kind",
            f'KPI "{kpi.key}": a change target resolves to "total" or "level", '
            f'not "{target.resolves_to}". Choose one of the two.',
            subject=kpi.key,
        )

    name = data.settings.frame_label(target.baseline_start, target.baseline_end)
    change = f"{target.value * 100:+.1f}%"
    has_rows = data.has_rows(target.baseline_start, target.baseline_end)
    base = data.value(target.baseline_start, target.baseline_end) if has_rows else None
    if base is None:
        return (
            None,
            f"{name} (no data)",
            (
                f"The baseline period {name} has no data, so the {change} target "
                "cannot be set."
            ),
        )
    unit = data.metric.unit
    label = f"{name} ({format_value(base, unit)})"
    value = (1 + target.value) * base
    level_baseline = base if target.baseline is None else target.baseline
    resolved = Target(target.resolves_to, value, target.period, level_baseline)
    lead = f"Target {change} over {label} = {format_value(value, unit)}."
    return resolved, label, lead


def _planned_target(data: KpiData) -> tuple[Target | None, str | None, str]:
    kpi, target = data.kpi, data.kpi.target
    # A level is reached at one moment: the line in force at the end, never a sum.
    summed = data.metric.is_additive and target.kind == "total"
    value = data.planned(kpi.start, kpi.end, summed=summed)
    frame = data.settings.frame_label(kpi.start, kpi.end)
    if value is None:
        gaps = ", ".join(
            data.settings.frame_label(first, last) for first, last in _plan_gaps(data)
        )
        lead = (
            f"The target table has no line for {gaps or 'some days'} of {frame}, "
            f"so this KPI has no target. Plan {data.metric.label} for "
            f"{_owner(kpi)} on the Targets tab, or untick "
            '"Take the target from the target table".'
        )
        return None, None, lead
    how = "the sum of its months" if summed else "the value in force at its end"
    lead = (
        f"Target from the target table ({how} for {frame}): "
        f"{format_value(value, data.metric.unit)}."
    )
    return replace(target, value=value), None, lead


def _plan_gaps(data: KpiData) -> list[tuple[date, date]]:
    """The runs of days of the KPI's frame without a line in the target table."""
    kpi = data.kpi
    rows = plan_table(data.definitions.targets, data.metric.name, kpi.team, kpi.person)
    gaps, day = [], kpi.start
    for row in rows:
        if row.end < day:
            continue
        if row.start > kpi.end:
            break
        if row.start > day:
            gaps.append((day, row.start - timedelta(days=1)))
        day = row.end + timedelta(days=1)
    if day <= kpi.end:
        gaps.append((day, kpi.end))
    return gaps


def _owner(kpi: KPI) -> str:
    return " · ".join(p for p in (kpi.team, kpi.person) if p) or "the company"


def bucket_targets(data: KpiData, frame: pd.DataFrame, period: str) -> list[float]:
    """Each bucket's own target for a per-period KPI.

    A bucket cut by the edge of the time frame is judged on its days inside
    the frame; for an additive metric its target is pro-rated to those days
    (2 posts a week, a week with 4 days in the frame: 2 × 4/7 = 1.14), for a
    rate or average the full target applies. A KPI that takes its targets
    from the target table reads each bucket's in-frame days there (a sum of
    days for an additive metric, the value in force on the bucket's last day
    otherwise); a bucket the table has no line for gets NaN and is not judged.
    """
    target = data.kpi.target
    targets = []
    for bucket, first, last in zip(
        frame["bucket"], frame["first_day"], frame["last_day"], strict=True
    ):
        if target.from_plan:
            planned = data.planned(first.date(), last.date())
            targets.append(np.nan if planned is None else planned)
            continue
        value = target.value
        if data.metric.is_additive:
            whole_first, whole_last = bucket.date(), bucket_end(bucket, period).date()
            inside = days_inclusive(first.date(), last.date())
            value *= inside / days_inclusive(whole_first, whole_last)
        targets.append(value)
    return targets


def bucket_frame(data: KpiData, period: str) -> pd.DataFrame:
    """One row per bucket of the frame with its in-frame days and its value.

    ``finished`` buckets end (inside the frame) on or before today; the
    ``partial`` one has started but not ended; later buckets have no value,
    and neither has any bucket when the owner has no row in the frame so far.
    """
    kpi, settings, timeline = data.kpi, data.settings, data.timeline
    cut = (period, settings.week_start, settings.fiscal_start_month)
    starts = pd.DatetimeIndex(period_range(kpi.start, kpi.end, *cut)).as_unit("ns")
    first_days = starts.where(
        starts >= pd.Timestamp(kpi.start), pd.Timestamp(kpi.start)
    )
    last_days = pd.DatetimeIndex([bucket_end(start, period) for start in starts])
    last_days = last_days.where(
        last_days <= pd.Timestamp(kpi.end), pd.Timestamp(kpi.end)
    )
    today = pd.Timestamp(timeline.today)

    values = pd.Series(np.nan, index=starts)
    # Without a single row for this owner, buckets have no value, not zeros.
    if not timeline.not_started and data.has_rows(kpi.start, timeline.elapsed_end):
        found = metric_series(
            data.definitions,
            data.metric.name,
            data.rows,
            period=period,
            start=kpi.start,
            end=timeline.elapsed_end,
            where=data.where,
            week_start=settings.week_start,
            fiscal_start_month=settings.fiscal_start_month,
        )
        by_bucket = found.set_index(pd.DatetimeIndex(found["bucket"]).as_unit("ns"))
        values = by_bucket["value"].reindex(starts)

    return pd.DataFrame(
        {
            "bucket": starts,
            "label": [settings.label(start, period) for start in starts],
            "value": values.to_numpy(dtype=float),
            "partial": (first_days <= today) & (today < last_days),
            "finished": last_days <= today,
            "first_day": first_days,
            "last_day": last_days,
        }
    )


def pacing(data: KpiData) -> tuple[Callable[[date], float], str]:
    """The share of the target expected by a day, and a note on how it was found.

    Linear: days elapsed / days in the frame. Seasonal: last year's metric from
    the same start through the same day, over last year's whole frame; linear
    again, with a note, when last year has no data.
    """
    kpi, timeline = data.kpi, data.timeline

    def linear(day: date) -> float:
        return days_inclusive(kpi.start, day) / timeline.total_days

    if kpi.target.from_plan and data.metric.is_additive:
        return _plan_pacing(data, linear)
    if not data.settings.seasonal_pacing:
        return linear, ""
    first, last = year_earlier(kpi.start), year_earlier(kpi.end)
    whole = data.value(first, last) if data.has_rows(first, last) else None
    if whole is None or whole <= 0:
        return linear, "Last year has no data for these dates, so pacing is linear."

    known: dict[date, float] = {}

    def seasonal(day: date) -> float:
        if day not in known:
            known[day] = (data.value(first, year_earlier(day)) or 0.0) / whole
        return known[day]

    share = format_fraction(seasonal(timeline.elapsed_end))
    return seasonal, f"Expected follows last year, which had {share} by this date."


def _plan_pacing(
    data: KpiData, linear: Callable[[date], float]
) -> tuple[Callable[[date], float], str]:
    """Expected-to-date along the target table: planned so far / planned in all."""
    kpi = data.kpi
    whole = data.planned(kpi.start, kpi.end)
    if not whole:
        return linear, ""

    def planned_share(day: date) -> float:
        if day < kpi.start:
            return 0.0
        return (data.planned(kpi.start, min(day, kpi.end)) or 0.0) / whole

    share = format_fraction(planned_share(data.timeline.elapsed_end))
    return planned_share, f"Expected follows the target table: {share} by this date."


def target_period(kpi: KPI, target: Target) -> str:
    if target.period is None:
        raise DefinitionError(
            "missing_period",
            f'KPI "{kpi.key}" has a {target.kind} target without a period. Set '
            "the target's period (week, month, ...) in the KPI definition.",
            subject=kpi.key,
        )
    return target.period


def year_earlier(day: date) -> date:
    # 29 February has no twin a year earlier; the 28th stands in for it.
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)
