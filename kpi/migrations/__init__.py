"""Alembic revisions of the store's schema; ``kpi.store_migrate`` runs them."""
