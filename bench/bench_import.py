"""How long an upload takes from bytes to the validation report, and a merge.

Builds a CSV the way a team exports one (ISO dates, a team column, money as
"$1,234.50", a percent as "12%", one "Total" line at the end), then times
each step the Data page runs: reading the file in a child process
(``read_table_isolated``), guessing the mapping, the validation report
(``check_rows``), and planning and storing a merge of the same rows into a
SQLite dataset. Prints seconds per step and rows per second.

    .venv/bin/python bench/bench_import.py               # 100k and 1M rows
    .venv/bin/python bench/bench_import.py --rows 200000

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kpi.import_check import check_rows  # noqa: E402
from kpi.isolated_read import read_table_isolated  # noqa: E402
from kpi.mapping import guess_mapping  # noqa: E402
from kpi.reading import content_hash  # noqa: E402
from kpi.store import Store  # noqa: E402

TEAMS = ("North", "South", "East", "West")


def exported_csv(rows: int) -> bytes:
    """A CSV of ``rows`` data lines and one total line, as text people export."""
    generator = np.random.default_rng(7)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        generator.integers(0, 730, rows), unit="D"
    )
    frame = pd.DataFrame(
        {
            "Date": days.strftime("%Y-%m-%d"),
            "Team": np.array(TEAMS)[generator.integers(0, len(TEAMS), rows)],
            "Leads": generator.integers(0, 500, rows),
            "Spend": [f"${value:,.2f}" for value in generator.uniform(0, 5e4, rows)],
            "Conversion": [f"{value:.1f}%" for value in generator.uniform(0, 30, rows)],
        }
    )
    body = frame.to_csv(index=False)
    return (body + "Total,,,,\n").encode()


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def run(rows: int) -> None:
    content = exported_csv(rows)
    digest = content_hash(content)
    print(f"\n{rows:,} rows ({len(content) / 1e6:.1f} MB CSV)")

    seconds, raw = timed(lambda: read_table_isolated("export.csv", content))
    print(
        f"  read in a child process  {seconds:6.2f} s  {rows / seconds:>12,.0f} rows/s"
    )
    seconds, mapping = timed(lambda: guess_mapping(raw))
    print(f"  guess the mapping        {seconds:6.2f} s")
    seconds, check = timed(lambda: check_rows(raw, mapping))
    print(
        f"  validation report        {seconds:6.2f} s  {rows / seconds:>12,.0f} rows/s"
        f"  (kept {check.rows_kept:,}, set aside {check.rows_read - check.rows_kept})"
    )

    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.db")
        options = {"file_name": "export.csv", "sheet": None}
        store.import_rows("export", mapping, check.rows, content_hash="x", **options)
        seconds, plan = timed(
            lambda: store.plan_import(
                "export", mapping, check.rows, content_hash=digest, mode="merge"
            )
        )
        print(
            f"  plan a merge             {seconds:6.2f} s  ({plan.rows_after:,} after)"
        )
        seconds, _ = timed(
            lambda: store.import_rows(
                "export",
                mapping,
                check.rows,
                content_hash=digest,
                mode="merge",
                **options,
            )
        )
        print(f"  store the merge          {seconds:6.2f} s")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    for rows in parser.parse_args().rows or [100_000, 1_000_000]:
        run(rows)


if __name__ == "__main__":
    main()
