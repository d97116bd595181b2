"""The mirror's tables, one concept a module."""

from syncd.store.tables.complaint import Complaint
from syncd.store.tables.followup import Followup
from syncd.store.tables.institution import Institution
from syncd.store.tables.quarantine import QuarantinedRecord
from syncd.store.tables.status_log import StatusLogEntry
from syncd.store.tables.sync_state import SyncCheckpoint, SyncRun

__all__ = [
    "Complaint",
    "Followup",
    "Institution",
    "QuarantinedRecord",
    "StatusLogEntry",
    "SyncCheckpoint",
    "SyncRun",
]
