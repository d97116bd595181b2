"""One simulated complaint's whole life, drawn from its own seeded ``random.Random``.

A regency's platform, by the LAPOR! operating rules (docs/DOMAIN.md, "Deadlines"):
the national admin verifies and routes the report; the agency holding it posts its
followup, most within 5 working days of the disposition (Sekadau followed up 88.8 %
in 2024), a few later, a handful never; the reporter then has 10 working days to
reply. Most do not, and the platform closes the report itself (``Selesai``, written
by the national admin) in its first run after that window ends. Some reply, which
sends the report back to the agency: it answers again (or the admin routes it back
to it first), and the reporter's window opens again.

Agencies act in office hours, reporters in the day, the platform's closing at night,
all in the world's time zone; working days are the national calendar's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from connectors.simulator import vocabulary as v
from connectors.simulator.complaint import SimComplaint, SimFollowup, SimLog
from connectors.simulator.workdays import WorkingDays

DAY = 86_400
FOLLOWUP_DAYS = 5
"""LAPOR!: the agency posts its followup within 5 working days of the disposition."""
WINDOW_DAYS = 10
"""LAPOR!: a report is finished 10 working days after a followup without a reply."""
ON_TIME = 0.88
NEVER_ANSWERED = 0.02
"""The rest of the first answers (10 %) come late: 1 to 10 working days after due."""
REPLY = 0.2
"""Of the agency's answers, the share the reporter replies to within the window."""
SENT_BACK = 0.25
"""Of the replies, the share the admin routes back to the agency (its next cycle)."""
MOST_ANSWERS = 3
"""The reporter stops replying after this many answers."""
OFFICE_HOURS = (time(8), time(15, 30))
REPORTER_HOURS = (time(6), time(21))
PLATFORM_RUN = (time(0, 5), time(1, 0))
"""The platform closes reports in a nightly run, after the window's last day."""


def script_complaint(
    complaint_id: int, created: int, rng: random.Random, zone: ZoneInfo, calendar: WorkingDays
) -> SimComplaint:
    """The complaint's every step, verification to the platform's closing."""
    category, topics = rng.choice(v.TOPICS)
    title, sentence = rng.choice(topics)
    place = rng.choice(v.PLACES)
    incident = datetime.fromtimestamp(created - rng.randrange(1, 20) * DAY, UTC).date()
    c = SimComplaint(
        id=complaint_id,
        created_at=created,
        classification=rng.choice(v.CLASSIFICATIONS),
        category=category,
        title=title.format(place=place),
        content=f"{sentence} Lokasi: {place}. Mohon segera ditindaklanjuti.",
        location=f"Kecamatan {place}",
        incident_date=incident.isoformat(),
        is_secret=rng.random() < 0.08,
        is_anonymous=rng.random() < 0.2,
        logs=[],
        followups=[],
    )
    _Life(c, rng, zone, calendar).run()
    return c


@dataclass
class _Life:
    c: SimComplaint
    rng: random.Random
    zone: ZoneInfo
    calendar: WorkingDays
    t: int = field(init=False)

    def __post_init__(self) -> None:
        self.t = self.c.created_at

    def run(self) -> None:
        admin = v.NATIONAL_ADMIN[0]
        fate = self.rng.random()
        if fate < 0.03:
            self.log(self.rng.uniform(0.1, 2), 0, 6, admin, None, v.REJECT_NOTE)
            return
        if fate < 0.06:
            self.log(self.rng.uniform(0.1, 2), 0, 5, admin, None, v.ARCHIVE_NOTE)
            return
        self.log(self.rng.uniform(0.05, 4.5), 0, 1, admin, None, v.VERIFY_NOTE)
        holder = self.rng.choice(v.ROUTABLE)
        self.log(self.rng.uniform(0.01, 0.5), 1, 2, admin, holder, v.DISPOSITION_NOTE)
        if self.rng.random() < 0.12:
            other = self.rng.choice([i for i in v.ROUTABLE if i != holder])
            self.log(self.rng.uniform(0.5, 4), 2, 2, holder, other, v.TRANSFER_NOTE)
            holder = other
        due = self.due(self.t, FOLLOWUP_DAYS)
        if self.rng.random() < 0.06:
            self.log(self.rng.uniform(0.2, 2), 2, 7, holder, None, v.POSTPONE_NOTE)
            paused = self.day(self.t)
            self.log(self.rng.uniform(2, 10), 7, 2, admin, None, v.RESUME_NOTE)
            # As the clock pauses (CONTRACT.md section 2): the working days that were
            # left when it paused count again from the day it resumed.
            left = self.calendar.between(paused, due) if paused <= due else 0
            due = self.calendar.add(self.day(self.t), left) if left else due
        if self.rng.random() < NEVER_ANSWERED:
            return  # the handful nobody ever answers
        self.answer(holder, due, status_change=True)
        for answers in range(1, MOST_ANSWERS + 1):
            window_end = self.calendar.add(self.day(self.t), WINDOW_DAYS)
            if answers == MOST_ANSWERS or self.rng.random() >= REPLY:
                # No reply: the platform's own closing, in its first run after the window.
                closing = self.moment(window_end.toordinal() + 1, PLATFORM_RUN)
                self.log_at(closing, 3, 4, admin, None, v.PLATFORM_CLOSING_NOTE)
                return
            span = (window_end - self.day(self.t)).days
            reply_day = self.day(self.t).toordinal() + self.rng.randint(1, span)
            reply = self.moment(reply_day, REPORTER_HOURS)
            self.followup_at(reply, None, v.REPORTER_REPLIES)
            if self.rng.random() < SENT_BACK:
                self.log(self.rng.uniform(0.1, 2), 3, 2, admin, holder, v.SENT_BACK_NOTE)
                self.answer(holder, self.due(self.t, FOLLOWUP_DAYS), status_change=True)
            else:
                self.answer(holder, self.due(self.t, FOLLOWUP_DAYS), status_change=False)

    def answer(self, holder: int, due: date, *, status_change: bool) -> None:
        """The holder's followup: on time by ``due`` most often, else late."""
        first = self.day(self.t)
        on_time = [
            day
            for n in range(1, FOLLOWUP_DAYS + 1)
            if first < (day := self.calendar.add(first, n)) <= due
        ]
        if on_time and self.rng.random() < ON_TIME / (1 - NEVER_ANSWERED):
            day = self.rng.choice(on_time)
        else:
            day = self.calendar.add(max(first, due), self.rng.randint(1, 10))
        self.followup_at(self.moment(day.toordinal(), OFFICE_HOURS), holder, v.AGENCY_REPLIES)
        if status_change:
            self.log_at(self.t + 1, 2, 3, holder, None, v.FOLLOWED_UP_NOTE)

    # -- the steps ------------------------------------------------------------------

    def log(
        self, after_days: float, old: int, new: int, src: int | None, to: int | None, text: str
    ) -> None:
        self.log_at(self.t + int(after_days * DAY) + 1, old, new, src, to, text)

    def log_at(
        self, at: int, old: int, new: int, src: int | None, to: int | None, text: str
    ) -> None:
        self.t = at
        c = self.c
        c.logs.append(SimLog(c.id * 1000 + len(c.logs), at, old, new, src, to, text))

    def followup_at(self, at: int, src: int | None, texts: tuple[str, ...]) -> None:
        self.t = at
        c = self.c
        text = self.rng.choice(texts)
        followup_id = c.id * 1000 + 500 + len(c.followups)
        c.followups.append(SimFollowup(followup_id, at, src, src is None, text))

    # -- the calendar ---------------------------------------------------------------

    def day(self, t: int) -> date:
        return datetime.fromtimestamp(t, self.zone).date()

    def due(self, start: int, working_days: int) -> date:
        return self.calendar.add(self.day(start), working_days)

    def moment(self, ordinal: int, hours: tuple[time, time]) -> int:
        """A second between ``hours`` on the day ``ordinal``, in the world's zone."""
        day = date.fromordinal(ordinal)
        low, high = (int(datetime.combine(day, h, self.zone).timestamp()) for h in hours)
        return self.rng.randint(low, high)
