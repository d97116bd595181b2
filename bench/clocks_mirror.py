"""Synthetic SP4N-LAPOR! mirrors for ``bench/clocks.py``, written straight with ``sqlite3``.

The schema comes from syncd's own ``upgrade()``; the rows are then inserted with plain
``executemany``, as the sync would have written them (canonical statuses beside the
upstream codes and names, instants as the naive UTC text SQLAlchemy's SQLite
``DateTime`` stores), but without going through the connector or the writer: a
million complaints take a minute or two this way instead of an hour.

Each complaint gets a short, plausible history, drawn from a seeded ``random.Random``
in the same shape as the simulator's (``connectors/simulator/world.py``): created in
the last ``DAYS_BACK`` days; verified (0→1) hours to days later, or, for a few,
rejected or archived; dispositioned (1→2) to one of ``len(AGENCIES)`` agencies; for a
few, transferred (2→2) to another agency, or postponed (2→7) and resumed (7→2); for
most, a followup by the holder and a 2→3 log; for some, the reporter's reply; for
some, a 3→4 completion. Whatever would happen after ``now`` has not happened yet, so
recent complaints are still open and their clocks running.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from connectors.records import (
    CanonicalStatus,
    ComplaintDetail,
    ComplaintSummary,
    Followup,
    InstitutionRef,
    Status,
    StatusLogEntry,
)
from connectors.simulator import vocabulary as v
from connectors.sp4n_lapor_wire import DEFAULT_STATUS_MAP
from syncd.store import make_engine, upgrade

SOURCE = "lapor"
DAY = 86_400
DAYS_BACK = 120
CHUNK = 20_000  # complaints per executemany batch and commit

ADMIN_ID, ADMIN_NAME = v.NATIONAL_ADMIN
_OFFICES = ("Kesehatan", "Pendidikan", "Pekerjaan Umum", "Sosial", "Perhubungan")
_REGIONS = ("Sekadau", "Sanggau", "Sintang", "Melawi", "Kapuas Hulu", "Landak", "Bengkayang")
_REGIONS += ("Ketapang", "Kubu Raya", "Mempawah")
# 50 agencies: five offices in each of ten regencies.
AGENCIES: dict[int, str] = {
    6100 + 10 * r + o: f"Dinas {office} Kabupaten {region}"
    for r, region in enumerate(_REGIONS)
    for o, office in enumerate(_OFFICES)
}
_AGENCY_IDS = tuple(AGENCIES)
NAMES = {ADMIN_ID: ADMIN_NAME, **AGENCIES}


def use_agencies(n: int) -> dict[int, str]:
    """Spread the complaints over ``n`` agencies instead of 50, for the mirrors built
    after this call (bench/metrics.py: 700, a national deployment's order)."""
    global AGENCIES, _AGENCY_IDS, NAMES  # noqa: PLW0603 (the builder's module-wide cast)
    AGENCIES = {7000 + i: f"Instansi Pemerintah {i:04d}" for i in range(1, n + 1)}
    _AGENCY_IDS = tuple(AGENCIES)
    NAMES = {ADMIN_ID: ADMIN_NAME, **AGENCIES}
    return AGENCIES


COMPLAINT_SQL = (
    "INSERT INTO complaints (id, source, upstream_id, tracking_id, title, content,"
    " classification, category_name, status_code, status_name, status, agency_id,"
    " agency_name, is_secret, is_anonymous, location_name, date_of_incident, created_at,"
    " updated_at, synced_at, vanished_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
)
LOG_SQL = (
    "INSERT INTO status_log_entries (complaint_id, upstream_id, created_at, status_old_code,"
    " status_old_name, status_old, status_new_code, status_new_name, status_new,"
    " institution_from_id, institution_from_name, institution_to_id, institution_to_name,"
    " content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FOLLOWUP_SQL = (
    "INSERT INTO followups (complaint_id, upstream_id, created_at, institution_from_id,"
    " institution_from_name, is_reporter, content) VALUES (?, ?, ?, ?, ?, ?, ?)"
)

_EPOCH = datetime(1970, 1, 1)  # naive, as SQLAlchemy stores UTC on SQLite


def sqlite_text(t: int) -> str:
    """Epoch seconds as SQLAlchemy's SQLite DateTime text: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return (_EPOCH + timedelta(seconds=t)).isoformat(" ", "microseconds")


@dataclass(slots=True)
class Log:
    id: int
    at: int
    old: int | None
    new: int
    src: int | None
    to: int | None
    text: str


@dataclass(slots=True)
class Reply:
    id: int
    at: int
    src: int | None
    reporter: bool
    text: str


@dataclass(slots=True)
class History:
    """One complaint as mirrored at ``now``: its fields and what had happened by then."""

    upstream_id: int
    created: int
    classification: str
    category: str
    title: str
    content: str
    place: str
    incident: date
    secret: bool
    anonymous: bool
    logs: list[Log] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)

    @property
    def status(self) -> int:
        return self.logs[-1].new if self.logs else 0

    @property
    def holder(self) -> int | None:
        return next((log.to for log in reversed(self.logs) if log.to is not None), None)

    @property
    def updated(self) -> int:
        return max([self.created, *(x.at for x in self.logs), *(x.at for x in self.replies)])


class _Script:
    """Draws one complaint's whole life, then keeps what happened by ``now``."""

    def __init__(self, rng: random.Random, upstream_id: int, created: int) -> None:
        self.rng = rng
        self.id = upstream_id
        self.t = created
        self.logs: list[Log] = []
        self.replies: list[Reply] = []

    def log(
        self, days: float, old: int, new: int, src: int | None, to: int | None, text: str
    ) -> None:
        self.t += int(days * DAY) + 1
        self.logs.append(Log(self.id * 1000 + len(self.logs), self.t, old, new, src, to, text))

    def reply(self, days: float, src: int | None, reporter: bool) -> None:
        self.t += int(days * DAY) + 1
        text = self.rng.choice(v.REPORTER_REPLIES if reporter else v.AGENCY_REPLIES)
        reply_id = self.id * 1000 + 500 + len(self.replies)
        self.replies.append(Reply(reply_id, self.t, src, reporter, text))

    def run(self) -> None:
        rng, admin = self.rng, ADMIN_ID
        fate = rng.random()
        if fate < 0.02:
            self.log(
                rng.uniform(0.1, 2), 0, 6, admin, None, "Laporan ditolak: tidak memenuhi syarat."
            )
            return
        if fate < 0.04:
            self.log(rng.uniform(0.1, 2), 0, 5, admin, None, "Laporan diarsipkan.")
            return
        self.log(rng.uniform(0.05, 4.5), 0, 1, admin, None, "Laporan telah diverifikasi.")
        holder = rng.choice(_AGENCY_IDS)
        self.log(rng.uniform(0.01, 1.5), 1, 2, admin, holder, "Laporan didisposisikan.")
        if rng.random() < 0.08:
            other = rng.choice([a for a in _AGENCY_IDS if a != holder])
            self.log(rng.uniform(0.5, 4), 2, 2, holder, other, v.TRANSFER_NOTE)
            holder = other
        if rng.random() < 0.05:
            self.log(rng.uniform(0.2, 2), 2, 7, holder, None, v.POSTPONE_NOTE)
            self.log(rng.uniform(2, 10), 7, 2, admin, None, "Laporan dilanjutkan.")
        if rng.random() < 0.15:
            return  # the agency never answers
        self.reply(rng.uniform(0.2, 9), holder, reporter=False)
        self.log(0.0, 2, 3, holder, None, "Laporan telah ditindaklanjuti.")
        if rng.random() < 0.35:
            self.reply(rng.uniform(0.5, 6), None, reporter=True)
        if rng.random() < 0.7:
            self.log(rng.uniform(1, 20), 3, 4, holder, None, "Laporan selesai.")


def draw_history(rng: random.Random, n: int, now: int) -> History:
    """Complaint number ``n`` (1-based) as it stands at ``now``."""
    category, topics = rng.choice(v.TOPICS)
    title, sentence = rng.choice(topics)
    place = rng.choice(v.PLACES)
    created = now - rng.randrange(60, DAYS_BACK * DAY)
    script = _Script(rng, 7_000_000 + n, created)
    script.run()
    return History(
        upstream_id=script.id,
        created=created,
        classification=rng.choice(v.CLASSIFICATIONS),
        category=category,
        title=title.format(place=place),
        content=f"{sentence} Lokasi: {place}. Mohon segera ditindaklanjuti.",
        place=place,
        incident=(_EPOCH + timedelta(seconds=created - rng.randrange(1, 20) * DAY)).date(),
        secret=rng.random() < 0.08,
        anonymous=rng.random() < 0.2,
        logs=[log for log in script.logs if log.at <= now],
        replies=[r for r in script.replies if r.at <= now],
    )


def _canonical(code: int) -> str:
    return DEFAULT_STATUS_MAP[code].value


def complaint_row(row_id: int, h: History, synced: str) -> tuple[object, ...]:
    status, holder = h.status, h.holder
    return (
        row_id,
        SOURCE,
        h.upstream_id,
        f"LAP{h.upstream_id:09d}",
        h.title,
        h.content,
        h.classification,
        h.category,
        status,
        v.STATUS_NAMES[status],
        _canonical(status),
        holder,
        AGENCIES[holder] if holder is not None else None,
        h.secret,
        h.anonymous,
        f"Kecamatan {h.place}",
        h.incident.isoformat(),
        sqlite_text(h.created),
        sqlite_text(h.updated),
        synced,
    )


def log_rows(row_id: int, h: History) -> Iterator[tuple[object, ...]]:
    for log in h.logs:
        old = log.old
        yield (
            row_id,
            log.id,
            sqlite_text(log.at),
            old,
            v.STATUS_NAMES[old] if old is not None else None,
            _canonical(old) if old is not None else None,
            log.new,
            v.STATUS_NAMES[log.new],
            _canonical(log.new),
            log.src,
            NAMES[log.src] if log.src is not None else None,
            log.to,
            NAMES[log.to] if log.to is not None else None,
            log.text,
        )


def followup_rows(row_id: int, h: History) -> Iterator[tuple[object, ...]]:
    for r in h.replies:
        name = NAMES[r.src] if r.src is not None else ""
        yield (row_id, r.id, sqlite_text(r.at), r.src, name, r.reporter, r.text)


@dataclass
class Built:
    path: Path
    url: str
    complaints: int
    logs: int
    followups: int
    seconds: float
    samples: dict[int, History]
    """A few complaints by row id, to check against what the mirror reads back."""


def build_mirror(
    path: Path,
    complaints: int,
    now: datetime,
    *,
    seed: int,
    samples: set[int],
    progress: Callable[[int], None] = lambda n: None,
) -> Built:
    """A fresh mirror at ``path`` holding ``complaints`` synthetic complaints."""
    started = time.perf_counter()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    rng = random.Random(seed)
    epoch_now = int(now.timestamp())
    synced = sqlite_text(epoch_now)
    kept: dict[int, History] = {}
    n_logs = n_followups = 0
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA synchronous=OFF")
        for start in range(1, complaints + 1, CHUNK):
            rows, logs, followups = [], [], []
            for row_id in range(start, min(start + CHUNK, complaints + 1)):
                h = draw_history(rng, row_id, epoch_now)
                rows.append(complaint_row(row_id, h, synced))
                logs.extend(log_rows(row_id, h))
                followups.extend(followup_rows(row_id, h))
                if row_id in samples:
                    kept[row_id] = h
            with db:
                db.executemany(COMPLAINT_SQL, rows)
                db.executemany(LOG_SQL, logs)
                db.executemany(FOLLOWUP_SQL, followups)
            n_logs += len(logs)
            n_followups += len(followups)
            progress(len(rows))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("ANALYZE")
    finally:
        db.close()
    seconds = time.perf_counter() - started
    return Built(path, url, complaints, n_logs, n_followups, seconds, kept)


def _utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _status(code: int) -> Status:
    return Status(code, v.STATUS_NAMES[code], CanonicalStatus(_canonical(code)))


def _ref(inst: int | None) -> InstitutionRef | None:
    return InstitutionRef(inst, NAMES[inst]) if inst is not None else None


def expected_detail(h: History) -> ComplaintDetail:
    """The record ``syncd.store.read`` should make of this complaint's rows."""
    summary = ComplaintSummary(
        id=h.upstream_id,
        tracking_id=f"LAP{h.upstream_id:09d}",
        title=h.title,
        status=_status(h.status),
        classification=h.classification,
        category_name=h.category,
        disposition=_ref(h.holder),
        is_secret=h.secret,
        is_anonymous=h.anonymous,
        created_at=_utc(h.created),
        updated_at=_utc(h.updated),
    )
    return ComplaintDetail(
        summary=summary,
        content=h.content,
        location_name=f"Kecamatan {h.place}",
        date_of_incident=h.incident,
        logs=tuple(
            StatusLogEntry(
                id=log.id,
                created_at=_utc(log.at),
                status_old=_status(log.old) if log.old is not None else None,
                status_new=_status(log.new),
                institution_from=_ref(log.src),
                institution_to=_ref(log.to),
                content=log.text,
            )
            for log in h.logs
        ),
        followups=tuple(
            Followup(
                id=r.id,
                created_at=_utc(r.at),
                institution_from_id=r.src,
                institution_from_name=NAMES[r.src] if r.src is not None else "",
                is_reporter=r.reporter,
                content=r.text,
            )
            for r in h.replies
        ),
    )
