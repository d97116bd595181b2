"""A complaint's clocks, derived from its status log and followups (CONTRACT.md section 2).

Pure: the same complaint, policy and calendar always give the same clocks, and
``now`` only enters when a running clock's state is read (``Clock.state``).

    verification    created → first status change out of ``submitted``
    followup        disposition to A → A's first followup, or followed_up/completed
    completion      disposition to A → completed while with A
    reporter_reply  A's followup → the reporter's reply: the citizen's window

A disposition away from A closes A's open clocks as transferred; a complaint that
comes back to A starts A's next cycle. ``postponed`` pauses the holder's running
clocks and leaving it resumes them with the working days that were left; archive or
reject cancels them.

The reporter's window measures the citizen, not the agency: it never breaches. It
ends ``met`` by a reply in time, or ``lapsed`` when it runs out (``Clock.as_of``
closes it then). The platform closes a report whose window ran out unanswered: a
``completed`` on or after the window's due date is that closing, and the completion
clock stops at A's followup that opened the window, not at the platform's act. A
reply while A holds the complaint starts A's next followup clock (the next cycle),
unless ``restart_on_reporter_reply`` is off. While the window runs, A's completion
clock is paused: A has answered and waits for the citizen; a reply resumes it with
the working days that were left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from connectors.records import CanonicalStatus, ComplaintDetail, Followup, StatusLogEntry
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockKind, ClockPolicy, ClockState, Outcome, zone

END_OF_DAY = time(23, 59, 59)
_AGENCY_CLOCKS = (ClockKind.FOLLOWUP, ClockKind.COMPLETION)
_NO_ANSWER_OWED = (CanonicalStatus.COMPLETED, CanonicalStatus.ARCHIVED, CanonicalStatus.REJECTED)


@dataclass(frozen=True, slots=True)
class Clock:
    """One clock of one complaint, for one agency and cycle."""

    kind: ClockKind
    agency_id: int | None
    cycle: int
    zone: str
    working_days: int
    started_at: datetime
    due_at: datetime
    """The due instant; while paused, the one in force when the pause began."""
    paused_at: datetime | None = None
    remaining_days: int | None = None
    """While paused: the working days left when the pause began."""
    stopped_at: datetime | None = None
    outcome: Outcome | None = None

    @property
    def running(self) -> bool:
        return self.outcome is None

    def due_soon_at(self, policy: ClockPolicy, calendar: WorkingCalendar) -> datetime:
        """From when a running clock counts as due soon: the first warning's instant."""
        tz = zone(self.zone)
        due_day = self.due_at.astimezone(tz).date()
        day = working_days_before(calendar, due_day, policy.due_soon_working_days)
        return datetime.combine(day, policy.send_at, tz).astimezone(UTC)

    def as_of(self, now: datetime) -> Clock:
        """This clock at ``now``: a reporter's window that has run out is closed as
        lapsed at its due instant; every other clock is as it is."""
        if (
            self.kind is ClockKind.REPORTER_REPLY
            and self.outcome is None
            and self.paused_at is None
            and now > self.due_at
        ):
            return replace(self, stopped_at=self.due_at, outcome=Outcome.LAPSED)
        return self

    def evaluate(
        self, now: datetime, policy: ClockPolicy, calendar: WorkingCalendar
    ) -> tuple[ClockState, datetime | None]:
        """The state at ``now``, and when it next changes by time alone (None: never)."""
        if self.outcome is not None:
            return ClockState(self.outcome.value), None
        if self.paused_at is not None:
            return ClockState.PAUSED, None
        if self.kind is ClockKind.REPORTER_REPLY:
            return self._window_state(now)
        if now > self.due_at:
            return ClockState.BREACHED, None
        due_soon_at = self.due_soon_at(policy, calendar)
        if now >= due_soon_at:
            return ClockState.DUE_SOON, self.due_at + timedelta(seconds=1)
        return ClockState.ON_TRACK, due_soon_at

    def _window_state(self, now: datetime) -> tuple[ClockState, datetime | None]:
        # The citizen's window is never due soon or breached: it lapses.
        if now > self.due_at:
            return ClockState.LAPSED, None
        return ClockState.ON_TRACK, self.due_at + timedelta(seconds=1)

    def state(self, now: datetime, policy: ClockPolicy, calendar: WorkingCalendar) -> ClockState:
        return self.evaluate(now, policy, calendar)[0]

    def next_change_at(
        self, now: datetime, policy: ClockPolicy, calendar: WorkingCalendar
    ) -> datetime | None:
        """When ``state`` next changes by time alone; None if it never will."""
        return self.evaluate(now, policy, calendar)[1]


def working_days_before(calendar: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day before ``day`` (``day`` itself when n is 0)."""
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


class _Deriver:
    def __init__(
        self, detail: ComplaintDetail, policy: ClockPolicy, calendar: WorkingCalendar
    ) -> None:
        self.detail = detail
        self.policy = policy
        self.calendar = calendar
        self.done: list[Clock] = []
        self.open: dict[ClockKind, Clock] = {}
        self.verification: Clock | None = None
        self.holder: int | None = None
        self.cycles: dict[int, int] = {}
        self.replied_in_cycle = False
        self.status = CanonicalStatus.SUBMITTED

    def run(self) -> list[Clock]:
        summary = self.detail.summary
        self.verification = self._start(ClockKind.VERIFICATION, None, 1, summary.created_at)
        for _, _, event in sorted(_events(self.detail.logs, self.detail.followups)):
            if isinstance(event, StatusLogEntry):
                self._log(event)
            else:
                self._followup(event)
        clocks = [*self.done, *self.open.values()]
        if self.verification is not None:
            clocks.append(self.verification)
        return sorted(clocks, key=lambda c: (c.started_at, c.kind, c.agency_id or 0, c.cycle))

    def _start(self, kind: ClockKind, agency: int | None, cycle: int, at: datetime) -> Clock:
        s = self.detail.summary
        days = self.policy.limit(kind, s.classification, s.category_name)
        tz = self.policy.zone_name(agency)
        due = self.calendar.due_instant(at, days, zone(tz)).astimezone(UTC)
        return Clock(kind, agency, cycle, tz, days, at.astimezone(UTC), due)

    def _close(self, kind: ClockKind, at: datetime, outcome: Outcome | None = None) -> None:
        clock = self.open.pop(kind, None)
        if clock is not None:
            self.done.append(_stop(clock, at, outcome))

    def _log(self, log: StatusLogEntry) -> None:
        at = log.created_at
        new = log.status_new.canonical
        old = self.status
        if self.verification is not None and new not in (None, CanonicalStatus.SUBMITTED):
            self.done.append(_stop(self.verification, at))
            self.verification = None
        if log.institution_to is not None:
            self._disposition(log.institution_to.id, at)
        if new is None:
            return  # a status the mapping does not know changes no clock
        if new is CanonicalStatus.POSTPONED and old is not CanonicalStatus.POSTPONED:
            self._each_open(lambda c: self._pause(c, at))
        elif old is CanonicalStatus.POSTPONED and new is not CanonicalStatus.POSTPONED:
            self._each_open(lambda c: c if self._awaits_reporter(c) else self._resume(c, at))
        if new in (CanonicalStatus.FOLLOWED_UP, CanonicalStatus.COMPLETED):
            self._close(ClockKind.FOLLOWUP, at)
        if new is CanonicalStatus.COMPLETED:
            self._completed(at)
        if new in (CanonicalStatus.ARCHIVED, CanonicalStatus.REJECTED):
            for kind in list(self.open):
                self._close(kind, at, Outcome.CANCELLED)
        self.status = new

    def _disposition(self, agency: int, at: datetime) -> None:
        for kind in list(self.open):
            self._close(kind, at, Outcome.TRANSFERRED)
        self.holder = agency
        cycle = self.cycles[agency] = self.cycles.get(agency, 0) + 1
        self.replied_in_cycle = False
        for kind in _AGENCY_CLOCKS:
            self.open[kind] = self._start(kind, agency, cycle, at)
        if self.status is CanonicalStatus.POSTPONED:
            self._each_open(lambda c: self._pause(c, at))

    def _completed(self, at: datetime) -> None:
        window = self.open.pop(ClockKind.REPORTER_REPLY, None)
        if window is None:
            self._close(ClockKind.COMPLETION, at)
            return
        if self._ran_out(window, at):
            # The platform's own closing of an unanswered report: the agency's answer
            # was its followup that opened the window.
            self._close(ClockKind.COMPLETION, window.started_at)
            self.done.append(_end_window(window, at))
        else:
            self._close(ClockKind.COMPLETION, at)
            self.done.append(_stop(window, at, Outcome.CANCELLED))

    def _ran_out(self, window: Clock, at: datetime) -> bool:
        """Whether ``at`` is on or after the window's due date, in its zone."""
        if window.paused_at is not None:
            return False
        tz = zone(window.zone)
        return at.astimezone(tz).date() >= window.due_at.astimezone(tz).date()

    def _awaits_reporter(self, clock: Clock) -> bool:
        """The completion clock waits while the reporter's window runs: the agency
        has answered, and the time is the citizen's."""
        return clock.kind is ClockKind.COMPLETION and ClockKind.REPORTER_REPLY in self.open

    def _reporter_replied(self, at: datetime) -> None:
        window = self.open.pop(ClockKind.REPORTER_REPLY, None)
        if window is not None:
            self.done.append(_end_window(window, at))
            completion = self.open.get(ClockKind.COMPLETION)
            if completion is not None and self.status is not CanonicalStatus.POSTPONED:
                # The reply hands the complaint back: completion runs on.
                self.open[ClockKind.COMPLETION] = self._resume(completion, at)
        if (
            not self.policy.restart_on_reporter_reply
            or self.holder is None
            or ClockKind.FOLLOWUP in self.open
            or self.status in _NO_ANSWER_OWED
        ):
            return
        # The agency must answer the reply: its next followup clock, with a window of
        # its own once it does.
        cycle = self.cycles[self.holder] = self.cycles[self.holder] + 1
        self.replied_in_cycle = False
        clock = self._start(ClockKind.FOLLOWUP, self.holder, cycle, at)
        if self.status is CanonicalStatus.POSTPONED:
            clock = self._pause(clock, at)
        self.open[ClockKind.FOLLOWUP] = clock

    def _followup(self, followup: Followup) -> None:
        at = followup.created_at
        if followup.is_reporter:
            self._reporter_replied(at)
            return
        if self.holder is None or followup.institution_from_id != self.holder:
            return
        self._close(ClockKind.FOLLOWUP, at)
        if not self.replied_in_cycle:
            self.replied_in_cycle = True
            cycle = self.cycles[self.holder]
            clock = self._start(ClockKind.REPORTER_REPLY, self.holder, cycle, at)
            self.open[ClockKind.REPORTER_REPLY] = clock
            if self.status is CanonicalStatus.POSTPONED:
                self.open[ClockKind.REPORTER_REPLY] = self._pause(clock, at)
            completion = self.open.get(ClockKind.COMPLETION)
            if completion is not None:
                self.open[ClockKind.COMPLETION] = self._pause(completion, at)

    def _each_open(self, change: Callable[[Clock], Clock]) -> None:
        for kind, clock in list(self.open.items()):
            self.open[kind] = change(clock)

    def _pause(self, clock: Clock, at: datetime) -> Clock:
        if clock.paused_at is not None:
            return clock
        tz = zone(clock.zone)
        remaining = self.calendar.working_days_between(
            at.astimezone(tz).date(), clock.due_at.astimezone(tz).date()
        )
        if at > clock.due_at:
            remaining = 0
        return replace(clock, paused_at=at, remaining_days=remaining)

    def _resume(self, clock: Clock, at: datetime) -> Clock:
        if clock.paused_at is None or clock.remaining_days is None:
            return clock
        due = clock.due_at
        if clock.remaining_days > 0:
            due = self.calendar.due_instant(at, clock.remaining_days, zone(clock.zone))
        return replace(clock, due_at=due.astimezone(UTC), paused_at=None, remaining_days=None)


def _end_window(window: Clock, at: datetime) -> Clock:
    """The reporter's window ends: met by a reply in time, else lapsed at its due."""
    if at <= window.due_at or window.paused_at is not None:
        return _stop(window, at, Outcome.MET)
    return _stop(window, window.due_at, Outcome.LAPSED)


def _stop(clock: Clock, at: datetime, outcome: Outcome | None = None) -> Clock:
    if outcome is None:
        paused_in_time = clock.paused_at is not None and (clock.remaining_days or 0) > 0
        outcome = Outcome.MET if at <= clock.due_at or paused_in_time else Outcome.LATE
    return replace(clock, stopped_at=at.astimezone(UTC), outcome=outcome)


def _events(
    logs: Iterable[StatusLogEntry], followups: Iterable[Followup]
) -> Iterable[tuple[datetime, int, StatusLogEntry | Followup]]:
    # At the same instant a status change comes before a followup; the index keeps
    # the platform's own order among equals.
    for n, log in enumerate(logs):
        yield (log.created_at, n, log)
    for n, followup in enumerate(followups):
        yield (followup.created_at, 1_000_000 + n, followup)


def derive_clocks(
    detail: ComplaintDetail, policy: ClockPolicy, calendar: WorkingCalendar
) -> list[Clock]:
    """Every clock of this complaint, running or closed, oldest first."""
    return _Deriver(detail, policy, calendar).run()


def closed_by_vanishing(clocks: Sequence[Clock], at: datetime) -> list[Clock]:
    """A complaint the platform stopped showing answers to nobody: its running clocks
    end as cancelled when it vanished, so that they neither breach nor alert."""
    return [
        replace(c, outcome=Outcome.CANCELLED, stopped_at=at) if c.running else c for c in clocks
    ]
