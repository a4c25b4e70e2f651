"""Datasets say how often they are expected to be updated.

Revision ID: 0003_expected_every
Revises: 0002_target_kind

A nullable text column, ``datasets.expected_every`` ("day", "week",
"month", or NULL for "not said"). Adding a nullable column needs no table
rebuild on SQLite or PostgreSQL, and every existing dataset keeps its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_expected_every"
down_revision = "0002_target_kind"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("datasets", sa.Column("expected_every", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("expected_every")
