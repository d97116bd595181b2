"""The mirror's tables, one concept a module."""

from sqlalchemy import Table

from syncd.store.tables.clock import ClockRow
from syncd.store.tables.clock_rules import ClockRules
from syncd.store.tables.complaint import Complaint
from syncd.store.tables.followup import Followup
from syncd.store.tables.ha import LeaderLease, Member
from syncd.store.tables.holder import DatabaseHolder
from syncd.store.tables.institution import Institution
from syncd.store.tables.outbox import OutboxMail
from syncd.store.tables.quarantine import QuarantinedRecord
from syncd.store.tables.status_log import StatusLogEntry
from syncd.store.tables.sync_state import SyncCheckpoint, SyncRun
from syncd.store.tables.tally import ClockTally, ComplaintTally, EarliestDue
from syncd.store.tables.tracked import TrackedComplaint

# The Core tables behind the models, for bulk statements.
COMPLAINTS: Table = Complaint.__table__  # type: ignore[attr-defined]
STATUS_LOGS: Table = StatusLogEntry.__table__  # type: ignore[attr-defined]
FOLLOWUPS: Table = Followup.__table__  # type: ignore[attr-defined]
INSTITUTIONS: Table = Institution.__table__  # type: ignore[attr-defined]
QUARANTINE: Table = QuarantinedRecord.__table__  # type: ignore[attr-defined]
CHECKPOINTS: Table = SyncCheckpoint.__table__  # type: ignore[attr-defined]
RUNS: Table = SyncRun.__table__  # type: ignore[attr-defined]
CLOCKS: Table = ClockRow.__table__  # type: ignore[attr-defined]
CLOCK_RULES: Table = ClockRules.__table__  # type: ignore[attr-defined]
OUTBOX: Table = OutboxMail.__table__  # type: ignore[attr-defined]
COMPLAINT_TALLY: Table = ComplaintTally.__table__  # type: ignore[attr-defined]
CLOCK_TALLY: Table = ClockTally.__table__  # type: ignore[attr-defined]
EARLIEST_DUE: Table = EarliestDue.__table__  # type: ignore[attr-defined]
TRACKED: Table = TrackedComplaint.__table__  # type: ignore[attr-defined]
HOLDER: Table = DatabaseHolder.__table__  # type: ignore[attr-defined]
LEASE: Table = LeaderLease.__table__  # type: ignore[attr-defined]
MEMBERS: Table = Member.__table__  # type: ignore[attr-defined]

__all__ = [
    "CHECKPOINTS",
    "CLOCKS",
    "CLOCK_RULES",
    "CLOCK_TALLY",
    "COMPLAINTS",
    "COMPLAINT_TALLY",
    "EARLIEST_DUE",
    "FOLLOWUPS",
    "HOLDER",
    "INSTITUTIONS",
    "LEASE",
    "MEMBERS",
    "OUTBOX",
    "QUARANTINE",
    "RUNS",
    "STATUS_LOGS",
    "TRACKED",
    "ClockRow",
    "ClockRules",
    "ClockTally",
    "Complaint",
    "ComplaintTally",
    "DatabaseHolder",
    "EarliestDue",
    "Followup",
    "Institution",
    "LeaderLease",
    "Member",
    "OutboxMail",
    "QuarantinedRecord",
    "StatusLogEntry",
    "SyncCheckpoint",
    "SyncRun",
    "TrackedComplaint",
]
