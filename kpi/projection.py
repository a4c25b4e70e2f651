"""A KPI's forecast, fitted to its kind and laid onto its chart series.

``kpi.forecast`` holds the models; this module feeds each one the figures
of one KPI and adds three columns to the series, one value per bucket still
to come: ``projected`` (the dashed line) and ``projected_low`` ..
``projected_high`` (its 80 % band). The line starts at the last bucket with
an actual value, so it continues the drawn line; for a total KPI the values
are running totals, matching the cumulative chart.

No forecast is made before the frame starts, after it ends (the outcome is
known), without a single value in the frame, or for a total of a metric
that does not add up day by day (a rate or an average).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.forecast import Forecast, forecast_level, forecast_per_period, forecast_total
from kpi.kpi_data import KpiData
from kpi.metrics import metric_series
from kpi.model import Target
from kpi.periods import bucket_end, days_inclusive
from kpi.progress import meets

PROJECTION_COLUMNS: tuple[str, ...] = ("projected", "projected_low", "projected_high")


def project(
    data: KpiData, target: Target, actual: float | None, frame: pd.DataFrame
) -> tuple[Forecast | None, pd.DataFrame]:
    """The forecast for ``data``'s KPI judged against ``target``, and ``frame``
    with the projection columns (all NaN when there is no forecast)."""
    timeline = data.timeline
    empty = frame.assign(**{column: np.nan for column in PROJECTION_COLUMNS})
    if timeline.not_started or timeline.ended or frame["value"].isna().all():
        return None, empty

    if target.kind == "total":
        if actual is None or not data.metric.is_additive:
            return None, empty
        return _total(data, target, actual, empty)
    if target.kind == "per_period":
        return _per_period(data, target, empty)
    return _level(data, target, empty)


def _total(
    data: KpiData, target: Target, actual: float, frame: pd.DataFrame
) -> tuple[Forecast, pd.DataFrame]:
    timeline, kpi = data.timeline, data.kpi
    daily = metric_series(
        data.definitions,
        data.metric.name,
        data.rows,
        period="day",
        start=kpi.start,
        end=timeline.elapsed_end,
        where=data.where,
    )["value"]
    # The dashed line leaves the running total to date, drawn on the current
    # bucket, and reaches each later bucket's end.
    today = pd.Timestamp(timeline.today)
    ahead = [(last - today).days for last in frame["last_day"]]
    started = frame["first_day"] <= today
    coming = [int(p) for p in np.flatnonzero(~started.to_numpy())]
    anchor = int(np.flatnonzero(started.to_numpy())[-1]) if started.any() else None
    forecast = forecast_total(
        daily.fillna(0.0).tolist(),
        actual=actual,
        remaining_days=timeline.remaining_days,
        target=target.value,
        direction=data.metric.direction,
        step_days=[ahead[position] for position in coming],
    )
    return forecast, _lay(frame, forecast, coming, anchor, running_total=actual)


def _per_period(
    data: KpiData, target: Target, frame: pd.DataFrame
) -> tuple[Forecast, pd.DataFrame]:
    finished = frame["finished"].to_numpy()
    judged = frame.loc[finished, ["value", "target"]].dropna()
    passed = [
        meets(value, goal, data.metric.direction)
        for value, goal in zip(judged["value"], judged["target"], strict=True)
    ]
    # Only whole buckets speak for a whole bucket; cut ones are shorter.
    whole = frame["finished"] & (frame["first_day"] == frame["bucket"])
    whole &= frame["last_day"] == frame["bucket"].map(
        lambda first: bucket_end(first, target.period or "month")
    )
    coming = [int(p) for p in np.flatnonzero(~finished)]
    forecast = forecast_per_period(
        frame.loc[whole, "value"].dropna().tolist(),
        remaining=len(coming),
        target=target.value,
        direction=data.metric.direction,
        already_missed=not all(passed),
        passed=sum(passed),
        judged=len(passed),
        remaining_targets=[
            _whole_bucket_target(data, frame.iloc[position], target)
            for position in coming
        ],
    )
    return forecast, _lay(frame, forecast, coming, None, running_total=None)


def _whole_bucket_target(data: KpiData, row: pd.Series, target: Target) -> float:
    """A bucket's target as a whole bucket's worth: a stub cut by the frame
    has a pro-rated target for an additive metric, so scale it back up."""
    goal = float(row["target"])
    if not data.metric.is_additive:
        return goal
    whole = days_inclusive(
        row["bucket"].date(), bucket_end(row["bucket"], target.period or "month").date()
    )
    inside = days_inclusive(row["first_day"].date(), row["last_day"].date())
    return goal * whole / inside


def _level(
    data: KpiData, target: Target, frame: pd.DataFrame
) -> tuple[Forecast, pd.DataFrame]:
    finished = frame.loc[frame["finished"], "value"]
    positions = np.flatnonzero(frame["finished"].to_numpy())
    last_finished = int(positions[-1]) if len(positions) else -1
    coming = list(range(last_finished + 1, len(frame)))
    forecast = forecast_level(
        finished.tolist(),
        steps_ahead=len(coming),
        target=target.value,
        direction=data.metric.direction,
    )
    anchor = last_finished if last_finished >= 0 else None
    return forecast, _lay(frame, forecast, coming, anchor, running_total=None)


def _lay(
    frame: pd.DataFrame,
    forecast: Forecast,
    coming: list[int],
    anchor: int | None,
    *,
    running_total: float | None,
) -> pd.DataFrame:
    """Put ``forecast.steps`` on the ``coming`` buckets, in order, plus an
    anchor point where the drawn line ends: ``running_total`` there, else
    the bucket's own value."""
    columns = {name: np.full(len(frame), np.nan) for name in PROJECTION_COLUMNS}
    if not forecast.steps:
        return frame.assign(**columns)
    for position, (_, mid, low, high) in zip(coming, forecast.steps, strict=False):
        columns["projected"][position] = mid
        columns["projected_low"][position] = low
        columns["projected_high"][position] = high
    if anchor is not None and np.isnan(columns["projected"][anchor]):
        value = frame["value"].iloc[anchor]
        start = running_total if running_total is not None else value
        for name in PROJECTION_COLUMNS:
            columns[name][anchor] = start
    return frame.assign(**columns)
