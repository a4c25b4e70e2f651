"""How long judging every KPI takes, and what the forecasts add to it.

Judges the sample workspace's KPIs as of one day, with and without their
forecasts (kpi.projection), straight through kpi/, no Streamlit.

    .venv/bin/python bench/bench_judging.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = date(2026, 4, 30)


def main() -> None:
    from kpi import evaluate
    from kpi.dashboard import scoped_rows, snapshot
    from kpi.model import EVERYTHING
    from kpi.number_kinds import per_period_values
    from kpi.sample import load_sample
    from kpi.settings import WorkspaceSettings
    from kpi.store import Store

    store = Store(f"sqlite:///{tempfile.mkdtemp(prefix='goalpost-bench-')}/b.db")
    load_sample(store, TODAY)
    datasets = store.datasets()
    frames = {
        d.id: per_period_values(store.rows(d.id, d.version), d.mapping)
        for d in datasets
    }
    rows = scoped_rows(datasets, frames, EVERYTHING)
    definitions = store.definitions()
    settings = WorkspaceSettings()

    def judge_all() -> float:
        started = time.perf_counter()
        snapshot(definitions, rows, EVERYTHING, today=TODAY, settings=settings)
        return time.perf_counter() - started

    def skip(data, target, actual, frame):
        columns = ("projected", "projected_low", "projected_high")
        return None, frame.assign(**{name: float("nan") for name in columns})

    # Alternate the two, after a warm-up, so neither gets the warmer caches.
    judge_all()
    timed: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(7):
        timed[True].append(judge_all())
        with mock.patch.object(evaluate, "project", skip):
            timed[False].append(judge_all())
    with_forecasts = statistics.median(timed[True])
    without = statistics.median(timed[False])
    count = len(definitions.kpis)
    print(
        f"judging {count} sample KPIs: {with_forecasts * 1000:.0f} ms with forecasts, "
        f"{without * 1000:.0f} ms without (median of 7); forecasts add "
        f"{(with_forecasts - without) / count * 1000:.1f} ms a KPI"
    )


if __name__ == "__main__":
    main()
