"""What the connector makes of the platform's records: instants, statuses, quarantine."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import respx

from connectors.records import CanonicalStatus, ComplaintDetail, QuarantineItem, Vanished
from tests.connectors.fake_upstream import BASE, FakeListing, envelope, fake_connector, summary
from tests.support.clocks import FakeClock

LISTING = f"{BASE}/complaints"
REPORTER = {"name": "Budi", "nik": "6109123456789012", "phone": "0812", "email": "b@x.id"}


connector = fake_connector


def detail_payload(complaint_id: int, **over: Any) -> dict[str, Any]:
    data = summary(complaint_id, "2025-03-28 09:00:00")
    data |= {
        "content": "Jalan berlubang.",
        "location_name": "Sekadau Hilir",
        "date_of_incident": "2025-03-25",
        "reporter": REPORTER,
    }
    data |= over
    logs = [
        {
            "id": 11,
            "created_at": "2025-03-27 10:00:00",
            "status_old": {"code": 1, "name": "Terverifikasi"},
            "status_new": {"code": 2, "name": "Terdisposisi"},
            "institution_from": {"id": 1, "name": "Admin Nasional"},
            "institution_to": {"id": 4251, "name": "Pemerintah Kabupaten Sekadau"},
            "content": "Didisposisikan.",
        }
    ]
    return envelope({"data": data, "data_logs": logs})


def followup(followup_id: int, created_at: str, **over: Any) -> dict[str, Any]:
    record = {
        "id": followup_id,
        "created_at": created_at,
        "institution_from_id": 4251,
        "institution_from_name": "Pemerintah Kabupaten Sekadau",
        "is_reporter": False,
        "content": "Sudah ditindaklanjuti.",
    }
    return record | over


def followups_page(records: list[dict[str, Any]], more: bool) -> httpx.Response:
    next_url = f"{BASE}/complaints/7/followups?page=9" if more else None
    return httpx.Response(200, json=envelope({"data": records, "next_page_url": next_url}))


@respx.mock
def test_naive_wall_times_are_read_in_the_source_timezone(clock: FakeClock) -> None:
    respx.get(LISTING).mock(side_effect=FakeListing([summary(1, "2025-03-27 10:00:00")]))
    wib = next(iter(connector(clock).list_changes(None))).summaries[0]
    wit = next(iter(connector(clock, timezone="Asia/Jayapura").list_changes(None))).summaries[0]
    assert wib.updated_at == datetime(2025, 3, 27, 3, 0, tzinfo=UTC)
    assert wit.updated_at == datetime(2025, 3, 27, 1, 0, tzinfo=UTC)
    assert wib.created_at == datetime(2025, 3, 20, 1, 0, tzinfo=UTC)


@respx.mock
def test_a_malformed_record_is_quarantined_and_the_page_goes_on(clock: FakeClock) -> None:
    missing = summary(2, "2025-03-27 10:00:02", user_id=77, reporter=REPORTER)
    del missing["tracking_id"]
    records = [
        summary(1, "2025-03-27 10:00:01"),
        missing,
        summary(3, "2025-03-27 10:00:03", created_at="2025-02-30 08:00:00"),
        summary(4, "2025-03-27 10:00:04", is_secret="maybe"),
        summary(5, "2025-03-27 10:00:05", created_at=1742864400),
        summary(6, "2025-03-27 10:00:06"),
    ]
    respx.get(LISTING).mock(side_effect=FakeListing(records))
    pages = list(connector(clock).list_changes(None))
    assert [s.id for p in pages for s in p.summaries] == [1, 6]
    quarantined = {q.upstream_id: q for p in pages for q in p.quarantined}
    assert sorted(quarantined, key=lambda upstream_id: upstream_id or 0) == [2, 3, 4, 5]
    assert "tracking_id" in quarantined[2].reason
    assert "created_at" in quarantined[3].reason and "2025-02-30" in quarantined[3].reason
    assert "is_secret" in quarantined[4].reason
    assert "created_at" in quarantined[5].reason and "string" in quarantined[5].reason
    assert all(q.kind == "summary" for q in quarantined.values())


@respx.mock
def test_quarantine_keeps_the_raw_payload_without_the_reporter(clock: FakeClock) -> None:
    broken = summary(2, "2025-03-27 10:00:02", user_id=77, reporter=REPORTER, email="b@x.id")
    del broken["title"]
    respx.get(LISTING).mock(side_effect=FakeListing([broken]))
    [item] = [q for p in connector(clock).list_changes(None) for q in p.quarantined]
    assert isinstance(item.payload, dict)
    assert item.payload["tracking_id"] == "T2"
    for key in ("reporter", "user_id", "email"):
        assert key not in item.payload
    assert "Budi" not in repr(item.payload)


@respx.mock
def test_an_unknown_status_is_kept_and_counted(clock: FakeClock) -> None:
    unknown = "Menunggu Tanggapan"  # neither in the contract's table nor configured
    records = [
        summary(1, status_code=9, status_name=unknown),
        summary(2, status_code=9, status_name=unknown),
        summary(3, status_code=9),  # named "Terdisposisi": the name is matched first
    ]
    respx.get(LISTING).mock(side_effect=FakeListing(records))
    c = connector(clock)
    statuses = [s.status for p in c.list_changes(None) for s in p.summaries]
    assert [(s.code, s.name, s.canonical) for s in statuses] == [
        (9, unknown, None),
        (9, unknown, None),
        (9, "Terdisposisi", CanonicalStatus.DISPOSITIONED),
    ]
    assert c.unknown_status_codes == {9: 2}


@respx.mock
def test_the_status_mapping_is_configuration(clock: FakeClock) -> None:
    records = [
        summary(1, status_code=9, status_name="Menunggu Tanggapan"),
        summary(2, status_code=8, status_name="Sedang Diproses"),
    ]
    respx.get(LISTING).mock(side_effect=FakeListing(records))
    c = connector(
        clock,
        status_map={9: CanonicalStatus.FOLLOWED_UP},
        status_names={"sedang  DIPROSES": CanonicalStatus.DISPOSITIONED},
    )
    statuses = [s.status.canonical for p in c.list_changes(None) for s in p.summaries]
    assert statuses == [CanonicalStatus.FOLLOWED_UP, CanonicalStatus.DISPOSITIONED]


@respx.mock
def test_a_detail_comes_with_its_logs_and_every_followup_page(clock: FakeClock) -> None:
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, json=detail_payload(7))
    )
    followups = respx.get(f"{BASE}/complaints/7/followups").mock(
        side_effect=[
            followups_page([followup(2, "2025-03-29 08:00:00")], more=True),
            followups_page(
                [followup(1, "2025-03-28 08:00:00", is_reporter=True, institution_from_id=None)],
                more=False,
            ),
        ]
    )
    [detail] = list(connector(clock).fetch_details([7]))
    assert isinstance(detail, ComplaintDetail)
    assert [dict(c.request.url.params) for c in followups.calls] == [{"page": "1"}, {"page": "2"}]
    assert [f.id for f in detail.followups] == [1, 2], "oldest first"
    assert detail.followups[0].is_reporter
    assert detail.followups[0].institution_from_id is None
    assert detail.date_of_incident == date(2025, 3, 25)
    [log] = detail.logs
    assert log.institution_to is not None and log.institution_to.id == 4251
    assert log.status_old is not None and log.status_old.canonical is CanonicalStatus.VERIFIED
    assert log.created_at == datetime(2025, 3, 27, 3, 0, tzinfo=UTC)
    assert not hasattr(detail, "reporter")
    assert "Budi" not in repr(detail)


@respx.mock
def test_a_complaint_removed_upstream_is_reported_vanished(clock: FakeClock) -> None:
    respx.get(f"{BASE}/complaints/7/complaint").mock(return_value=httpx.Response(404))
    assert list(connector(clock).fetch_details([7])) == [Vanished(7)]


@respx.mock
def test_a_broken_followup_quarantines_the_whole_complaint(clock: FakeClock) -> None:
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, json=detail_payload(7))
    )
    respx.get(f"{BASE}/complaints/7/followups").mock(
        return_value=followups_page([followup(1, "2025-13-45 99:99:99")], more=False)
    )
    [item] = list(connector(clock).fetch_details([7]))
    assert isinstance(item, QuarantineItem)
    assert (item.kind, item.upstream_id) == ("followup", 7)
    assert "followup 1" in item.reason and "created_at" in item.reason
    assert "Budi" not in repr(item.payload)


@respx.mock
def test_a_broken_detail_is_quarantined(clock: FakeClock) -> None:
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, json=detail_payload(7, date_of_incident="kemarin"))
    )
    respx.get(f"{BASE}/complaints/7/followups").mock(return_value=followups_page([], False))
    [item] = list(connector(clock).fetch_details([7]))
    assert isinstance(item, QuarantineItem)
    assert (item.kind, item.upstream_id) == ("detail", 7)
    assert "date_of_incident" in item.reason


@respx.mock
def test_institutions_are_listed_across_pages(clock: FakeClock) -> None:
    route = respx.get(f"{BASE}/masters/institutions/external").mock(
        side_effect=[
            httpx.Response(
                200,
                json=envelope(
                    {
                        "data": [{"id": 61, "name": "Provinsi", "parent_id": None}],
                        "next_page_url": f"{BASE}/masters/institutions/external?page=2",
                    }
                ),
            ),
            httpx.Response(
                200,
                json=envelope(
                    {
                        "data": [
                            {"id": 4251, "name": "Kabupaten", "parent_id": 61},
                            {"id": "x", "name": "Rusak"},
                        ],
                        "next_page_url": None,
                    }
                ),
            ),
        ]
    )
    results = list(connector(clock).list_institutions())
    assert [(i.id, i.parent_id) for i in results if not isinstance(i, QuarantineItem)] == [
        (61, None),
        (4251, 61),
    ]
    assert [i.kind for i in results if isinstance(i, QuarantineItem)] == ["institution"]
    assert route.calls[1].request.url.params["page_size"] == "1000"
