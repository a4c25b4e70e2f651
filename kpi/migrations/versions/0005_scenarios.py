"""Saved scenarios, and the record of each applied one for its undo.

Revision ID: 0005_scenarios
Revises: 0004_batches

Two new tables (``kpi.scenario_store``): ``scenarios``, one row per saved
scenario (its name, the name as a key, its spec as JSON), and
``scenario_applications``, one row per applied scenario with what each KPI
it wrote was before. Nothing existing changes. Going back drops both
tables; no other table refers to them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_scenarios"
down_revision = "0004_batches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Copies of kpi.scenario_store's tables as this revision made them.
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scenario_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario", sa.Text, nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("scenario_applications")
    op.drop_table("scenarios")
