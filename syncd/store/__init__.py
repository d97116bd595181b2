"""The local mirror: tables, the engine, and schema migrations.

The mirror is the source of truth for clocks, metrics and alerts. Instants are
stored in UTC; SQLite is the default, PostgreSQL runs the same code.
"""

from syncd.store.engine import make_engine
from syncd.store.migrate import upgrade
from syncd.store.tables import (
    Complaint,
    Followup,
    Institution,
    QuarantinedRecord,
    StatusLogEntry,
    SyncCheckpoint,
    SyncRun,
)

__all__ = [
    "Complaint",
    "Followup",
    "Institution",
    "QuarantinedRecord",
    "StatusLogEntry",
    "SyncCheckpoint",
    "SyncRun",
    "make_engine",
    "upgrade",
]
