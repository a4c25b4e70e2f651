"""Goalpost's store: datasets, their upload history, definitions and settings.

One class, ``Store``, over SQLAlchemy Core: a SQLite file under ``data/`` by
default, PostgreSQL with a database URL (``database_url``). It only stores;
KPI values are computed elsewhere.

Why a dataset version's rows are one Parquet blob. Sending a million
spreadsheet rows to the database as a million SQL rows took about 10 s on
SQLite (20 s on PostgreSQL), and reading them back into a frame about 5 s;
the same rows as one Parquet file (pyarrow) went in and came out in well
under a second each, with exactly the dtypes they had. ``bench/bench_store.py``
measures both. The blob lives in the same database rather than in files
beside it, so an import stays one durable transaction: the dataset record,
its upload history and its rows commit together or not at all.

Why SQLite writes begin with ``BEGIN IMMEDIATE``: two sessions saving at once
would both start reading, and the second to write would fail with "database
is locked"; taking the write lock up front makes it wait (up to 30 s) instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd
import sqlalchemy as sa

from kpi.definition_checks import goal_users, metric_users, name_all
from kpi.errors import DefinitionError, GoalpostError
from kpi.freshness import check_cadence
from kpi.import_modes import ImportMode, ImportPlan
from kpi.model import KPI, ColumnMapping, DatasetInfo, Definitions, Goal, Metric
from kpi.planned_target import PlannedTarget
from kpi.store_migrate import migrate_to_head
from kpi.store_schema import (
    DEFINITIONS_COUNTER,
    ImportOutcome,
    as_utc,
    bump_definitions_version,
    counter_table,
    create_store_engine,
    database_url,
    dataset_info,
    dataset_query,
    dataset_table,
    definition_specs,
    definition_table,
    load_definitions,
    rows_from_parquet,
    setting_table,
    upsert,
    upsert_definition,
    utc_now,
    version_table,
)
from kpi.store_writes import (
    ImportRequest,
    delete_datasets,
    delete_definition,
    find_dataset,
    import_in,
    plan_in,
    put_setting,
    restore_in,
)

__all__ = ["HISTORY_COLUMNS", "ImportOutcome", "ImportPlan", "Store", "database_url"]

HISTORY_COLUMNS: tuple[str, ...] = (
    "version",
    "file_name",
    "sheet",
    "content_hash",
    "row_count",
    "mode",
    "rows_added",
    "rows_replaced",
    "uploaded_at",
    "is_current",
)


class Store:
    """Datasets, definitions and settings in one SQLite or PostgreSQL database.

    Opening it creates or upgrades the tables (``kpi.store_migrate``), in
    one transaction with seeding the counters. ``engine_options`` go to
    ``sqlalchemy.create_engine`` (tests pass ``connect_args`` there).
    """

    def __init__(
        self, url: str, *, engine_options: Mapping[str, Any] | None = None
    ) -> None:
        self.engine: sa.Engine = create_store_engine(url, engine_options)
        with self._write() as conn:
            migrate_to_head(conn)
            seed = {"name": DEFINITIONS_COUNTER, "value": 0}
            upsert(conn, counter_table, seed, conflict=("name",))

    def close(self) -> None:
        """Close every pooled connection; the store is not used afterwards."""
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        # The option makes the SQLite "begin" hook take the write lock up front.
        with self.engine.connect() as conn:
            conn.execution_options(goalpost_write=True)
            with conn.begin():
                yield conn

    # Datasets

    def import_rows(
        self,
        name: str,
        mapping: ColumnMapping,
        rows: pd.DataFrame,
        *,
        file_name: str,
        sheet: str | None,
        content_hash: str,
        source: str = "upload",
        is_sample: bool = False,
        mode: ImportMode = "replace",
    ) -> ImportOutcome:
        """Store the rows of an import in ``mode`` as dataset ``name``'s new version.

        One transaction; the version holds exactly the ``rows_after`` rows
        ``plan_import`` counts (``kpi.import_modes`` tells the modes apart),
        earlier versions stay in the history. Nothing changes
        (``changed=False``) when ``plan_import`` says so: for replace, the
        current version holds this file (``content_hash``) alone, with this
        mapping; for merge or append, it already holds the file's rows.
        The dataset takes the mapping, source and ``is_sample`` of its newest
        version. Raises ``ImportProblem``: ``mapping_differs`` (merge or
        append mapped unlike the dataset), ``not_storable`` (a column cannot
        be written); then nothing is stored.
        """
        request = ImportRequest(
            name, mapping, rows, content_hash, mode, file_name, sheet, source, is_sample
        )
        with self._write() as conn:
            return import_in(conn, request)

    def plan_import(
        self,
        name: str,
        mapping: ColumnMapping,
        rows: pd.DataFrame,
        *,
        content_hash: str,
        mode: ImportMode = "replace",
        file_name: str = "",
        sheet: str | None = None,
    ) -> ImportPlan:
        """What ``import_rows`` with these arguments would do now; stores nothing.

        ``file_name`` and ``sheet`` only name the file in a refusal, which is
        the one ``import_rows`` would raise (``mapping_differs``).
        """
        request = ImportRequest(
            name, mapping, rows, content_hash, mode, file_name, sheet
        )
        with self.engine.connect() as conn:
            return plan_in(conn, find_dataset(conn, name), request)[0]

    def restore_version(self, dataset_id: int, version: int) -> ImportOutcome:
        """Make an earlier upload current again, as a new version, atomically.

        Roll-back from the history: nothing is deleted, the old rows become
        the newest version. Restoring the current version changes nothing.
        Raises ``GoalpostError`` ("no_such_version", "version_mapping_changed").
        """
        with self._write() as conn:
            return restore_in(conn, dataset_id, version)

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset as of its current version, by name."""
        with self.engine.connect() as conn:
            found = conn.execute(dataset_query().order_by(dataset_table.c.name))
            return [dataset_info(row) for row in found]

    def dataset(self, name: str) -> DatasetInfo | None:
        """The dataset called ``name`` as of its current version, or None."""
        query = dataset_query().where(dataset_table.c.name == name)
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else dataset_info(row)

    def rows(self, dataset_id: int, version: int) -> pd.DataFrame:
        """The frame stored for that version: same columns, values and dtypes."""
        query = sa.select(version_table.c.rows).where(
            version_table.c.dataset_id == dataset_id,
            version_table.c.version == version,
        )
        with self.engine.connect() as conn:
            blob = conn.execute(query).scalar_one_or_none()
        if blob is None:
            raise GoalpostError(
                "no_such_version",
                f"Dataset {dataset_id} has no version {version}: it was deleted "
                "or never stored. Reload the page to see the current datasets.",
            )
        return rows_from_parquet(blob)

    def history(self, dataset_id: int) -> pd.DataFrame:
        """One row per upload, oldest first; ``is_current`` marks the rows in use.

        Columns are ``HISTORY_COLUMNS``; ``uploaded_at`` is in UTC.
        """
        is_current = version_table.c.version == dataset_table.c.current_version
        query = (
            sa.select(
                *(version_table.c[name] for name in HISTORY_COLUMNS[:-1]),
                is_current.label("is_current"),
            )
            .join(dataset_table, dataset_table.c.id == version_table.c.dataset_id)
            .where(version_table.c.dataset_id == dataset_id)
            .order_by(version_table.c.version)
        )
        with self.engine.connect() as conn:
            found = [row._asdict() for row in conn.execute(query)]

        table = pd.DataFrame(found, columns=list(HISTORY_COLUMNS))
        return table.assign(
            uploaded_at=pd.to_datetime(table["uploaded_at"].map(as_utc), utc=True),
            is_current=table["is_current"].astype(bool),
        )

    def delete_dataset(self, dataset_id: int) -> None:
        """Delete a dataset with its whole history; an unknown id does nothing."""
        with self._write() as conn:
            delete_datasets(conn, dataset_table.c.id == dataset_id)

    # Definitions

    def definitions(self) -> Definitions:
        """Every metric, goal and KPI, each kind in the order first saved."""
        with self.engine.connect() as conn:
            return load_definitions(conn)

    def definitions_version(self) -> int:
        """A number that grows on every write of definitions (for cache keys)."""
        query = sa.select(counter_table.c.value).where(
            counter_table.c.name == DEFINITIONS_COUNTER
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def save_metric(self, metric: Metric, *, is_sample: bool = False) -> None:
        """Insert the metric, or replace the one with the same name."""
        self.add_definitions(Definitions(metrics=(metric,)), is_sample=is_sample)

    def save_goal(self, goal: Goal, *, is_sample: bool = False) -> None:
        """Insert the goal, or replace the one with the same key."""
        self.add_definitions(Definitions(goals=(goal,)), is_sample=is_sample)

    def save_kpi(self, kpi: KPI, *, is_sample: bool = False) -> None:
        """Insert the KPI, or replace the one with the same key."""
        self.add_definitions(Definitions(kpis=(kpi,)), is_sample=is_sample)

    def add_definitions(
        self, definitions: Definitions, *, is_sample: bool = False
    ) -> None:
        """Insert or replace (by key) every given definition, in one transaction.

        A replaced definition takes the given ``is_sample``: a sample metric
        the user saves again becomes theirs and survives ``remove_sample``.
        """
        with self._write() as conn:
            for kind, key, spec in definition_specs(definitions):
                upsert_definition(conn, kind, key, spec, is_sample)
            bump_definitions_version(conn)

    def replace_definitions(self, definitions: Definitions) -> None:
        """Delete every stored definition and write these, in one transaction."""
        with self._write() as conn:
            conn.execute(sa.delete(definition_table))
            for kind, key, spec in definition_specs(definitions):
                upsert_definition(conn, kind, key, spec, is_sample=False)
            bump_definitions_version(conn)

    def delete_metric(self, name: str) -> None:
        """Delete a metric; refused (``metric_in_use``) while anything uses it.

        A KPI uses a metric it measures; a derived metric uses every metric
        its formula names (``cost_per_lead = spend / leads`` uses ``leads``).
        """
        with self._write() as conn:
            users = metric_users(load_definitions(conn), name)
            if users:
                raise DefinitionError(
                    "metric_in_use",
                    f'Metric "{name}" is used by {name_all(users)}. Change or '
                    f'delete them first, then delete "{name}".',
                    subject=name,
                )
            delete_definition(conn, "metric", name)

    def delete_goal(self, key: str) -> None:
        """Delete a goal; refused (``goal_in_use``) while a KPI or goal is under it."""
        with self._write() as conn:
            users = goal_users(load_definitions(conn), key)
            if users:
                raise DefinitionError(
                    "goal_in_use",
                    f'Goal "{key}" is the parent of {name_all(users)}. Move them '
                    f'under another goal or delete them first, then delete "{key}".',
                    subject=key,
                )
            delete_definition(conn, "goal", key)

    def delete_kpi(self, key: str) -> None:
        """Delete a KPI; an unknown key does nothing."""
        with self._write() as conn:
            delete_definition(conn, "kpi", key)

    # Sample workspace and settings

    def remove_sample(self) -> None:
        """Delete the sample datasets and definitions and remember they are gone.

        Afterwards ``setting("sample_state")`` is ``"removed"``.
        """
        with self._write() as conn:
            delete_datasets(conn, dataset_table.c.is_sample)
            conn.execute(
                sa.delete(definition_table).where(definition_table.c.is_sample)
            )
            bump_definitions_version(conn)
            put_setting(conn, "sample_state", "removed")

    def setting(self, key: str, default: Any = None) -> Any:
        """The stored value of a setting, or ``default`` when it was never set."""
        query = sa.select(setting_table.c.value).where(setting_table.c.key == key)
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return default if row is None else row.value

    def set_expected_every(self, dataset_id: int, cadence: str | None) -> None:
        """Say how often new data is expected for a dataset; None: not said."""
        check_cadence(cadence)
        with self._write() as conn:
            conn.execute(
                sa.update(dataset_table)
                .where(dataset_table.c.id == dataset_id)
                .values(expected_every=cadence)
            )

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key``."""
        with self._write() as conn:
            put_setting(conn, key, value)

    def set_setting_and_kpis(self, key: str, value: Any, kpis: list[KPI]) -> None:
        """Store a setting and rewrite these KPIs' specs in one transaction.

        The KPIs keep their place and their sample flag; used when a changed
        status band must stay with the KPIs judged under the old one.
        """
        with self._write() as conn:
            put_setting(conn, key, value)
            for kpi in kpis:
                conn.execute(
                    sa.update(definition_table)
                    .where(
                        definition_table.c.kind == "kpi",
                        definition_table.c.key == kpi.key,
                    )
                    .values(spec=kpi.to_dict(), updated_at=utc_now())
                )
            bump_definitions_version(conn)

    def replace_planned_targets(
        self, removed: list[PlannedTarget], added: list[PlannedTarget]
    ) -> None:
        """Delete ``removed`` lines of the target table and write ``added``, at once."""
        with self._write() as conn:
            for row in removed:
                delete_definition(conn, "target", row.key)
            for row in added:
                upsert_definition(conn, "target", row.key, row.to_dict(), False)
            bump_definitions_version(conn)

    def has_data(self) -> bool:
        """True when any dataset or definition is stored (settings do not count)."""
        with self.engine.connect() as conn:
            return any(
                conn.execute(sa.select(table.c.id).limit(1)).first() is not None
                for table in (dataset_table, definition_table)
            )
