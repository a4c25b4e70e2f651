"""How Goalpost's store lays out its data, and which database it opens.

The same tables serve SQLite and PostgreSQL. A dataset's rows live in
``dataset_versions.rows`` as one Parquet blob per upload, beside the record
that describes the upload (see ``kpi.store`` for why). Definitions (metrics,
goals, KPIs, lines of the target table) are stored as the plain dicts of
``kpi.model``, one row per key; ``kpi/migrations`` holds the schema's history.
Besides the tables, this module holds the translations between records and
rows. ``kpi.store.Store`` is its only user; pages use the store.
"""

from __future__ import annotations

import io
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from kpi.errors import GoalpostError, ImportProblem, Location
from kpi.import_modes import VersionMode
from kpi.model import KPI, ColumnMapping, DatasetInfo, Definitions, Goal, Metric
from kpi.planned_target import PlannedTarget

URL_VARIABLE = "GOALPOST_DATABASE_URL"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WAL_SWITCH_ATTEMPTS = 20

metadata = sa.MetaData()


@dataclass(frozen=True)
class ImportOutcome:
    """What an import or a restore did; ``changed`` is False when nothing did.

    ``version`` and ``row_count`` are the dataset's current ones afterwards;
    ``rows_added`` and ``rows_replaced`` are counted as ``ImportPlan`` counts
    them (a restore adds the restored rows and replaces the current ones),
    both 0 when nothing changed.
    """

    dataset_id: int
    version: int
    row_count: int
    changed: bool
    mode: VersionMode = "replace"
    rows_added: int = 0
    rows_replaced: int = 0


dataset_table = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("is_sample", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    # "day", "week" or "month": how often new data is expected (kpi.freshness).
    sa.Column("expected_every", sa.Text, nullable=True),
    # Ids are never reused after a delete: caches key frames by (id, version).
    sqlite_autoincrement=True,
)

version_table = sa.Table(
    "dataset_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "dataset_id",
        sa.Integer,
        sa.ForeignKey("datasets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text, nullable=True),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    # The row frame's column names, so listing datasets never opens a blob.
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows", sa.LargeBinary, nullable=False),
    # Added by revision 0004 (kpi.import_modes): how the version was made, the
    # content hashes of the files whose rows it holds, and its counts.
    sa.Column("mode", sa.Text, nullable=False, server_default="replace"),
    sa.Column("batches", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("rows_added", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_replaced", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("dataset_id", "version"),
)

definition_table = sa.Table(
    "definitions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("is_sample", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("kind", "key"),
    # A change here needs a revision in kpi/migrations/versions (0002 added target).
    sa.CheckConstraint(
        "kind IN ('metric', 'goal', 'kpi', 'target')", name="definitions_kind_known"
    ),
)

setting_table = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
)

# Integer counters that must be bumped atomically (``value = value + 1``).
counter_table = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

DEFINITIONS_COUNTER = "definitions_version"


def database_url(
    secrets: Mapping[str, Any] | None = None, data_dir: Path | None = None
) -> str:
    """The database to open: environment, then secrets, then a SQLite file.

    ``GOALPOST_DATABASE_URL`` in the environment wins over
    ``secrets["GOALPOST_DATABASE_URL"]`` or ``secrets["database_url"]``;
    without either the store is ``<data_dir>/goalpost.db`` (``data/`` of the
    repository by default). A plain ``postgresql://`` URL is pointed at the
    psycopg 3 driver: ``postgresql://u@h/db`` -> ``postgresql+psycopg://u@h/db``.
    """
    url = os.environ.get(URL_VARIABLE) or _url_from_secrets(secrets)
    if not url:
        folder = DEFAULT_DATA_DIR if data_dir is None else data_dir
        return f"sqlite:///{folder / 'goalpost.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _url_from_secrets(secrets: Mapping[str, Any] | None) -> str | None:
    if secrets is None:
        return None
    return secrets.get(URL_VARIABLE) or secrets.get("database_url")


def create_store_engine(
    url: str, options: Mapping[str, Any] | None = None
) -> sa.Engine:
    """An engine for a ``sqlite`` or ``postgresql`` URL, set up for the store.

    SQLite gets WAL, a 30 s busy timeout and enforced foreign keys; its
    transactions begin with ``BEGIN IMMEDIATE`` when the connection carries
    the execution option ``goalpost_write``, plain ``BEGIN`` otherwise.
    """
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise GoalpostError(
            "unsupported_database",
            f'The database URL names "{backend}", which Goalpost cannot use. Set '
            "GOALPOST_DATABASE_URL to a sqlite:/// or postgresql:// URL.",
        )

    engine_options = dict(options or {})
    if backend == "postgresql":
        # Hosted servers drop idle connections; test each before use.
        engine_options.setdefault("pool_pre_ping", True)
        return sa.create_engine(url, **engine_options)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **engine_options)
    sa.event.listen(engine, "connect", _prepare_sqlite_connection)
    sa.event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Leave BEGIN to us (the pysqlite recipe), so writers can ask for IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    _use_write_ahead_log(cursor)
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _use_write_ahead_log(cursor: Any) -> None:
    # WAL stays set in the file once set. Switching needs a lock the busy
    # timeout does not wait for, so two first connections can clash: retry.
    for attempt in range(WAL_SWITCH_ATTEMPTS):
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if attempt == WAL_SWITCH_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def _begin_sqlite_transaction(conn: sa.Connection) -> None:
    # Taking the write lock up front makes a second writer wait, not fail.
    writes = conn.get_execution_options().get("goalpost_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    conflict: tuple[str, ...],
    update: tuple[str, ...] = (),
) -> None:
    """Insert ``values``; on a clash over ``conflict`` overwrite ``update``.

    With no ``update`` columns the existing row is kept as it is.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    if update:
        replacement = {name: statement.excluded[name] for name in update}
        statement = statement.on_conflict_do_update(
            index_elements=list(conflict), set_=replacement
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    conn.execute(statement)


def rows_to_parquet(rows: pd.DataFrame, location: Location) -> bytes:
    """The frame as Parquet bytes, without its index.

    Raises ``ImportProblem`` (reason ``not_storable``) naming the first
    column pyarrow cannot convert, such as an object column mixing numbers
    and text.
    """
    buffer = io.BytesIO()
    try:
        rows.to_parquet(buffer, index=False, engine="pyarrow")
    except (pa.ArrowException, TypeError, ValueError) as error:
        where = Location(location.file, location.sheet, column=_bad_column(rows))
        raise ImportProblem(
            "not_storable",
            f"{where.describe()}: the values cannot be stored ({error}). Map the "
            "column as a date, number or text column, or make its cells one "
            "kind, then import again.",
            where,
        ) from error
    return buffer.getvalue()


def rows_from_parquet(blob: bytes) -> pd.DataFrame:
    """The frame ``rows_to_parquet`` wrote, dtypes included, with a fresh index."""
    return pd.read_parquet(io.BytesIO(blob), engine="pyarrow")


def _bad_column(rows: pd.DataFrame) -> str | None:
    for column in rows.columns:
        try:
            pa.Array.from_pandas(rows[column])
        except (pa.ArrowException, TypeError, ValueError):
            return str(column)
    return None


def utc_now() -> datetime:
    """The current moment, timezone-aware in UTC (the store's only clock)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored moment as UTC; SQLite hands back naive datetimes written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def dataset_query() -> sa.Select[Any]:
    """Datasets joined with their current version (for ``dataset_info``)."""
    current = (version_table.c.dataset_id == dataset_table.c.id) & (
        version_table.c.version == dataset_table.c.current_version
    )
    return sa.select(
        dataset_table,
        version_table.c.row_count,
        version_table.c.columns,
        version_table.c.uploaded_at,
    ).join(version_table, current)


def dataset_info(row: sa.Row[Any]) -> DatasetInfo:
    """The record of one row of ``dataset_query``."""
    return DatasetInfo(
        id=row.id,
        name=row.name,
        mapping=ColumnMapping.from_dict(row.mapping),
        version=row.current_version,
        row_count=row.row_count,
        source=row.source,
        is_sample=row.is_sample,
        columns=tuple(row.columns),
        expected_every=row.expected_every,
        updated_at=as_utc(row.uploaded_at),
    )


def definition_specs(given: Definitions) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, key, plain dict) for every definition, as the table stores them."""
    for metric in given.metrics:
        yield "metric", metric.name, metric.to_dict()
    for goal in given.goals:
        yield "goal", goal.key, goal.to_dict()
    for kpi in given.kpis:
        yield "kpi", kpi.key, kpi.to_dict()
    for row in given.targets:
        yield "target", row.key, row.to_dict()


def load_definitions(conn: sa.Connection) -> Definitions:
    """Every stored definition, each kind in the order first saved."""
    query = sa.select(definition_table.c.kind, definition_table.c.spec)
    found = conn.execute(query.order_by(definition_table.c.id)).all()

    def specs(kind: str) -> list[dict[str, Any]]:
        return [row.spec for row in found if row.kind == kind]

    return Definitions(
        metrics=tuple(Metric.from_dict(spec) for spec in specs("metric")),
        goals=tuple(Goal.from_dict(spec) for spec in specs("goal")),
        kpis=tuple(KPI.from_dict(spec) for spec in specs("kpi")),
        targets=tuple(PlannedTarget.from_dict(spec) for spec in specs("target")),
    )


def upsert_definition(
    conn: sa.Connection, kind: str, key: str, spec: dict[str, Any], is_sample: bool
) -> None:
    """Insert the definition, or overwrite the one of that kind and key."""
    # Updating in place keeps the row's id, so a definition keeps its position.
    values = {
        "kind": kind,
        "key": key,
        "spec": spec,
        "is_sample": is_sample,
        "updated_at": utc_now(),
    }
    replaced = ("spec", "is_sample", "updated_at")
    upsert(conn, definition_table, values, conflict=("kind", "key"), update=replaced)


def bump_definitions_version(conn: sa.Connection) -> None:
    """Add one to the definitions counter, inside the caller's transaction."""
    # One UPDATE of value + 1, so concurrent writers on PostgreSQL lose no bump.
    conn.execute(
        sa.update(counter_table)
        .where(counter_table.c.name == DEFINITIONS_COUNTER)
        .values(value=counter_table.c.value + 1)
    )
