"""Bring a store's database to the newest schema, every time a Store opens.

The schema's history lives in Alembic revisions under ``kpi/migrations``;
``migrate_to_head`` runs them on the connection ``Store.__init__`` opened,
inside its write transaction, so no ``alembic.ini`` is read and the engine's
own options (a PostgreSQL ``search_path``, SQLite's pragmas) apply. Three
kinds of database reach it:

- empty (no store table): ``upgrade head`` builds everything from revision 1.
- made before migrations existed (the store's tables, no ``alembic_version``
  row): ``stamp`` the baseline, which is the schema those versions created,
  then ``upgrade head``. A database with only some of the store's tables was
  made by none of them and is refused (``unknown_schema``).
- migrated: ``upgrade head``, which does nothing when it is current.

Why an empty database is built by the revisions rather than by
``metadata.create_all`` plus ``stamp head``: then one path creates every
table, so a new database and an upgraded one cannot drift apart unnoticed;
``tests/test_store_migrations.py`` compares both with ``kpi.store_schema``.

One transaction. PostgreSQL's DDL is transactional: a failed revision leaves
the database as it was. SQLite's is too, because the engine issues ``BEGIN``
itself (the driver's own transaction handling is off), so a failed table
rebuild rolls back with the rest. A caveat for revision writers: on SQLite
``PRAGMA foreign_keys`` cannot change inside a transaction, and dropping a
table with foreign keys on deletes rows that refer to it (``dataset_versions``
cascades from ``datasets``), so a revision must never rebuild ``datasets``
by dropping it.

Two processes opening the store at once migrate one after the other: on
SQLite the write transaction begins with ``BEGIN IMMEDIATE`` and the second
waits for the first to commit; on PostgreSQL a transaction-level advisory lock
does the same, and the second then finds the schema current. Within one
process a thread lock also keeps Alembic to one migration at a time.

A new revision: ``alembic.command.revision(migration_config(), "what
changes", rev_id="0003_what_changes")`` writes its file into
``kpi/migrations/versions`` from ``kpi/migrations/script.py.mako``.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from kpi.errors import GoalpostError

SCRIPT_LOCATION = "kpi:migrations"
BASELINE_REVISION = "0001_baseline"
# The tables every Goalpost before migrations created together.
BASELINE_TABLES = frozenset(
    ("datasets", "dataset_versions", "definitions", "settings", "counters")
)
# PostgreSQL names an advisory lock by a 64-bit number; this one spells
# "goalpost" in ASCII, so no other application's lock is likely to share it.
MIGRATION_LOCK_KEY = int.from_bytes(b"goalpost", "big")
# ``alembic.context`` and ``alembic.op`` are module-wide proxies: two threads
# migrating at once, even two different databases, would send one's
# operations to the other's connection.
_ALEMBIC_IN_USE = threading.Lock()


def migration_config(conn: sa.Connection | None = None) -> Config:
    """Alembic's settings for the store's revisions, handing over ``conn``.

    ``kpi/migrations/env.py`` migrates ``config.attributes["connection"]``.
    """
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = conn
    return config


def migrate_to_head(conn: sa.Connection) -> None:
    """Upgrade the database behind ``conn`` to the newest revision.

    ``conn`` must be inside the write transaction that will commit the
    result. Raises ``GoalpostError`` (``unknown_schema``) for a database this
    version cannot tell the schema of; then nothing is changed.
    """
    if conn.dialect.name == "postgresql":
        lock = sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY))
        conn.execute(lock)

    # Taken after the database's lock, so a thread holding it never waits
    # for another that is waiting for it.
    with _ALEMBIC_IN_USE:
        config = migration_config(conn)
        current = MigrationContext.configure(conn).get_current_revision()
        if current is not None:
            _check_known(config, current)
        elif _made_before_migrations(conn):
            command.stamp(config, BASELINE_REVISION)

        command.upgrade(config, "head")


def head_revision() -> str:
    """The newest revision in ``kpi/migrations/versions``."""
    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    if head is None:
        raise GoalpostError(
            "no_migrations",
            "kpi/migrations/versions holds no revision. Restore the folder "
            "from the Goalpost release you installed.",
        )
    return head


def _made_before_migrations(conn: sa.Connection) -> bool:
    """True when the store's tables are all there; refuses only some of them."""
    found = BASELINE_TABLES.intersection(sa.inspect(conn).get_table_names())
    missing = sorted(BASELINE_TABLES - found)
    if found and missing:
        raise GoalpostError(
            "unknown_schema",
            f"The database has some of Goalpost's tables ({', '.join(sorted(found))}) "
            f"but not {', '.join(missing)}, so no Goalpost version made it. "
            "Point GOALPOST_DATABASE_URL at a new database, or at the one "
            "Goalpost created.",
        )
    return bool(found)


def _check_known(config: Config, current: str) -> None:
    """Refuse a revision this version does not have (a newer Goalpost's)."""
    script = ScriptDirectory.from_config(config)
    known = {revision.revision for revision in script.walk_revisions()}
    if current not in known:
        raise GoalpostError(
            "unknown_schema",
            f'The database is at schema revision "{current}", which this '
            "Goalpost version does not know: a newer version upgraded it. Run "
            "that version again, or point GOALPOST_DATABASE_URL at another "
            "database.",
        )
