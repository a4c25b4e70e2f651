"""Roll-back from a dataset's history: an earlier upload becomes current again.

The old version's rows are copied as a new version in the same transaction
as the dataset's pointer moves, so the history keeps every upload and a
restore can itself be undone by restoring the version before it.
"""

from __future__ import annotations

import sqlalchemy as sa

from kpi.errors import GoalpostError
from kpi.model import ColumnMapping
from kpi.store_schema import ImportOutcome, dataset_table, utc_now, version_table

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
