"""An import killed just before its commit leaves the store whole, on both backends.

The child process is this module run as ``python -m tests.test_import_killed``:
it opens the store, imports NEWER in a mode, and SIGKILLs itself when the
transaction that already ran the new version's INSERT is about to commit (a
listener on the engine's ``commit`` event, which fires before the driver's
COMMIT; installed in the child only). The parent then opens the store again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from kpi.store import Store
from tests.test_import_modes import CURRENT, NEWER, as_stored, put

REPO = Path(__file__).resolve().parents[1]
KILLED = "killed after the version's INSERT, before COMMIT"
# Rows after importing NEWER into CURRENT, worked in tests/test_import_modes.py.
ROWS_AFTER = {"replace": 2, "merge": 7, "append": 8}


# ---------------------------------------------------------------------------
# The child
# ---------------------------------------------------------------------------


def import_and_die_before_commit(url: str, options: dict[str, Any], mode: str) -> None:
    store = Store(url, engine_options=options)
    inserted: list[str] = []

    def note_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO dataset_versions"):
            inserted.append(statement)

    def die(conn):
        if inserted:
            print(KILLED, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    sa.event.listen(store.engine, "before_cursor_execute", note_insert)
    sa.event.listen(store.engine, "commit", die)
    put(store, NEWER, "h-newer", mode=mode)
    print("committed", flush=True)  # only when the listener did not fire


def run_child(
    url: str, options: dict[str, Any], mode: str
) -> subprocess.CompletedProcess:
    given = json.dumps({"url": url, "options": options, "mode": mode})
    return subprocess.run(
        [sys.executable, "-m", "tests.test_import_killed", given],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# ---------------------------------------------------------------------------
# Where the store lives: a SQLite file, or a PostgreSQL schema of its own
# ---------------------------------------------------------------------------


@pytest.fixture
def sqlite_place(tmp_path) -> tuple[str, dict[str, Any]]:
    return f"sqlite:///{tmp_path / 'goalpost.db'}", {}


@pytest.fixture
def postgres_place(postgres_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    # As conftest's postgres_store: a schema per test, dropped afterwards.
    schema = f"gp_test_{uuid.uuid4().hex}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield postgres_url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def place(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.getfixturevalue(f"{request.param}_place")


# ---------------------------------------------------------------------------
# The parent
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["replace", "merge", "append"])
def test_an_import_killed_before_its_commit_leaves_the_store_whole(place, mode):
    url, options = place
    store = Store(url, engine_options=options)
    first = put(store, CURRENT, "h-now")
    before = (store.datasets(), store.history(first.dataset_id))
    store.close()

    child = run_child(url, options, mode)

    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert child.stdout.strip() == KILLED
    reopened = Store(url, engine_options=options)
    try:
        assert reopened.datasets() == before[0]
        pd.testing.assert_frame_equal(reopened.history(first.dataset_id), before[1])
        pd.testing.assert_frame_equal(
            reopened.rows(first.dataset_id, 1), as_stored(CURRENT)
        )
        outcome = put(reopened, NEWER, "h-newer", mode=mode)
        assert (outcome.version, outcome.row_count) == (2, ROWS_AFTER[mode])
        assert reopened.history(first.dataset_id)["version"].tolist() == [1, 2]
    finally:
        reopened.close()


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    import_and_die_before_commit(
        arguments["url"], arguments["options"], arguments["mode"]
    )
