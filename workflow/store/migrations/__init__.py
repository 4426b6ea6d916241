"""Alembic's migrations of the azwa schema (run through workflow.store.schema)."""
