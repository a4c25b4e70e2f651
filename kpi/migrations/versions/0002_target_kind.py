"""Definitions may also be of kind 'target': the lines of the target table.

Revision ID: 0002_target_kind
Revises: 0001_baseline

Only the CHECK on ``definitions.kind`` changes. PostgreSQL drops and adds
the constraint; SQLite cannot alter a CHECK, so batch mode rebuilds the
table from ``DEFINITIONS_AT_BASELINE`` (a copy of revision 1's table, not a
reflection of the file), keeping every row and its id, hence the order
definitions were first saved in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_target_kind"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

CHECK_NAME = "definitions_kind_known"
KINDS_BEFORE = "kind IN ('metric', 'goal', 'kpi')"
KINDS_AFTER = "kind IN ('metric', 'goal', 'kpi', 'target')"

DEFINITIONS_AT_BASELINE = sa.Table(
    "definitions",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("is_sample", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("kind", "key"),
    sa.CheckConstraint(KINDS_BEFORE, name=CHECK_NAME),
)


def upgrade() -> None:
    _replace_kind_check(KINDS_AFTER)


def downgrade() -> None:
    # Refused by the database (CHECK violation) while any 'target' row exists,
    # so a downgrade never drops the target table silently.
    _replace_kind_check(KINDS_BEFORE)


def _replace_kind_check(condition: str) -> None:
    with op.batch_alter_table(
        "definitions", copy_from=DEFINITIONS_AT_BASELINE
    ) as batch:
        batch.drop_constraint(CHECK_NAME, type_="check")
        batch.create_check_constraint(CHECK_NAME, condition)
