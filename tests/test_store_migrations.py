"""Schema migrations of the store, on SQLite and PostgreSQL.

A database made before migrations is upgraded in place and keeps its rows; a
new one is built by the revisions and ends at head; opening a current store
again changes nothing; the definitions CHECK still refuses unknown kinds.
"""

from __future__ import annotations

import importlib
import io
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kpi.errors import GoalpostError
from kpi.model import KPI, ColumnMapping, Definitions, Metric, Target
from kpi.planned_target import PlannedTarget
from kpi.store import Store
from kpi.store_migrate import (
    BASELINE_REVISION,
    MIGRATION_LOCK_KEY,
    head_revision,
    migration_config,
)
from kpi.store_schema import metadata, version_table

# Tables declared outside kpi/store_schema.py join its metadata on import;
# the schema comparison below must see every one of them.
importlib.import_module("kpi.scenario_store")

# ---------------------------------------------------------------------------
# A blank database per test: a SQLite file, or a PostgreSQL schema of its own.
# ---------------------------------------------------------------------------


@dataclass
class Database:
    """Where a test's database is, and everything opened on it (closed after)."""

    url: str
    options: dict[str, Any] = field(default_factory=dict)
    opened: list[Store | sa.Engine] = field(default_factory=list)

    def store(self) -> Store:
        store = Store(self.url, engine_options=self.options)
        self.opened.append(store)
        return store

    def engine(self) -> sa.Engine:
        engine = sa.create_engine(self.url, **self.options)
        self.opened.append(engine)
        return engine

    def close(self) -> None:
        for item in self.opened:
            if isinstance(item, Store):
                item.close()
            else:
                item.dispose()


@pytest.fixture
def sqlite_database(tmp_path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'goalpost.db'}")
    yield database
    database.close()


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[Database]:
    schema = f"gp_test_{uuid.uuid4().hex}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    database = Database(postgres_url, options)
    try:
        yield database
    finally:
        database.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{request.param}_database")


# ---------------------------------------------------------------------------
# The tables as Goalpost created them before migrations (metadata.create_all),
# copied here so the test does not lean on the revisions it checks.
# ---------------------------------------------------------------------------

BEFORE_MIGRATIONS = sa.MetaData()
sa.Table(
    "datasets",
    BEFORE_MIGRATIONS,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("is_sample", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sqlite_autoincrement=True,
)
sa.Table(
    "dataset_versions",
    BEFORE_MIGRATIONS,
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
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("dataset_id", "version"),
)
sa.Table(
    "definitions",
    BEFORE_MIGRATIONS,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("is_sample", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("kind", "key"),
    sa.CheckConstraint(
        "kind IN ('metric', 'goal', 'kpi')", name="definitions_kind_known"
    ),
)
sa.Table(
    "settings",
    BEFORE_MIGRATIONS,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
)
sa.Table(
    "counters",
    BEFORE_MIGRATIONS,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)
OLD = BEFORE_MIGRATIONS.tables

# "visits" is saved before "signups": they must come back in that order.
VISITS = Metric(name="visits", label="Visits", dataset="web", column="visits")
SIGNUPS = Metric(name="signups", label="Sign-ups", dataset="web", column="signups")
Q2_SIGNUPS = KPI(
    key="q2_signups",
    name="Q2 sign-ups",
    metric="signups",
    target=Target(kind="total", value=900.0),
    start=date(2026, 4, 1),
    end=date(2026, 6, 30),
    team="Growth",
)
APRIL_LINE = PlannedTarget(
    "signups", date(2026, 4, 1), date(2026, 4, 30), 300.0, team="Growth"
)
WEB_ROWS = pd.DataFrame({"day": pd.to_datetime(["2026-04-01"]), "visits": [42.0]})
WRITES_BEFORE = 3  # the old database's counter: three definitions saved
MOMENT = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def build_old_database(database: Database) -> None:
    """The tables and rows a Goalpost before migrations left behind."""
    parquet = io.BytesIO()
    WEB_ROWS.to_parquet(parquet, index=False)
    definitions = [
        ("metric", VISITS.name, VISITS.to_dict()),
        ("metric", SIGNUPS.name, SIGNUPS.to_dict()),
        ("kpi", Q2_SIGNUPS.key, Q2_SIGNUPS.to_dict()),
    ]
    dataset = {
        "name": "web",
        "source": "upload",
        "mapping": {"date": "day", "numbers": ["visits"]},
        "is_sample": False,
        "created_at": MOMENT,
        "current_version": 1,
    }
    version = {
        "dataset_id": 1,
        "version": 1,
        "file_name": "web.csv",
        "content_hash": "h-web",
        "row_count": 1,
        "columns": ["day", "visits"],
        "uploaded_at": MOMENT,
        "rows": parquet.getvalue(),
    }

    with database.engine().begin() as conn:
        BEFORE_MIGRATIONS.create_all(conn)
        conn.execute(sa.insert(OLD["datasets"]).values(**dataset))
        conn.execute(sa.insert(OLD["dataset_versions"]).values(**version))
        for kind, key, spec in definitions:
            conn.execute(
                sa.insert(OLD["definitions"]).values(
                    kind=kind, key=key, spec=spec, is_sample=False, updated_at=MOMENT
                )
            )
        conn.execute(
            sa.insert(OLD["settings"]).values(key="sample_state", value="removed")
        )
        conn.execute(
            sa.insert(OLD["counters"]).values(
                name="definitions_version", value=WRITES_BEFORE
            )
        )


def insert_definition(engine: sa.Engine, kind: str, key: str = "probe") -> None:
    row = {"kind": kind, "key": key, "spec": {}, "is_sample": False}
    with engine.begin() as conn:
        conn.execute(sa.insert(OLD["definitions"]).values(**row, updated_at=MOMENT))


def opened(database: Database, origin: str) -> Store:
    """A store on a new database, or on one built before migrations."""
    if origin == "old":
        build_old_database(database)
    return database.store()


def version_rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
        )


ORIGINS = ["new", "old"]

# ---------------------------------------------------------------------------
# An old database is upgraded in place
# ---------------------------------------------------------------------------


def test_the_old_database_refuses_a_target_before_the_upgrade(database):
    build_old_database(database)

    with pytest.raises(sa.exc.IntegrityError):
        insert_definition(database.engine(), "target")


def test_an_old_database_is_upgraded_and_keeps_its_rows(database):
    build_old_database(database)

    store = database.store()

    assert version_rows(store.engine) == [head_revision()]
    assert store.definitions() == Definitions(
        metrics=(VISITS, SIGNUPS), kpis=(Q2_SIGNUPS,)
    )
    assert store.setting("sample_state") == "removed"
    assert store.definitions_version() == WRITES_BEFORE  # the seed keeps it
    [web] = store.datasets()
    assert (web.name, web.version, web.columns) == ("web", 1, ("day", "visits"))
    pd.testing.assert_frame_equal(store.rows(web.id, 1), WEB_ROWS)


def test_an_upgraded_database_stores_target_lines(database):
    build_old_database(database)
    store = database.store()

    store.replace_planned_targets(removed=[], added=[APRIL_LINE])

    assert database.store().definitions().targets == (APRIL_LINE,)
    assert store.definitions().metrics == (VISITS, SIGNUPS)
    assert store.definitions_version() == WRITES_BEFORE + 1  # 3 + one write


# ---------------------------------------------------------------------------
# Revision 0004: every earlier upload becomes a replace of one file
# ---------------------------------------------------------------------------

WEB_MAPPING = ColumnMapping(date="day", numbers=("visits",))
# WEB_ROWS' day, then one more.
WEB_MORE = pd.DataFrame(
    {"day": pd.to_datetime(["2026-04-01", "2026-04-02"]), "visits": [42.0, 40.0]}
)


def add_old_version(database: Database, rows: pd.DataFrame, content_hash: str) -> None:
    """Version 2 of "web", as a Goalpost before migrations stored it."""
    parquet = io.BytesIO()
    rows.to_parquet(parquet, index=False)
    version = {
        "dataset_id": 1,
        "version": 2,
        "file_name": "web-2.csv",
        "content_hash": content_hash,
        "row_count": len(rows),
        "columns": list(rows.columns),
        "uploaded_at": MOMENT,
        "rows": parquet.getvalue(),
    }
    with database.engine().begin() as conn:
        conn.execute(sa.insert(OLD["dataset_versions"]).values(**version))
        conn.execute(sa.update(OLD["datasets"]).values(current_version=2))


def stored_batches(engine: sa.Engine) -> list[list[str]]:
    query = sa.select(version_table.c.batches).order_by(version_table.c.version)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def test_old_uploads_become_replaces_of_one_file(database):
    build_old_database(database)
    add_old_version(database, WEB_MORE, "h-web-2")

    store = database.store()

    history = store.history(1)
    assert history["mode"].tolist() == ["replace", "replace"]
    assert history["row_count"].tolist() == [1, 2]
    assert history["rows_added"].tolist() == [1, 2]
    assert history["rows_replaced"].tolist() == [0, 1]  # version 1's one row
    assert stored_batches(store.engine) == [["h-web"], ["h-web-2"]]
    pd.testing.assert_frame_equal(store.rows(1, 1), WEB_ROWS)
    pd.testing.assert_frame_equal(store.rows(1, 2), WEB_MORE)
    # The current file appended again is known by its batch.
    again = store.import_rows(
        "web",
        WEB_MAPPING,
        WEB_MORE,
        file_name="web-2.csv",
        sheet=None,
        content_hash="h-web-2",
        mode="append",
    )
    assert (again.version, again.row_count, again.changed) == (2, 2, False)


def test_going_back_before_0004_and_up_again_keeps_every_upload(database):
    store = database.store()
    first = store.import_rows(
        "web", WEB_MAPPING, WEB_ROWS, file_name="web.csv", sheet=None, content_hash="h1"
    )
    store.import_rows(
        "web",
        WEB_MAPPING,
        WEB_MORE.iloc[1:],
        file_name="web-2.csv",
        sheet=None,
        content_hash="h2",
        mode="append",
    )

    with store.engine.begin() as conn:
        command.downgrade(migration_config(conn), "0003_expected_every")
    inspector = sa.inspect(store.engine)
    columns = {column["name"] for column in inspector.get_columns("dataset_versions")}
    assert columns.isdisjoint({"mode", "batches", "rows_added", "rows_replaced"})

    reopened = database.store()
    history = reopened.history(first.dataset_id)
    assert history["mode"].tolist() == ["replace", "replace"]  # the append is lost
    assert history["rows_added"].tolist() == [1, 2]
    assert history["rows_replaced"].tolist() == [0, 1]
    assert stored_batches(reopened.engine) == [["h1"], ["h2"]]
    pd.testing.assert_frame_equal(reopened.rows(first.dataset_id, 1), WEB_ROWS)
    pd.testing.assert_frame_equal(reopened.rows(first.dataset_id, 2), WEB_MORE)


# ---------------------------------------------------------------------------
# Every store ends at head, with the tables kpi.store_schema describes
# ---------------------------------------------------------------------------


def test_a_new_store_is_at_head(store):
    assert version_rows(store.engine) == [head_revision()]
    assert head_revision() != BASELINE_REVISION


def described(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    """Each store table's columns and constraints, as the database reports them."""
    inspector = sa.inspect(engine)

    def one(table: str) -> dict[str, Any]:
        return {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": inspector.get_foreign_keys(table),
            "unique": inspector.get_unique_constraints(table),
            "checks": inspector.get_check_constraints(table),
        }

    return {table: one(table) for table in sorted(metadata.tables)}


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_migrated_tables_match_the_store_schema(database, origin):
    engine = database.engine()
    with engine.begin() as conn:
        metadata.create_all(conn)
    expected = described(engine)
    with engine.begin() as conn:
        metadata.drop_all(conn)

    store = opened(database, origin)

    assert described(store.engine) == expected
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


@pytest.mark.parametrize(
    ("kind", "accepted"),
    [
        ("metric", True),
        ("goal", True),
        ("kpi", True),
        ("target", True),
        ("report", False),
        ("Target", False),
        ("", False),
    ],
)
@pytest.mark.parametrize("origin", ORIGINS)
def test_the_database_refuses_unknown_kinds(database, origin, kind, accepted):
    store = opened(database, origin)

    if accepted:
        insert_definition(store.engine, kind)
    else:
        with pytest.raises(sa.exc.IntegrityError):
            insert_definition(store.engine, kind)


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_upgrade_keeps_one_definition_per_kind_and_key(database, origin):
    store = opened(database, origin)
    insert_definition(store.engine, "target", key="april")

    with pytest.raises(sa.exc.IntegrityError):
        insert_definition(store.engine, "target", key="april")


# ---------------------------------------------------------------------------
# Opening a current store again
# ---------------------------------------------------------------------------


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's identity and definition, and the rows that must stay."""
    # A rebuilt table has a new root page (SQLite), a re-made constraint a new
    # oid (PostgreSQL).
    here = "current_schema()::regnamespace"
    schema = {
        "sqlite": ["SELECT type, name, rootpage, sql FROM sqlite_master ORDER BY name"],
        "postgresql": [
            "SELECT relname, oid::int8, relkind FROM pg_class "
            f"WHERE relnamespace = {here} ORDER BY relname",
            "SELECT conname, oid::int8, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE connamespace = {here} ORDER BY conname",
        ],
    }[engine.dialect.name]
    queries = {
        **{f"schema {number}": query for number, query in enumerate(schema)},
        "alembic_version": "SELECT * FROM alembic_version",
        "definitions": "SELECT * FROM definitions ORDER BY id",
        "settings": "SELECT * FROM settings ORDER BY key",
        "counters": "SELECT * FROM counters ORDER BY name",
    }
    with engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.exec_driver_sql(query)]
            for name, query in queries.items()
        }


@pytest.mark.parametrize("origin", ORIGINS)
def test_opening_a_current_store_again_changes_nothing(database, origin):
    first = opened(database, origin)
    first.save_metric(VISITS)
    before = snapshot(first.engine)

    second = database.store()

    assert snapshot(second.engine) == before
    assert before["alembic_version"] == [(head_revision(),)]


def open_at_once(databases: list[Database]) -> list[BaseException]:
    """Open a store on each database, each in its own thread, all at once."""
    start_together = threading.Barrier(len(databases), timeout=60)
    errors: list[BaseException] = []

    def open_store(database: Database) -> None:
        try:
            start_together.wait()
            database.store()
        except BaseException as error:  # reported by the caller, with the others
            errors.append(error)

    threads = [threading.Thread(target=open_store, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("origin", ORIGINS)
def test_two_stores_opening_at_once_migrate_once(database, origin):
    if origin == "old":
        build_old_database(database)

    errors = open_at_once([database, database])

    assert errors == []
    assert version_rows(database.engine()) == [head_revision()]
    expected_counter = WRITES_BEFORE if origin == "old" else 0
    assert database.store().definitions_version() == expected_counter


def test_several_databases_migrating_at_once_in_one_process(tmp_path):
    # Alembic's context is one per process: each store must still get its own.
    databases = [Database(f"sqlite:///{tmp_path / f'{n}.db'}") for n in range(4)]

    try:
        errors = open_at_once(databases)

        assert errors == []
        for database in databases:
            assert version_rows(database.engine()) == [head_revision()]
    finally:
        for database in databases:
            database.close()


@pytest.mark.postgres
def test_a_postgres_store_waits_for_the_migration_lock(postgres_database):
    # While another session holds the lock, opening gives up after lock_timeout.
    options = postgres_database.options["connect_args"]["options"]
    impatient = Database(
        postgres_database.url,
        {"connect_args": {"options": f"{options} -clock_timeout=200"}},
        postgres_database.opened,
    )
    with postgres_database.engine().begin() as holder:
        holder.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            impatient.store()
        tables_while_locked = sa.inspect(holder).get_table_names()

    assert tables_while_locked == []
    assert version_rows(impatient.store().engine) == [head_revision()]


# ---------------------------------------------------------------------------
# Databases this version cannot place, and going back one revision
# ---------------------------------------------------------------------------


def test_a_revision_from_a_newer_goalpost_is_refused(database):
    database.store()
    with database.engine().begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")

    with pytest.raises(GoalpostError, match='revision "9999_future"') as caught:
        database.store()

    assert caught.value.reason == "unknown_schema"


def test_only_some_of_the_store_tables_are_refused_untouched(database):
    engine = database.engine()
    with engine.begin() as conn:
        OLD["settings"].create(conn)
        OLD["counters"].create(conn)

    missing = "dataset_versions, datasets, definitions"  # alphabetical: "_" < "s"
    with pytest.raises(GoalpostError, match=f"but not {missing}") as caught:
        database.store()

    assert caught.value.reason == "unknown_schema"
    assert sorted(sa.inspect(engine).get_table_names()) == ["counters", "settings"]


def downgrade_to_baseline(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(migration_config(conn), BASELINE_REVISION)


def test_going_back_to_the_baseline_is_refused_while_targets_exist(database):
    store = database.store()
    store.replace_planned_targets(removed=[], added=[APRIL_LINE])

    with pytest.raises(sa.exc.IntegrityError):
        downgrade_to_baseline(store.engine)

    assert version_rows(store.engine) == [head_revision()]
    assert store.definitions().targets == (APRIL_LINE,)


def test_going_back_to_the_baseline_and_up_again_keeps_the_rows(database):
    store = database.store()
    store.save_metric(VISITS)

    downgrade_to_baseline(store.engine)
    assert version_rows(store.engine) == [BASELINE_REVISION]
    with pytest.raises(sa.exc.IntegrityError):
        insert_definition(store.engine, "target")

    reopened = database.store()
    assert version_rows(reopened.engine) == [head_revision()]
    assert reopened.definitions() == Definitions(metrics=(VISITS,))
