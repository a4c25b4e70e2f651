"""Each dataset version records how it was made and which files it holds.

Revision ID: 0004_batches
Revises: 0003_expected_every

Four columns on ``dataset_versions``: ``mode`` ("replace", "merge",
"append" or "restore"), ``batches`` (JSON list of the content hashes of the
files whose rows the version holds), ``rows_added`` and ``rows_replaced``.
They are added NOT NULL with a server default, which neither SQLite nor
PostgreSQL rebuilds a table for, so no row blob is copied. Every existing
version was a replace of one file: ``batches`` becomes ``[content_hash]``,
``rows_added`` its row count, ``rows_replaced`` the row count of the version
before it (0 for version 1).

Going back drops the four columns; on SQLite batch mode rebuilds the table
from ``VERSIONS_AT_0004`` (a copy of this revision's table, not a reflection),
which nothing refers to, so dropping it deletes no other row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004_batches"
down_revision = "0003_expected_every"
branch_labels = None
depends_on = None


def new_columns() -> list[sa.Column[Any]]:
    """The added columns, made afresh: a Column belongs to one table only."""
    return [
        sa.Column("mode", sa.Text, nullable=False, server_default="replace"),
        sa.Column("batches", sa.JSON, nullable=False, server_default="[]"),
        sa.Column("rows_added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_replaced", sa.Integer, nullable=False, server_default="0"),
    ]


VERSIONS_AT_0004 = sa.Table(
    "dataset_versions",
    sa.MetaData(),
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
    *new_columns(),
    sa.UniqueConstraint("dataset_id", "version"),
)

# The row count of the same dataset's version before; 0 when there is none.
ROWS_BEFORE = """COALESCE((
    SELECT earlier.row_count FROM dataset_versions AS earlier
    WHERE earlier.dataset_id = dataset_versions.dataset_id
      AND earlier.version = dataset_versions.version - 1
), 0)"""


def upgrade() -> None:
    for column in new_columns():
        op.add_column("dataset_versions", column)

    one_hash = {"postgresql": "json_build_array", "sqlite": "json_array"}
    function = one_hash[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE dataset_versions SET batches = {function}(content_hash), "
        f"rows_added = row_count, rows_replaced = {ROWS_BEFORE}"
    )


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions", copy_from=VERSIONS_AT_0004) as batch:
        for column in reversed(new_columns()):
            batch.drop_column(column.name)
