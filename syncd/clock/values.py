"""What the clock keeper reports: plain values, free of the store that produced them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from syncd.clock.derive import Clock


@dataclass(frozen=True)
class Transition:
    """A stored clock whose state a tick changed."""

    clock_id: int
    complaint_id: int
    kind: str
    agency_id: int | None
    cycle: int
    before: str
    after: str


@dataclass(frozen=True)
class Ticked:
    evaluated: int
    """Clocks whose evaluation time had come (at most the tick's limit)."""
    changes: list[Transition]
    """The state changes among them."""


@dataclass(frozen=True)
class Move:
    """A clock whose due instant a recompute changes."""

    complaint_id: int
    tracking_id: str
    kind: str
    agency_id: int | None
    cycle: int
    before: datetime | None
    after: datetime | None


@dataclass
class Recomputed:
    """What a recompute found (and, unless it was a dry run, applied)."""

    complaints: int = 0
    clocks: int = 0
    moved: int = 0
    """Clocks whose due instant changes."""
    added: int = 0
    removed: int = 0
    moves: list[Move] = field(default_factory=list)
    """The first moves, to show."""


@dataclass(frozen=True, slots=True)
class KeptClock:
    """A clock as stored, with the complaint (row id) and source it belongs to."""

    complaint_id: int
    source: str
    clock: Clock
