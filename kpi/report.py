"""The report of one judged KPI: every figure a page shows about it.

``kpi.evaluate`` builds it; pages and ``kpi.rollup`` read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from kpi.forecast import Forecast
from kpi.model import KPI, Metric
from kpi.projection import PROJECTION_COLUMNS

SERIES_COLUMNS: tuple[str, ...] = (
    "bucket",
    "label",
    "value",
    "partial",
    "expected",
    "target",
    *PROJECTION_COLUMNS,
)


@dataclass(frozen=True)
class KpiReport:
    """Everything a page shows about one KPI; None always means "no value".

    ``actual`` is the total to date (total), the judged level (level) or the
    latest finished bucket (per_period; the unfinished one until one has
    finished); ``actual_label`` names what it covers ("Jan 1–Apr 30 2026",
    "2026-W08"). ``target_value`` is the resolved target (a change target as
    its total or level number; for per_period, the own target of the bucket
    ``actual`` covers, pro-rated or planned); None when there is none (a
    change target whose baseline has no data, a gap in the target table).
    ``series`` has one row per bucket of the frame: bucket, label, value (the
    bucket's own value), partial, expected (cumulative expected-to-date for total
    kinds; the pro-rated target of the unfinished bucket for an additive per_period
    KPI), target (the cumulative target path for total kinds, else each bucket's
    target), and projected, projected_low, projected_high (``kpi.projection``).
    ``forecast`` is the projection to the end of the frame, or None. ``parts``
    holds, for a derived metric whose base inputs all add up, each input's value
    over the window ``actual`` covers (spend and leads behind a cost per lead), so
    that a parent can recompute the ratio from sums.
    """

    kpi: KPI
    metric: Metric
    status: str
    outcome: str | None
    actual: float | None
    actual_label: str
    target_value: float | None
    progress: float | None
    expected_to_date: float | None
    pace: float | None
    needed_per_day: float | None
    needed_per_week: float | None
    hit_rate: float | None
    baseline_label: str | None
    elapsed_days: int
    total_days: int
    series: pd.DataFrame
    explanation: str
    forecast: Forecast | None = None
    parts: Mapping[str, float] = field(default_factory=dict)
