"""The simulated platform's data: complaints that arrive and progress over time.

The whole world is scripted from a seed when it is made: every complaint's arrival
and every later step (verification, disposition, Bukan Wewenang transfers,
postponements, followups, reporter replies, the platform's own closing, archive) has
an instant, some in the past and some still to come (``life.py`` draws each one's).
What the platform shows at any moment is what has happened by then, so the world
progresses with its clock and nothing else.
Faults may add writes on top (updates during paging, late writes), and some records
are deliberately malformed, as some complaints are removed upstream.

``truth()`` says, in connector records, exactly what a perfect mirror holds now.
"""

from __future__ import annotations

import bisect
import heapq
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from connectors.records import ComplaintDetail
from connectors.simulator.complaint import SimComplaint, SimLog
from connectors.simulator.life import DAY, script_complaint
from connectors.simulator.truth import expected_detail
from connectors.simulator.workdays import WorkingDays

__all__ = ["DAY", "FIRST_ID", "MALFORMATIONS", "World", "WorldSettings"]

FIRST_ID = 1_000_001
MALFORMATIONS = ("missing_field", "impossible_date", "wrong_type", "bad_followup")


@dataclass
class WorldSettings:
    complaints: int = 1000
    seed: int = 1
    history_days: float = 120
    """``complaints`` arrived over this many days before the start …"""
    future_days: int = 30
    """… and more keep arriving, at the same rate, for this many days after it."""
    malformed_rate: float = 0.0
    vanish_rate: float = 0.0
    same_second: int = 0
    """Complaints an admin updates in one bulk action, all in one second."""
    followup_page_size: int = 5
    timezone: str = "Asia/Jakarta"


@dataclass
class World:
    settings: WorldSettings
    clock: Callable[[], float]
    start: int = 0
    complaints: dict[int, SimComplaint] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _index: list[tuple[int, int]] = field(default_factory=list)
    _upcoming: list[tuple[int, int]] = field(default_factory=list)
    _now: int = 0
    writes: dict[str, int] = field(default_factory=lambda: {"touch": 0, "late": 0})
    """Writes the faults made, by kind."""

    @classmethod
    def generate(
        cls, settings: WorldSettings, clock: Callable[[], float], *, start: int | None = None
    ) -> World:
        world = cls(settings=settings, clock=clock, start=int(start or clock()))
        # ``complaints`` arrive over the history window; as many again per day keep
        # arriving over the future window, so the platform stays alive.
        spacing = settings.history_days * DAY / max(settings.complaints, 1)
        total = settings.complaints + int(settings.future_days * DAY / spacing)
        span_start = world.start - int(settings.history_days * DAY)
        zone = ZoneInfo(settings.timezone)
        calendar = WorkingDays()
        for n in range(total):
            complaint_id = FIRST_ID + n
            rng = random.Random(settings.seed * 1_000_003 + complaint_id)
            created = span_start + int((n + rng.random()) * spacing)
            complaint = script_complaint(complaint_id, created, rng, zone, calendar)
            if settings.vanish_rate and rng.random() < settings.vanish_rate:
                complaint.removed_at = created + rng.randrange(DAY, 30 * DAY)
            if settings.malformed_rate and rng.random() < settings.malformed_rate:
                complaint.malformed = rng.choice(MALFORMATIONS)
            world.complaints[complaint_id] = complaint
        if settings.same_second:
            world._bulk_update(random.Random(settings.seed), settings.same_second)
        for complaint in world.complaints.values():
            world._upcoming.append((complaint.created_at, complaint.id))
        heapq.heapify(world._upcoming)
        world.advance()
        return world

    def _bulk_update(self, rng: random.Random, count: int) -> None:
        stamp = self.start - 2 * DAY
        older = [c for c in self.complaints.values() if c.created_at < stamp]
        for c in rng.sample(older, min(count, len(older))):
            c.extra_ids += 1
            text = "Pembaruan massal oleh admin."
            status = c.status(stamp)
            note = SimLog(c.id * 1000 + 100 + c.extra_ids, stamp, status, status, None, None, text)
            bisect.insort(c.logs, note, key=lambda log: (log.at, log.id))

    # -- time -----------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def advance(self) -> int:
        """Make visible everything that has happened by now; returns now."""
        with self.lock:
            now = max(self.now(), self._now)
            self._now = now
            while self._upcoming and self._upcoming[0][0] <= now:
                _, complaint_id = heapq.heappop(self._upcoming)
                self._refresh(self.complaints[complaint_id], now)
            return now

    def _refresh(self, c: SimComplaint, now: int) -> None:
        if c.listed:
            self._index.pop(bisect.bisect_left(self._index, (c.updated_at, c.id)))
            c.listed = False
        moments = c.instants()
        past = [m for m in moments if m <= now]
        c.updated_at = past[-1] if past else c.created_at
        c.listed = c.created_at <= now and (c.removed_at is None or c.removed_at > now)
        if c.listed:
            bisect.insort(self._index, (c.updated_at, c.id))
        later = [m for m in moments if m > now]
        if later:
            heapq.heappush(self._upcoming, (later[0], c.id))

    # -- what the platform serves ------------------------------------------------------

    def listing(self, updated_from: int | None, page: int, page_size: int) -> tuple[list[int], int]:
        """Ids on one listing page, and how many match in all."""
        with self.lock:
            self.advance()
            start = 0 if updated_from is None else bisect.bisect_left(self._index, (updated_from,))
            total = len(self._index) - start
            first = start + (page - 1) * page_size
            return [cid for _, cid in self._index[first : first + page_size]], total

    def listed_ids(self) -> set[int]:
        with self.lock:
            self.advance()
            return {cid for _, cid in self._index}

    def listed_count(self) -> int:
        with self.lock:
            self.advance()
            return len(self._index)

    def listed(self, complaint_id: int) -> SimComplaint | None:
        with self.lock:
            self.advance()
            c = self.complaints.get(complaint_id)
            return c if c is not None and c.listed else None

    # -- writes that faults make ------------------------------------------------------

    def touch(self, complaint_id: int) -> None:
        """Updates one listed complaint now, as an admin note would."""
        with self.lock:
            now = self.advance()
            self._note(self.complaints[complaint_id], now, now)
            self.writes["touch"] += 1

    def touch_random(self, rng: random.Random, count: int) -> None:
        """Updates ``count`` listed complaints now, as an admin note would."""
        with self.lock:
            now = self.advance()
            for _ in range(min(count, len(self._index))):
                _, cid = self._index[rng.randrange(len(self._index))]
                self._note(self.complaints[cid], now, now)
                self.writes["touch"] += 1

    def late_write(self, rng: random.Random, max_lateness: int) -> None:
        """Writes an update stamped up to ``max_lateness`` seconds in the past."""
        with self.lock:
            now = self.advance()
            stamp = now - rng.randint(1, max_lateness)
            older = bisect.bisect_left(self._index, (stamp,))
            if older:
                _, cid = self._index[rng.randrange(older)]
                self._note(self.complaints[cid], stamp, now)
                self.writes["late"] += 1

    def _note(self, c: SimComplaint, stamp: int, now: int) -> None:
        status = c.status(now)
        c.extra_ids += 1
        text = "Catatan admin: data laporan diperbarui."
        note = SimLog(c.id * 1000 + 100 + c.extra_ids, stamp, status, status, None, None, text)
        bisect.insort(c.logs, note, key=lambda log: (log.at, log.id))
        self._refresh(c, now)

    # -- the truth ----------------------------------------------------------------------

    def truth(self) -> dict[int, ComplaintDetail]:
        """Every complaint a perfect mirror holds now, unless removed or malformed."""
        with self.lock:
            now = self.advance()
            return {
                c.id: expected_detail(c, now)
                for c in self.complaints.values()
                if c.listed and not c.is_malformed(now)
            }

    def removed_ids(self) -> set[int]:
        with self.lock:
            now = self.advance()
            return {
                c.id
                for c in self.complaints.values()
                if c.removed_at is not None and c.removed_at <= now
            }

    def malformed_ids(self) -> set[int]:
        with self.lock:
            now = self.advance()
            return {c.id for c in self.complaints.values() if c.listed and c.is_malformed(now)}
