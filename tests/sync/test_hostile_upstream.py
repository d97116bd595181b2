"""The sync against a hostile upstream on loopback, on SQLite and PostgreSQL: every
good record is mirrored, every bad one quarantined with its reason (or the pass
fails loudly), the checkpoint never passes the present, later changes still arrive,
and nothing confidential or naming the reporter is kept."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from connectors.records import CONFIDENTIAL, PRESENT_SKEW
from connectors.retry import RetryPolicy
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.store.checkpoints import stored_cursor
from syncd.store.tables import COMPLAINTS, INSTITUTIONS, QUARANTINE
from syncd.store.tracked import Origin, track
from syncd.sync import SyncPass
from syncd.sync.tracked import TrackedPass
from tests.support.clocks import FakeClock
from tests.support.hostile import HostileUpstream
from tests.support.hostile_records import (
    GOOD_IDS,
    all_records,
    assert_nothing_confidential_or_identifying,
    bad,
    confidential,
    everything_stored,
)

pytestmark = pytest.mark.integration

SOURCE = "lapor"
NOW = datetime(2025, 4, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta


@pytest.fixture
def upstream() -> Iterator[HostileUpstream]:
    with HostileUpstream(all_records()) as server:
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


def test_a_detail_that_stays_truncated_is_quarantined_without_quoting_it(
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

    # That one complaint is refused, after its retries; the others are mirrored.
    assert stats.ok, stats.error
    assert mirrored_ids(engine) == GOOD_IDS | {3001}
    reason = open_quarantine(engine)[3002]
    assert reason.startswith("the detail cannot be read: body of ")
    assert_nothing_confidential_or_identifying(f"{reason}\n{caplog.text}")
    assert_nothing_confidential_or_identifying(everything_stored(engine))

    # Mended upstream: the next pass asks for it again, and it arrives.
    upstream.complaints[-1].raw_detail = None
    assert syncer(engine, upstream, FakeClock(NOW.timestamp()), opened).run().ok
    assert 3002 in mirrored_ids(engine)
    assert 3002 not in open_quarantine(engine)


def test_tracked_checks_of_hostile_records_quarantine_the_bad_and_mirror_the_rest(
    engine: Engine, upstream: HostileUpstream, opened: list[LaporConnector]
) -> None:
    """The real gateway's way: by id, the detail and its followups."""
    present = FakeClock(NOW.timestamp())
    listing = syncer(engine, upstream, present, opened)  # for its connector only
    ids = sorted(GOOD_IDS | {3001, 3002} | {int(h.data["id"]) for h, _ in bad().values()})
    ids = [i for i in ids if i < 2**63]  # an id no store holds cannot be tracked
    with engine.begin() as connection:
        track(connection, SOURCE, [(i, Origin("cli")) for i in ids], NOW)

    stats = TrackedPass(
        engine,
        listing.connector,
        SOURCE,
        clock=lambda: datetime.fromtimestamp(present.now, UTC),
        sync_institutions=False,
    ).run()

    assert stats.ok, stats.error
    assert mirrored_ids(engine) == GOOD_IDS | {3001, 3002}
    quarantined = open_quarantine(engine)
    for label, (hosted, named) in bad().items():
        if hosted.data["id"] < 2**63:
            assert hosted.data["id"] in quarantined, f"{label}: not quarantined"
            assert named in quarantined[hosted.data["id"]], f"{label}: {quarantined}"
    assert_nothing_confidential_or_identifying(everything_stored(engine))


def test_malformed_institutions_are_quarantined_and_the_rest_kept(
    engine: Engine, upstream: HostileUpstream, opened: list[LaporConnector]
) -> None:
    upstream.institutions = [
        {"id": 4251, "name": "Kabupaten Sekadau"},
        {"id": "empat", "name": "Kabupaten"},
        {"id": 4252},
    ]
    assert syncer(engine, upstream, FakeClock(NOW.timestamp()), opened).run().ok
    q = QUARANTINE.c
    with engine.connect() as connection:
        kinds = connection.execute(select(q.kind, q.reason).where(q.kind == "institution")).all()
        names = connection.execute(select(INSTITUTIONS.c.name)).scalars().all()
    assert len(kinds) == 2 and all(reason for _, reason in kinds)
    assert names == ["Kabupaten Sekadau"]


def test_a_complaint_the_listing_calls_confidential_stays_so(
    engine: Engine, upstream: HostileUpstream, opened: list[LaporConnector]
) -> None:
    hosted = confidential()  # listed as confidential...
    public = hosted.data | {"is_secret": False}  # ...its detail says otherwise
    hosted.raw_detail = json.dumps(
        {"success": True, "results": {"data": public, "data_logs": hosted.logs}}
    ).encode()
    upstream.complaints[-1] = hosted

    assert syncer(engine, upstream, FakeClock(NOW.timestamp()), opened).run().ok
    with engine.connect() as connection:
        kept = connection.execute(
            select(COMPLAINTS.c.title, COMPLAINTS.c.is_secret).where(
                COMPLAINTS.c.upstream_id == 3002
            )
        ).one()
    assert tuple(kept) == (CONFIDENTIAL, True)
    assert_nothing_confidential_or_identifying(everything_stored(engine))
