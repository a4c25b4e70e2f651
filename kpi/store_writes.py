"""The statements a store write is made of, each run inside one transaction.

``kpi.store.Store`` opens the transaction; these functions take its
connection. Among them an import in one of the modes of ``kpi.import_modes``:
the dataset's record is locked, its current rows are read when the mode needs
them, and the rows the plan counts are stored as one new version. And the
roll-back from a dataset's history: an earlier upload's rows are copied as a
new version in the same transaction as the dataset's pointer moves, so the
history keeps every upload and a restore can itself be undone by restoring
the version before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa

from kpi.errors import GoalpostError, Location
from kpi.import_modes import (
    ImportMode,
    ImportPlan,
    batches_after,
    check_same_mapping,
    combine,
    new_dataset_plan,
    replace_plan,
    unchanged_plan,
)
from kpi.model import ColumnMapping
from kpi.store_schema import (
    ImportOutcome,
    bump_definitions_version,
    dataset_table,
    definition_table,
    rows_from_parquet,
    rows_to_parquet,
    setting_table,
    upsert,
    utc_now,
    version_table,
)


@dataclass(frozen=True, eq=False)
class ImportRequest:
    """One import as ``Store.import_rows`` or ``Store.plan_import`` was asked it."""

    name: str
    mapping: ColumnMapping
    rows: pd.DataFrame
    content_hash: str
    mode: ImportMode = "replace"
    file_name: str = ""
    sheet: str | None = None
    source: str = "upload"
    is_sample: bool = False

    @property
    def where(self) -> Location:
        return Location(self.file_name, self.sheet)


def find_dataset(
    conn: sa.Connection, name: str, *, lock: bool = False
) -> sa.Row[Any] | None:
    """The dataset's record; ``lock`` holds it until the transaction ends."""
    query = sa.select(dataset_table).where(dataset_table.c.name == name)
    # On PostgreSQL a second import into the dataset then waits for the first
    # to commit and builds on its version (SQLite's write lock does the same).
    return conn.execute(query.with_for_update() if lock else query).one_or_none()


def plan_in(
    conn: sa.Connection, found: sa.Row[Any] | None, request: ImportRequest
) -> tuple[ImportPlan, pd.DataFrame, list[str]]:
    """The plan, the rows it would store and the current version's batches.

    Reads the current rows only for a merge or append of a new file. Raises
    ``ImportProblem`` (``mapping_differs``) for a merge or append mapped
    unlike the dataset.
    """
    rows, mode = request.rows, request.mode
    if found is None:
        return new_dataset_plan(mode, rows), rows, []
    current = conn.execute(
        sa.select(
            version_table.c.row_count,
            version_table.c.columns,
            version_table.c.batches,
        ).where(_is_current(found))
    ).one()

    if mode == "replace":
        # The current version is this very file only when it holds no other.
        same = found.mapping == request.mapping.to_dict()
        if same and current.batches == [request.content_hash]:
            plan = unchanged_plan(mode, current.row_count, len(rows), "same_file")
            return plan, rows, current.batches
        return replace_plan(current.row_count, rows), rows, current.batches

    mapping_now = ColumnMapping.from_dict(found.mapping)
    check_same_mapping(
        found.name, mapping_now, current.columns, request.mapping, rows, request.where
    )
    if request.content_hash in current.batches:
        plan = unchanged_plan(mode, current.row_count, len(rows), "file_already_in")
        return plan, rows, current.batches
    blob = conn.execute(sa.select(version_table.c.rows).where(_is_current(found)))
    after, plan = combine(mode, rows_from_parquet(blob.scalar_one()), rows, mapping_now)
    return plan, after, current.batches


def import_in(conn: sa.Connection, request: ImportRequest) -> ImportOutcome:
    """Store the rows ``plan_in`` gives as the dataset's next version, if any.

    The version stores exactly ``plan.rows_after`` rows.
    """
    found = find_dataset(conn, request.name, lock=True)
    plan, after, batches = plan_in(conn, found, request)
    if found is not None and plan.nothing_changes:
        return ImportOutcome(
            found.id, found.current_version, plan.rows_now, False, request.mode
        )

    blob = rows_to_parquet(after, request.where)
    record = {
        "name": request.name,
        "source": request.source,
        "mapping": request.mapping.to_dict(),
        "is_sample": request.is_sample,
    }
    dataset_id, version = next_version(conn, found, record)
    counts = {"rows_added": plan.rows_added, "rows_replaced": plan.rows_replaced}
    conn.execute(
        sa.insert(version_table).values(
            dataset_id=dataset_id,
            version=version,
            uploaded_at=utc_now(),
            file_name=request.file_name,
            sheet=request.sheet,
            content_hash=request.content_hash,
            row_count=len(after),
            columns=[str(column) for column in after.columns],
            rows=blob,
            mode=request.mode,
            batches=batches_after(request.mode, batches, request.content_hash),
            **counts,
        )
    )
    return ImportOutcome(dataset_id, version, len(after), True, request.mode, **counts)


def _is_current(found: sa.Row[Any]) -> sa.ColumnElement[bool]:
    return sa.and_(
        version_table.c.dataset_id == found.id,
        version_table.c.version == found.current_version,
    )


def next_version(
    conn: sa.Connection, found: sa.Row[Any] | None, record: dict[str, Any]
) -> tuple[int, int]:
    """Create the dataset at version 1, or move it on to its next version."""
    if found is None:
        values = {**record, "created_at": utc_now(), "current_version": 1}
        inserted = conn.execute(sa.insert(dataset_table).values(**values))
        # SQLAlchemy types the key as optional; a one-row insert always has it.
        primary_key = cast("sa.Row[Any]", inserted.inserted_primary_key)
        return int(primary_key[0]), 1

    version = found.current_version + 1
    conn.execute(
        sa.update(dataset_table)
        .where(dataset_table.c.id == found.id)
        .values(**record, current_version=version)
    )
    return found.id, version


def delete_datasets(conn: sa.Connection, which: sa.ColumnElement[bool]) -> None:
    doomed = sa.select(dataset_table.c.id).where(which).scalar_subquery()
    conn.execute(sa.delete(version_table).where(version_table.c.dataset_id.in_(doomed)))
    conn.execute(sa.delete(dataset_table).where(which))


def delete_definition(conn: sa.Connection, kind: str, key: str) -> None:
    conn.execute(
        sa.delete(definition_table).where(
            definition_table.c.kind == kind, definition_table.c.key == key
        )
    )
    bump_definitions_version(conn)


def put_setting(conn: sa.Connection, key: str, value: Any) -> None:
    values = {"key": key, "value": value}
    upsert(conn, setting_table, values, conflict=("key",), update=("value",))


# What a restore copies from the restored version: the file, its rows and
# the batches they hold; number, time, mode and counts are the restore's own.
_COPIED = (
    "file_name",
    "sheet",
    "content_hash",
    "row_count",
    "columns",
    "rows",
    "batches",
)


def restore_in(conn: sa.Connection, dataset_id: int, version: int) -> ImportOutcome:
    """Copy ``version`` of the dataset as its next version and make it current.

    Refused with "version_mapping_changed" when the dataset's column mapping
    names a column that version does not have (it was read another way).
    """
    old = conn.execute(
        sa.select(version_table).where(
            version_table.c.dataset_id == dataset_id,
            version_table.c.version == version,
        )
    ).one_or_none()
    dataset = conn.execute(
        sa.select(dataset_table)
        .where(dataset_table.c.id == dataset_id)
        .with_for_update()
    ).one_or_none()
    if old is None or dataset is None:
        raise GoalpostError(
            "no_such_version",
            f"Dataset {dataset_id} has no version {version}: it was deleted or "
            "never stored. Reload the page to see the current history.",
        )
    if dataset.current_version == version:
        return ImportOutcome(dataset_id, version, old.row_count, False, "restore")

    mapping = ColumnMapping.from_dict(dataset.mapping)
    needed = [mapping.date, *mapping.dimensions, *mapping.numbers]
    missing = [column for column in needed if column not in old.columns]
    if missing:
        raise GoalpostError(
            "version_mapping_changed",
            f'Version {version} of "{dataset.name}" has no column '
            f"{', '.join(missing)}: it was read with other columns than the "
            "dataset uses now. Upload that file again and map its columns instead.",
        )

    replaced = conn.execute(
        sa.select(version_table.c.row_count).where(_is_current(dataset))
    ).scalar_one()
    new_version = dataset.current_version + 1
    conn.execute(
        sa.insert(version_table).values(
            dataset_id=dataset_id,
            version=new_version,
            uploaded_at=utc_now(),
            mode="restore",
            rows_added=old.row_count,
            rows_replaced=replaced,
            **{name: old._mapping[name] for name in _COPIED},
        )
    )
    conn.execute(
        sa.update(dataset_table)
        .where(dataset_table.c.id == dataset_id)
        .values(current_version=new_version)
    )
    return ImportOutcome(
        dataset_id, new_version, old.row_count, True, "restore", old.row_count, replaced
    )
