"""Alembic migration scripts for the mirror's schema."""
