"""Evaluate one KPI against its rows: the figures, the status and a chart series.

The data is fetched here (``kpi.metrics``) and judged by the pure functions
of ``kpi.progress``. Rules, as DESIGN.md states them:

- total: actual = the metric over start..today (capped to the frame);
  expected-to-date = target × elapsed share (linear, or last year's share of
  the same dates with seasonal pacing).
- per_period: each bucket of ``target.period`` that has finished is judged
  on its own; a bucket cut by the frame is judged on its days inside it,
  against the full target; the unfinished bucket is not judged.
- level: the latest finished bucket (else the unfinished one) against the
  target, progress measured from the baseline (default: the first bucket).
- change: resolved to a total or level target = (1 + value) × the metric
  over the baseline period, then judged as that kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from kpi.compare import window_label
from kpi.formatting import format_value
from kpi.kpi_data import (
    KpiData,
    bucket_frame,
    bucket_targets,
    kpi_data,
    pacing,
    resolve_target,
    target_period,
)
from kpi.metrics import Rows, metric_inputs, metric_value
from kpi.model import KPI, Definitions, Metric, Target
from kpi.periods import bucket_end, days_inclusive
from kpi.progress import (
    Judgement,
    judge_level,
    judge_per_period,
    judge_total,
    no_data,
    not_started,
    pace_ratio,
)
from kpi.projection import PROJECTION_COLUMNS, project
from kpi.report import SERIES_COLUMNS, KpiReport
from kpi.settings import WorkspaceSettings

__all__ = ["DEFAULT_SETTINGS", "SERIES_COLUMNS", "KpiReport", "evaluate_kpi"]

DEFAULT_SETTINGS = WorkspaceSettings()
# A figure and the name of what it covers: (3.0, "2026-W08").
Labelled = tuple[float | None, str]


def evaluate_kpi(
    kpi: KPI,
    definitions: Definitions,
    rows: Mapping[str, Rows],
    *,
    today: date,
    settings: WorkspaceSettings = DEFAULT_SETTINGS,
    chart_period: str | None = None,
) -> KpiReport:
    """Judge ``kpi`` as of ``today``, data being complete through today inclusive.

    Worked value: revenue target 1,200,000 for 2026 with 380,000 through 30
    April -> 120 of 365 days, expected 394,520.55, pace 96.3 % -> at risk,
    3,346.94 still needed per remaining day. ``chart_period`` sets the buckets
    of a total KPI's series; per_period and level KPIs chart their target's
    period, the buckets they are judged on.
    """
    data = kpi_data(kpi, definitions, rows, today, settings)
    target, baseline_label, lead = resolve_target(data)
    if target is None:
        frame = bucket_frame(data, _chart_period(kpi, chart_period))
        judgement = no_data(data.timeline, lead)
        return _report(data, judgement, (None, ""), None, baseline_label, frame)

    shown_target: float | None = target.value
    if target.kind == "total":
        judgement, actual, frame = _total(data, target, chart_period)
    elif target.kind == "per_period":
        judgement, actual, frame = _per_period(data, target)
        # The card sets the bucket it shows beside that bucket's own target.
        if actual[1]:
            shown_target = bucket_target(frame, actual[1])
    else:
        judgement, actual, frame = _level(data, target)
    if lead and judgement.status != "not started":
        judgement = replace(judgement, explanation=f"{lead} {judgement.explanation}")
    data_end = data.data_end()
    started = not data.timeline.not_started
    if started and data_end is not None and data_end < data.timeline.elapsed_end:
        judgement = replace(
            judgement,
            explanation=f"{judgement.explanation} The last row behind this KPI "
            f"is dated {data_end}: if the spreadsheet stops there, the days "
            "after it count as nothing until it is uploaded again.",
        )
    forecast, frame = project(data, target, actual[0], frame)
    report = _report(data, judgement, actual, shown_target, baseline_label, frame)
    parts = _parts(data, target.kind, actual, frame)
    return replace(report, forecast=forecast, parts=parts)


def _total(
    data: KpiData, target: Target, chart_period: str | None
) -> tuple[Judgement, Labelled, pd.DataFrame]:
    kpi, timeline = data.kpi, data.timeline
    frame = bucket_frame(data, _chart_period(kpi, chart_period))
    share_by, note = pacing(data)
    path = [target.value * share_by(day.date()) for day in frame["last_day"]]
    if timeline.not_started:
        return not_started(timeline), (None, ""), _with_lines(frame, path, None)

    has_rows = data.has_rows(kpi.start, timeline.elapsed_end)
    actual = data.value(kpi.start, timeline.elapsed_end) if has_rows else None
    judgement = judge_total(
        actual,
        target.value,
        direction=data.metric.direction,
        timeline=timeline,
        expected_share=share_by(timeline.elapsed_end),
        at_risk_pace=data.at_risk_pace,
        unit=data.metric.unit,
    )
    if note and judgement.pace is not None:
        judgement = replace(judgement, explanation=f"{judgement.explanation} {note}")

    today = pd.Timestamp(timeline.today)
    expected = [
        target.value * share_by(min(last, today).date()) if first <= today else np.nan
        for first, last in zip(frame["first_day"], frame["last_day"], strict=True)
    ]
    label = window_label(kpi.start, timeline.elapsed_end)
    return judgement, (actual, label), _with_lines(frame, path, expected)


def _per_period(
    data: KpiData, target: Target
) -> tuple[Judgement, Labelled, pd.DataFrame]:
    kpi, timeline, metric = data.kpi, data.timeline, data.metric
    period = target_period(kpi, target)
    frame = bucket_frame(data, period)
    targets = np.array(bucket_targets(data, frame, period), dtype=float)
    finished = frame["finished"].to_numpy()
    judged = [
        None if np.isnan(value) else float(value)
        for value in frame.loc[finished, "value"]
    ]
    has_rows = not timeline.not_started and data.has_rows(
        kpi.start, timeline.elapsed_end
    )

    expected = np.full(len(frame), np.nan)
    current_pace = None
    for position in np.flatnonzero(frame["partial"].to_numpy()):
        row = frame.iloc[position]
        # An additive bucket is compared with the share of its target due by now.
        share = days_inclusive(row["first_day"].date(), timeline.today) / (
            days_inclusive(row["first_day"].date(), row["last_day"].date())
        )
        due = targets[position] * share if metric.is_additive else targets[position]
        expected[position] = due if metric.is_additive else np.nan
        if not np.isnan(row["value"]):
            current_pace = pace_ratio(float(row["value"]), due, metric.direction)

    judgement = judge_per_period(
        judged,
        target.value,
        direction=metric.direction,
        timeline=timeline,
        at_risk_pace=data.at_risk_pace,
        has_data=has_rows,
        period=period,
        unit=metric.unit,
        current_pace=current_pace,
        bucket_targets=targets[finished].tolist(),
    )
    judgement = _add_notes(judgement, _per_period_notes(frame, period, kpi, metric))
    done = frame.loc[finished, "value"]
    started = frame.loc[frame["first_day"] <= pd.Timestamp(timeline.today), "value"]
    shown = done if done.notna().any() else started
    actual = _last_labelled(frame, shown) if has_rows else (None, "")
    return judgement, actual, _with_lines(frame, targets.tolist(), expected)


def bucket_target(report_series: pd.DataFrame, label: str) -> float | None:
    """The target of the bucket named ``label`` in a report's series, or None."""
    found = report_series.loc[report_series["label"] == label, "target"]
    if not len(found) or pd.isna(found.iloc[0]):
        return None
    return float(found.iloc[0])


def _per_period_notes(
    frame: pd.DataFrame, period: str, kpi: KPI, metric: Metric
) -> list[str]:
    notes = []
    if frame["partial"].any():
        label = frame.loc[frame["partial"], "label"].iloc[0]
        notes.append(f"The current {period} ({label}) is judged once it ends.")
    ends = [bucket_end(start, period) for start in frame["bucket"]]
    cut = (frame["first_day"] > frame["bucket"]) | (frame["last_day"] < ends)
    if cut.any():
        rule = (
            "against its target pro-rated to those days"
            if metric.is_additive
            else "against the full target"
        )
        notes.append(
            f"A {period} cut by the time frame ({kpi.start} to {kpi.end}) is "
            f"judged on its days inside it, {rule}."
        )
    return notes


def _level(data: KpiData, target: Target) -> tuple[Judgement, Labelled, pd.DataFrame]:
    kpi, timeline, metric = data.kpi, data.timeline, data.metric
    period = target_period(kpi, target)
    frame = bucket_frame(data, period)
    has_rows = not timeline.not_started and data.has_rows(
        kpi.start, timeline.elapsed_end
    )
    known = frame[frame["value"].notna()] if has_rows else frame.iloc[:0]

    # The latest finished bucket speaks for the level; else the unfinished one.
    finished = known[known["finished"]]
    picked = finished if len(finished) else known[known["partial"]]
    current, current_label = None, ""
    if len(picked):
        row = picked.iloc[-1]
        current = float(row["value"])
        which = "latest finished" if len(finished) else "current, unfinished"
        current_label = f"The {which} {period} ({row['label']})"

    baseline, notes = target.baseline, []
    if baseline is None and len(known):
        first = known.iloc[0]
        baseline = float(first["value"])
        shown = format_value(baseline, metric.unit)
        notes.append(f"The baseline is the first {period}, {first['label']} ({shown}).")
    judgement = judge_level(
        current,
        baseline,
        target.value,
        direction=metric.direction,
        timeline=timeline,
        at_risk_pace=data.at_risk_pace,
        unit=metric.unit,
        current_label=current_label,
        provisional=not len(finished),
        elapsed_share=_share_at_end_of(picked, data) if len(picked) else None,
    )
    if current is not None:
        judgement = _add_notes(judgement, notes)
    label = str(picked.iloc[-1]["label"]) if current is not None else ""
    return judgement, (current, label), _with_lines(frame, target.value, None)


def _report(
    data: KpiData,
    judgement: Judgement,
    actual: Labelled,
    target_value: float | None,
    baseline_label: str | None,
    frame: pd.DataFrame,
) -> KpiReport:
    needed = judgement.needed_per_day
    if "target" not in frame.columns:
        frame = _with_lines(
            frame, np.nan if target_value is None else target_value, None
        )
    missing = [name for name in PROJECTION_COLUMNS if name not in frame.columns]
    frame = frame.assign(**{name: np.nan for name in missing})
    return KpiReport(
        kpi=data.kpi,
        metric=data.metric,
        status=judgement.status,
        outcome=judgement.outcome,
        actual=actual[0],
        actual_label=actual[1],
        target_value=target_value,
        progress=judgement.progress,
        expected_to_date=judgement.expected_to_date,
        pace=judgement.pace,
        needed_per_day=needed,
        needed_per_week=None if needed is None else needed * 7,
        hit_rate=judgement.hit_rate,
        baseline_label=baseline_label,
        elapsed_days=data.timeline.elapsed_days,
        total_days=data.timeline.total_days,
        series=frame.loc[:, list(SERIES_COLUMNS)].reset_index(drop=True),
        explanation=judgement.explanation,
    )


def _with_lines(
    frame: pd.DataFrame,
    target: float | list[float],
    expected: float | list[float] | np.ndarray | None,
) -> pd.DataFrame:
    return frame.assign(
        target=target, expected=np.nan if expected is None else expected
    )


def _add_notes(judgement: Judgement, notes: list[str]) -> Judgement:
    if not notes or judgement.status in ("not started", "no data"):
        return judgement
    return replace(judgement, explanation=" ".join([judgement.explanation, *notes]))


def _share_at_end_of(picked: pd.DataFrame, data: KpiData) -> float:
    """The share of the frame gone by the end of the judged bucket.

    A level is judged on one bucket, so its pace sets that bucket's progress
    against the time gone when it ends: on 1 January a running January is
    weighed against 31 of 365 days, not 1 (which would give a pace of
    thousands of percent).
    """
    last = picked.iloc[-1]["last_day"].date()
    timeline = data.timeline
    return days_inclusive(data.kpi.start, last) / timeline.total_days


def _parts(
    data: KpiData, kind: str, actual: Labelled, frame: pd.DataFrame
) -> dict[str, float]:
    """Each additive base input over the window of ``actual``; {} otherwise."""
    metric, timeline = data.metric, data.timeline
    if not metric.is_derived or actual[0] is None:
        return {}
    inputs = metric_inputs(data.definitions, metric.name)
    if not all(base.is_additive for base in inputs):
        return {}
    if kind == "total":
        first, last = data.kpi.start, timeline.elapsed_end
    else:
        row = frame.loc[frame["label"] == actual[1]].iloc[0]
        first = row["first_day"].date()
        last = min(row["last_day"].date(), timeline.elapsed_end)
    parts = {}
    for base in inputs:
        value = metric_value(
            data.definitions,
            base.name,
            data.rows,
            start=first,
            end=last,
            where=data.where,
        )
        parts[base.name] = 0.0 if value is None else value
    return parts


def _last_labelled(frame: pd.DataFrame, values: pd.Series) -> Labelled:
    """The last known value of ``values`` with its bucket's label."""
    known = values.dropna()
    if not len(known):
        return None, ""
    return float(known.iloc[-1]), str(frame.loc[known.index[-1], "label"])


def _chart_period(kpi: KPI, chart_period: str | None) -> str:
    if chart_period is not None:
        return chart_period
    if kpi.target.kind in ("per_period", "level") or kpi.target.period:
        return kpi.target.period or "month"
    days = days_inclusive(kpi.start, kpi.end)
    return "day" if days <= 31 else "week" if days <= 183 else "month"
