"""The sync against a hostile upstream on loopback, on SQLite and PostgreSQL: every
good record is mirrored, every bad one quarantined with its reason (or the pass
fails loudly), the checkpoint never passes the present, later changes still arrive,
and nothing confidential or naming the reporter is kept."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select

from connectors.records import CONFIDENTIAL, PRESENT_SKEW
from connectors.retry import RetryPolicy
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.store.checkpoints import stored_cursor
from syncd.store.tables import COMPLAINTS, QUARANTINE, RUNS
from syncd.sync import SyncPass
from tests.support.clocks import FakeClock
from tests.support.hostile import Hosted, HostileUpstream

pytestmark = pytest.mark.integration

SOURCE = "lapor"
NOW = datetime(2025, 4, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
SECRET_TITLE = "Pungli oleh kepala desa Sungai Ayak"
SECRET_CONTENT = "Kepala desa meminta uang dua juta"
REPORTER = ("Budi Santoso", "6109123456789012", "081234567890", "Ahmad Yani")
"""What names the reporter in the hostile records: nowhere after the sync."""


def complaint(complaint_id: Any, updated_at: Any = "2025-03-27 10:00:00", **over: Any) -> Hosted:
    data: dict[str, Any] = {
        "id": complaint_id,
        "tracking_id": f"LAP{complaint_id}",
        "title": f"Jalan rusak nomor {complaint_id}",
        "content": "Jalan berlubang di depan pasar.",
        "status_code": 2,
        "status_name": "Terdisposisi",
        "classification": "Pengaduan",
        "category_name": "Infrastruktur",
        "disposition_id": 4251,
        "disposition_name": "Kabupaten Sekadau",
        "is_secret": False,
        "is_anonymous": False,
        "location_name": "Sekadau Hilir",
        "created_at": "2025-03-20 08:00:00",
        "updated_at": updated_at,
    }
    data.update(over)
    logs = [
        {
            "id": 10 * int(complaint_id) if isinstance(complaint_id, int) else 1,
            "created_at": "2025-03-21 09:00:00",
            "status_old": {"code": 1, "name": "Terverifikasi"},
            "status_new": {"code": 2, "name": "Terdisposisi"},
            "institution_from": {"id": 1, "name": "Admin LAPOR"},
            "institution_to": {"id": 4251, "name": "Kabupaten Sekadau"},
            "content": "Didisposisikan ke {{institution_to}}",
        }
    ]
    return Hosted(data, logs)


GOOD_IDS = {1000 + n for n in range(1, 13)}


def good() -> list[Hosted]:
    return [complaint(i, f"2025-03-2{i % 8} 1{i % 10}:00:00") for i in sorted(GOOD_IDS)]


def bad() -> dict[str, tuple[Hosted, str]]:
    """Each hostile record, and what its quarantine reason must name."""
    return {
        "year 9999": (complaint(2001, "9999-12-31 23:59:59"), "year 9999"),
        "year 1": (complaint(2002, created_at="0001-01-01 00:00:00"), "year 1"),
        "id 2^63": (complaint(2**63, "2025-03-27 11:00:00"), "id"),
        "dated 2062": (complaint(2004, "2062-01-01 00:00:00"), "later than the present"),
        "NUL in the title": (complaint(2005, title="Jalan\x00rusak"), "NUL"),
        "long tracking id": (complaint(2006, tracking_id="T" * 100), "tracking_id"),
        "long classification": (complaint(2007, classification="K" * 100), "classification"),
        "status code 2^31": (complaint(2008, status_code=2**31 + 5, status_name="Aneh"), "status"),
        "secret flag malformed": (
            complaint(2009, is_secret="rahasia", title=SECRET_TITLE, content=SECRET_CONTENT),
            "is_secret",
        ),
        "reporter keys, malformed": (
            complaint(
                2010,
                status_code=None,
                status_name=None,
                nama_pelapor=REPORTER[0],
                nik_pelapor=REPORTER[1],
                no_ktp=REPORTER[1],
                telepon=REPORTER[2],
                alamat=f"Jl. {REPORTER[3]} 3",
                pelapor={"nama": REPORTER[0], "hp": REPORTER[2]},
            ),
            "status",
        ),
    }


def identity_in_text() -> Hosted:
    """A good complaint whose integrator wrote the reporter into the text, and sent
    the reporter's fields too."""
    hosted = complaint(
        3001,
        content=(
            f"Dilaporkan oleh Nama: {REPORTER[0]}, NIK: {REPORTER[1]}, "
            f"alamat: Jl. {REPORTER[3]} 3.\nNo. HP: {REPORTER[2]}\nJalan di depan rumah rusak."
        ),
        nama_pelapor=REPORTER[0],
        pelapor={"nama": REPORTER[0], "nik": REPORTER[1]},
    )
    hosted.followups = [
        {
            "id": 31,
            "created_at": "27-03-2025 11:00:00",
            "is_reporter": True,
            # An unlabelled name ("Saya Budi") cannot be told from any other words;
            # the contract scrubs what is labelled or has a shape of its own.
            "content": f"Saya warga RT 3 (nama = {REPORTER[0]}), hubungi {REPORTER[2]}",
        }
    ]
    return hosted


def confidential() -> Hosted:
    return complaint(3002, is_secret=True, title=SECRET_TITLE, content=SECRET_CONTENT)


@pytest.fixture
def upstream() -> Iterator[HostileUpstream]:
    hosted = [*good(), *(h for h, _ in bad().values()), identity_in_text(), confidential()]
    with HostileUpstream(hosted) as server:
        yield server


@pytest.fixture
def opened() -> Iterator[list[LaporConnector]]:
    connectors: list[LaporConnector] = []
    yield connectors
    for connector in connectors:
        connector.close()


def syncer(
    engine: Engine, server: HostileUpstream, present: FakeClock, opened: list[LaporConnector]
) -> SyncPass:
    """A sync pass whose connector and store share one present, ``present``."""
    settings = LaporSettings(
        base_url=server.base_url,
        api_key="k",
        token="t",
        page_size=5,
        retry=RetryPolicy(attempts=2),
    )
    connector = LaporConnector(settings, build_client(settings), sleep=present.sleep, clock=present)
    opened.append(connector)
    return SyncPass(
        engine, connector, SOURCE, clock=lambda: datetime.fromtimestamp(present.now, UTC)
    )


def mirrored_ids(engine: Engine) -> set[int]:
    with engine.connect() as connection:
        return set(connection.execute(select(COMPLAINTS.c.upstream_id)).scalars())


def open_quarantine(engine: Engine) -> dict[int | None, str]:
    q = QUARANTINE.c
    with engine.connect() as connection:
        rows = connection.execute(select(q.upstream_id, q.reason).where(q.resolved_at.is_(None)))
        return {upstream_id: reason for upstream_id, reason in rows}


def everything_stored(engine: Engine) -> str:
    """Every value in every table, as one text to search."""
    tables = MetaData()
    tables.reflect(engine)
    parts = []
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                parts.append(json.dumps([str(v) for v in row]))
    return "\n".join(parts)


def assert_nothing_confidential_or_identifying(text: str, *, secret_too: bool = True) -> None:
    for trace in REPORTER:
        assert trace not in text, f"reporter identity {trace!r} kept"
    if secret_too:
        assert SECRET_TITLE not in text and SECRET_CONTENT not in text, "confidential text kept"


def test_good_records_are_mirrored_and_each_bad_one_quarantined_with_its_reason(
    engine: Engine,
    upstream: HostileUpstream,
    opened: list[LaporConnector],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    stats = syncer(engine, upstream, FakeClock(NOW.timestamp()), opened).run()

    assert stats.ok, stats.error
    assert mirrored_ids(engine) == GOOD_IDS | {3001, 3002}
    quarantined = open_quarantine(engine)
    for label, (hosted, named) in bad().items():
        key = hosted.data["id"] if hosted.data["id"] < 2**63 else None
        assert key in quarantined, f"{label}: not quarantined"
        assert named in quarantined[key], f"{label}: reason {quarantined[key]!r}"
    with engine.connect() as connection:
        cursor = stored_cursor(connection, SOURCE)
    assert cursor is not None and cursor <= NOW + PRESENT_SKEW

    stored = everything_stored(engine)
    assert_nothing_confidential_or_identifying(stored)
    assert_nothing_confidential_or_identifying(caplog.text)
    with engine.connect() as connection:
        kept = connection.execute(
            select(COMPLAINTS.c.title, COMPLAINTS.c.content).where(COMPLAINTS.c.upstream_id == 3002)
        ).one()
    assert tuple(kept) == (CONFIDENTIAL, CONFIDENTIAL)


def test_later_changes_and_corrected_copies_still_arrive(
    engine: Engine, upstream: HostileUpstream, opened: list[LaporConnector]
) -> None:
    present = FakeClock(NOW.timestamp())
    sync = syncer(engine, upstream, present, opened)
    assert sync.run().ok

    # An hour on: the platform corrects what it sent, and a good complaint changes.
    present.advance(3600)
    fixed = "2025-04-01 10:30:00"  # 03:30 UTC: before the new present
    for upstream_id in (2001, 2004, 2005, 2006):
        hosted = upstream.find(str(upstream_id))
        assert hosted is not None
        hosted.data.update(updated_at=fixed, title="Jalan rusak", tracking_id=f"LAP{upstream_id}")
    changed = upstream.find("1001")
    assert changed is not None
    changed.data.update(updated_at=fixed, status_code=3, status_name="Ditindaklanjuti")

    stats = sync.run()

    assert stats.ok, stats.error
    assert {2001, 2004, 2005, 2006} <= mirrored_ids(engine)
    assert not {2001, 2004, 2005, 2006} & set(open_quarantine(engine))
    with engine.connect() as connection:
        status = connection.execute(
            select(COMPLAINTS.c.status).where(COMPLAINTS.c.upstream_id == 1001)
        ).scalar_one()
        cursor = stored_cursor(connection, SOURCE)
    assert status == "followed_up"
    assert cursor is not None and cursor <= NOW + timedelta(hours=1) + PRESENT_SKEW


def test_a_body_that_stays_truncated_fails_the_pass_without_quoting_it(
    engine: Engine,
    upstream: HostileUpstream,
    opened: list[LaporConnector],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = confidential()
    body = json.dumps({"success": True, "results": {"data": secret.data, "data_logs": []}})
    upstream.complaints[-1].raw_detail = body[: len(body) // 2].encode()

    stats = syncer(engine, upstream, FakeClock(NOW.timestamp()), opened).run()

    assert not stats.ok, "a body that never arrives whole is a failed run"
    with engine.connect() as connection:
        run = connection.execute(select(RUNS).order_by(RUNS.c.id.desc())).first()
    assert run is not None and run.result == "error" and run.error_kind == "BadResponse"
    assert_nothing_confidential_or_identifying(f"{run.error_message}\n{caplog.text}")
    assert_nothing_confidential_or_identifying(everything_stored(engine))
