"""The shapes real gateways answer in (CONTRACT.md section 1), each read as the same
record as the contract's own shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import respx

from connectors.records import CanonicalStatus, ComplaintDetail, QuarantineItem
from tests.connectors.fake_upstream import BASE, FakeListing, envelope, fake_connector, summary
from tests.support.clocks import FakeClock

LISTING = f"{BASE}/complaints"
SEKADAU = {"id": 4251, "name": "Pemerintah Kabupaten Sekadau"}
ADMIN = {"id": 1, "name": "Admin Nasional"}


def log(**shape: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": 11, "created_at": "2025-03-27 10:00:00", "content": "x"}
    return entry | shape


def detail_with(logs: list[dict[str, Any]], **data: Any) -> dict[str, Any]:
    record = summary(7, "2025-03-28 09:00:00") | {"content": "Jalan berlubang."} | data
    return envelope({"data": record, "data_logs": logs})


def fetch(
    clock: FakeClock,
    logs: list[dict[str, Any]],
    followups: list[dict[str, Any]] | None = None,
    **data: Any,
) -> ComplaintDetail | QuarantineItem:
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, json=detail_with(logs, **data))
    )
    respx.get(f"{BASE}/complaints/7/followups").mock(
        return_value=httpx.Response(
            200, json=envelope({"data": followups or [], "next_page_url": None})
        )
    )
    result = fake_connector(clock).fetch_detail(7)
    assert not isinstance(result, QuarantineItem) or followups is not None, result
    return result  # type: ignore[return-value]


def the_detail(result: object) -> ComplaintDetail:
    assert isinstance(result, ComplaintDetail), result
    return result


CONTRACT_LOG = log(
    status_old={"code": 1, "name": "Terverifikasi"},
    status_new={"code": 2, "name": "Terdisposisi"},
    institution_from=ADMIN,
    institution_to=SEKADAU,
)


@respx.mock
def test_a_followup_date_written_day_first_is_the_same_instant(clock: FakeClock) -> None:
    followups = [
        {"id": 1, "created_at": "29-03-2025 08:00:00", "institution_from_id": 4251,
         "institution_from_name": "Sekadau", "is_reporter": False, "content": "ok"},
    ]  # fmt: skip
    detail = the_detail(fetch(clock, [CONTRACT_LOG], followups))
    assert detail.followups[0].created_at == datetime(2025, 3, 29, 1, 0, tzinfo=UTC)


@respx.mock
def test_iso_timestamps_with_and_without_an_offset(clock: FakeClock) -> None:
    records = [
        summary(1, "2025-03-27T10:00:00Z"),  # an instant: 10:00 UTC
        summary(2, "2025-03-27T10:00:00"),  # wall time in the source's zone (WIB)
        summary(3, "2025-03-27T10:00:00.250+08:00"),
    ]
    respx.get(LISTING).mock(side_effect=FakeListing(records))
    listed = {
        s.id: s.updated_at for p in fake_connector(clock).list_changes(None) for s in p.summaries
    }
    assert listed[1] == datetime(2025, 3, 27, 10, 0, tzinfo=UTC)
    assert listed[2] == datetime(2025, 3, 27, 3, 0, tzinfo=UTC)
    assert listed[3] == datetime(2025, 3, 27, 2, 0, 0, 250_000, tzinfo=UTC)


@respx.mock
def test_statuses_by_name_alone_case_and_spacing_ignored(clock: FakeClock) -> None:
    records = [
        {k: v for k, v in summary(1).items() if k != "status_code"},
        summary(2, status_code=None, status_name="Dalam Proses"),
        summary(3, status_code=3, status_name="  DITINDAKLANJUTI "),
    ]
    respx.get(LISTING).mock(side_effect=FakeListing(records))
    statuses = [s.status for p in fake_connector(clock).list_changes(None) for s in p.summaries]
    assert [(s.code, s.canonical) for s in statuses] == [
        (None, CanonicalStatus.DISPOSITIONED),
        (None, CanonicalStatus.DISPOSITIONED),
        (3, CanonicalStatus.FOLLOWED_UP),
    ]


@respx.mock
def test_a_record_with_neither_status_code_nor_name_is_quarantined(clock: FakeClock) -> None:
    bad = {k: v for k, v in summary(1).items() if k not in ("status_code", "status_name")}
    respx.get(LISTING).mock(side_effect=FakeListing([bad, summary(2)]))
    pages = list(fake_connector(clock).list_changes(None))
    assert [s.id for p in pages for s in p.summaries] == [2]
    [item] = [q for p in pages for q in p.quarantined]
    assert "neither status_code nor status_name" in item.reason


@respx.mock
def test_log_statuses_by_name_or_inside_an_encoded_data_field(clock: FakeClock) -> None:
    by_name = log(
        id=11, status_old={"name": "Terverifikasi"}, status_new={"name": "Terdisposisi"},
        institution_to=SEKADAU,
    )  # fmt: skip
    encoded = log(
        id=12,
        created_at="2025-03-27 11:00:00",
        data=json.dumps({"status_old": {"code": 2, "name": "Terdisposisi"},
                         "status_new": {"code": 3, "name": "Ditindaklanjuti"}}),
    )  # fmt: skip
    detail = the_detail(fetch(clock, [by_name, encoded]))
    first, second = detail.logs
    assert first.status_old is not None and first.status_old.canonical is CanonicalStatus.VERIFIED
    assert first.status_new.canonical is CanonicalStatus.DISPOSITIONED
    assert second.status_new.canonical is CanonicalStatus.FOLLOWED_UP
    assert second.status_new.code == 3


@respx.mock
def test_log_agencies_flat_or_nested_under_their_id_field(clock: FakeClock) -> None:
    status = {"status_new": {"code": 2, "name": "Terdisposisi"}}
    flat = log(id=11, institution_from_id=1, institution_from_name="Admin Nasional",
               institution_to_id=4251, institution_to_name=SEKADAU["name"], **status)  # fmt: skip
    nested = log(id=12, institution_to_id=SEKADAU, **status)
    neither = log(id=13, **status)
    detail = the_detail(fetch(clock, [flat, nested, neither]))
    refs = [(e.institution_from, e.institution_to) for e in detail.logs]
    assert [(f.id if f else None, t.id if t else None) for f, t in refs] == [
        (1, 4251),
        (None, 4251),
        (None, None),
    ]
    assert detail.logs[1].institution_to is not None
    assert detail.logs[1].institution_to.name == SEKADAU["name"]


@respx.mock
def test_a_log_text_template_is_rendered_with_the_logs_own_values(clock: FakeClock) -> None:
    templated = CONTRACT_LOG | {
        "content": "Laporan dari {{institution_from}} didisposisikan ke {{ institution_to }} "
        "({{status_old}} → {{status_new}})."
    }
    detail = the_detail(fetch(clock, [templated]))
    assert detail.logs[0].content == (
        "Laporan dari Admin Nasional didisposisikan ke Pemerintah Kabupaten Sekadau "
        "(Terverifikasi → Terdisposisi)."
    )


@respx.mock
def test_platform_entries_in_the_followups_are_no_agencys_answer(clock: FakeClock) -> None:
    followups = [
        {"id": 1, "created_at": "2025-03-28 08:00:00", "template_code": "disposition",
         "institution_from_id": 4251, "institution_from_name": "Sekadau",
         "content": "Laporan didisposisikan."},
        {"id": 2, "created_at": "2025-03-29 08:00:00", "institution_from_id": 4251,
         "institution_from_name": "Sekadau", "content": "Sudah kami perbaiki."},
        {"id": 3, "created_at": "2025-03-30 08:00:00", "content": "Terima kasih."},
    ]  # fmt: skip
    detail = the_detail(fetch(clock, [CONTRACT_LOG], followups))
    assert [(f.id, f.is_reporter) for f in detail.followups] == [(2, False), (3, True)]


@respx.mock
def test_institutions_in_one_call_without_parents(clock: FakeClock) -> None:
    respx.get(f"{BASE}/masters/institutions/external").mock(
        return_value=httpx.Response(
            200, json=envelope({"data": [{"id": 4251, "name": "Sekadau"}, {"id": 1, "name": "A"}]})
        )
    )
    found = list(fake_connector(clock).list_institutions())
    assert [(i.id, i.parent_id) for i in found] == [(4251, None), (1, None)]  # type: ignore[union-attr]


@respx.mock
def test_a_token_with_braces_is_sent_exactly_as_issued(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(side_effect=FakeListing([summary(1)]))
    token = "{8A1C0F3E-55B2-4F7A-9C1D-2E6B7A9D0C11}"
    list(fake_connector(clock, token=token, auth_header="auth").list_changes(None))
    request = route.calls[0].request
    assert request.headers["token"] == token
    assert request.headers["auth"] == "Bearer k"
