"""``INSERT … ON CONFLICT`` for whichever of SQLite and PostgreSQL is in use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(connection: Connection, table: Table) -> Any:
    """The dialect's insert, which has ``on_conflict_do_update``/``_do_nothing``."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
