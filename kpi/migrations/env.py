"""Alembic's entry point: run the revisions on the connection the Store opened.

``kpi.store_migrate.migrate_to_head`` puts that connection, already inside
its write transaction, into ``config.attributes["connection"]``; the
revisions then run inside that transaction and commit with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from kpi.errors import GoalpostError
from kpi.store_schema import metadata


def run_on_the_store_connection() -> None:
    """Run the pending revisions on the handed-over connection."""
    conn = context.config.attributes.get("connection")
    if context.is_offline_mode() or not isinstance(conn, sa.Connection):
        raise GoalpostError(
            "no_store_connection",
            "The store's migrations run on the connection a Store opens, not "
            "from the alembic command line. Open the store instead: "
            "kpi.store.Store(kpi.store.database_url()).",
        )

    # Batch mode in generated revisions, so SQLite can rebuild a table.
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_on_the_store_connection()
