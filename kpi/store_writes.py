"""The statements a store write is made of, each run inside one transaction.

``kpi.store.Store`` opens the transaction; these functions take its
connection. Among them the roll-back from a dataset's history: an earlier
upload's rows are copied as a new version in the same transaction as the
dataset's pointer moves, so the history keeps every upload and a restore can
itself be undone by restoring the version before it.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa

from kpi.errors import GoalpostError
from kpi.model import ColumnMapping
from kpi.store_schema import (
    ImportOutcome,
    bump_definitions_version,
    dataset_table,
    definition_table,
    setting_table,
    upsert,
    utc_now,
    version_table,
)


def repeat_of_current(
    conn: sa.Connection,
    found: sa.Row[Any] | None,
    content_hash: str,
    mapping: dict[str, Any],
) -> ImportOutcome | None:
    """The unchanged outcome when the current file comes again with its mapping."""
    if found is None or found.mapping != mapping:
        return None
    current = conn.execute(
        sa.select(version_table.c.content_hash, version_table.c.row_count).where(
            version_table.c.dataset_id == found.id,
            version_table.c.version == found.current_version,
        )
    ).one()
    if current.content_hash != content_hash:
        return None
    return ImportOutcome(found.id, found.current_version, current.row_count, False)


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


# Everything an upload stored, except its version number and time.
_COPIED = ("file_name", "sheet", "content_hash", "row_count", "columns", "rows")


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
        sa.select(dataset_table).where(dataset_table.c.id == dataset_id)
    ).one_or_none()
    if old is None or dataset is None:
        raise GoalpostError(
            "no_such_version",
            f"Dataset {dataset_id} has no version {version}: it was deleted or "
            "never stored. Reload the page to see the current history.",
        )
    if dataset.current_version == version:
        return ImportOutcome(dataset_id, version, old.row_count, changed=False)

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

    new_version = dataset.current_version + 1
    copied = {
        name: old._mapping[name]
        for name in (
            "file_name",
            "sheet",
            "content_hash",
            "row_count",
            "columns",
            "rows",
        )
    }
    conn.execute(
        sa.insert(version_table).values(
            dataset_id=dataset_id,
            version=new_version,
            uploaded_at=utc_now(),
            **copied,
        )
    )
    conn.execute(
        sa.update(dataset_table)
        .where(dataset_table.c.id == dataset_id)
        .values(current_version=new_version)
    )
    return ImportOutcome(dataset_id, new_version, old.row_count, changed=True)
