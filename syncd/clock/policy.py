"""The clock definitions and their limits (CONTRACT.md section 2); the wiring fills
them in from the configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Jakarta"


class ClockKind(StrEnum):
    VERIFICATION = "verification"
    FOLLOWUP = "followup"
    COMPLETION = "completion"
    REPORTER_REPLY = "reporter_reply"


class Outcome(StrEnum):
    MET = "met"
    LATE = "late"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"
    """The reporter's window ran out without a reply (``reporter_reply`` only)."""


class ClockState(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    LATE = "late"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"


RUNNING_STATES = (ClockState.ON_TRACK, ClockState.DUE_SOON, ClockState.BREACHED, ClockState.PAUSED)

AGENCY_CLOCKS = (ClockKind.VERIFICATION, ClockKind.FOLLOWUP, ClockKind.COMPLETION)
"""The clocks that measure someone who must act (the platform admins, the agency).
``reporter_reply`` measures the citizen: it never breaches, alerts or counts in an
overdue figure, ratio or grade (CONTRACT.md section 2)."""


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class ClockPolicy:
    """How long each clock runs, where each agency keeps its time, when "due soon" starts."""

    verification_days: int = 3
    followup_days: int = 5
    completion_days: int = 14
    completion_by_classification: Mapping[str, int] = field(
        default_factory=lambda: {"Permintaan Informasi": 5}
    )
    field_examination_categories: frozenset[str] = frozenset()
    field_examination_days: int = 60
    reporter_reply_days: int = 10
    restart_on_reporter_reply: bool = True
    """A reporter's reply to the agency holding the complaint starts its next
    followup cycle: the agency must answer again."""
    due_soon_working_days: int = 2
    """A running clock is due soon from ``send_at`` on the working day this many
    working days before its due date: the first warning's instant."""
    send_at: time = time(8, 0)
    agency_zones: Mapping[int, str] = field(default_factory=dict)
    platform_zone: str = DEFAULT_ZONE
    """Where verification (the platform admins' clock) keeps its time."""

    def limit(self, kind: ClockKind, classification: str, category: str) -> int:
        """Working days a clock of ``kind`` gets for a complaint of this kind."""
        if kind is ClockKind.VERIFICATION:
            return self.verification_days
        if kind is ClockKind.FOLLOWUP:
            return self.followup_days
        if kind is ClockKind.REPORTER_REPLY:
            return self.reporter_reply_days
        if category in self.field_examination_categories:
            return self.field_examination_days
        return self.completion_by_classification.get(classification, self.completion_days)

    def zone_name(self, agency_id: int | None) -> str:
        if agency_id is None:
            return self.platform_zone
        return self.agency_zones.get(agency_id, DEFAULT_ZONE)
