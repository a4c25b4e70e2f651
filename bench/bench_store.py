"""How long the store takes to import and read back large datasets.

Prints seconds for ``Store.import_rows`` and ``Store.rows`` on synthetic rows
(date, team, person and five number columns) for SQLite and, when it answers,
the PostgreSQL server on 127.0.0.1:5432. For comparison it also times the
layout the store does not use: one SQL row per spreadsheet row, written with
``DataFrame.to_sql`` and read back with ``pandas.read_sql_table``.

    .venv/bin/python bench/bench_store.py            # 100k and 1M rows
    .venv/bin/python bench/bench_store.py --rows 100000 --no-row-table

Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kpi.model import ColumnMapping  # noqa: E402
from kpi.store import Store  # noqa: E402

NUMBERS = ("leads", "spend", "revenue", "calls", "hours")
MAPPING = ColumnMapping(
    date="date", dimensions=("team", "person"), numbers=NUMBERS, team="team"
)


def synthetic_rows(count: int, seed: int = 7) -> pd.DataFrame:
    """``count`` rows over three years of days, 12 teams and 300 people."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=3 * 365, freq="D")
    teams = np.array([f"Team {n:02d}" for n in range(12)])
    people = np.array([f"Person {n:03d}" for n in range(300)])
    columns: dict[str, Any] = {
        "date": days[rng.integers(0, len(days), count)],
        "team": pd.array(teams[rng.integers(0, len(teams), count)], dtype="str"),
        "person": pd.array(people[rng.integers(0, len(people), count)], dtype="str"),
    }
    for name in NUMBERS:
        columns[name] = rng.gamma(2.0, 50.0, count).round(2)
    return pd.DataFrame(columns)


def seconds(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def postgres_url() -> str | None:
    for user in dict.fromkeys(("postgres", getpass.getuser())):
        url = f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                return url
        except sa.exc.OperationalError:
            continue
        finally:
            engine.dispose()
    return None


@contextmanager
def sqlite_backend() -> Iterator[tuple[str, dict[str, Any]]]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}", {}


@contextmanager
def postgres_backend(url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A throwaway schema, so the benchmark never touches real tables."""
    schema = f"gp_bench_{uuid.uuid4().hex}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def time_store(url: str, options: dict[str, Any], rows: pd.DataFrame) -> list[float]:
    store = Store(url, engine_options=options)
    try:
        wrote, outcome = seconds(
            lambda: store.import_rows(
                "bench",
                MAPPING,
                rows,
                file_name="bench.csv",
                sheet=None,
                content_hash=uuid.uuid4().hex,
            )
        )
        read, back = seconds(lambda: store.rows(outcome.dataset_id, outcome.version))
        pd.testing.assert_frame_equal(back, rows)
        return [wrote, read]
    finally:
        store.close()


def time_row_table(
    url: str, options: dict[str, Any], rows: pd.DataFrame
) -> list[float]:
    engine = sa.create_engine(url, **options)
    try:
        with engine.begin() as conn:
            wrote, _ = seconds(
                lambda: rows.to_sql("bench_rows", conn, index=False, chunksize=50_000)
            )
        with engine.connect() as conn:
            read, _ = seconds(lambda: pd.read_sql_table("bench_rows", conn))
        return [wrote, read]
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-row-table", action="store_true")
    arguments = parser.parse_args()

    backends: list[tuple[str, Callable[[], Any]]] = [("sqlite", sqlite_backend)]
    server = postgres_url()
    if server is None:
        print("PostgreSQL on 127.0.0.1:5432 is not running; timing SQLite only.")
    else:
        backends.append(("postgresql", lambda: postgres_backend(server)))

    print(f"{'backend':<11} {'rows':>9}  {'layout':<13} {'write s':>8} {'read s':>8}")
    for count in arguments.rows:
        rows = synthetic_rows(count)
        for name, backend in backends:
            with backend() as (url, options):
                figures = {"parquet blob": time_store(url, options, rows)}
                if not arguments.no_row_table:
                    figures["row per row"] = time_row_table(url, options, rows)
            for layout, (wrote, read) in figures.items():
                print(
                    f"{name:<11} {count:>9,}  {layout:<13} {wrote:>8.2f} {read:>8.2f}"
                )


if __name__ == "__main__":
    main()
