"""Hostile answers an adversarial try found getting through (docs/BENCHMARKS.md and
the issue's closing note count them): each is now refused for that record alone, or
read whole, and never quoted."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import BadResponse, ConnectorError
from connectors.records import CONFIDENTIAL, ComplaintDetail, QuarantineItem, Vanished
from connectors.retry import RetryPolicy
from connectors.sp4n_lapor import LaporConnector
from tests.connectors.fake_upstream import BASE, envelope, fake_connector, summary
from tests.support.clocks import FakeClock

LISTING = f"{BASE}/complaints"
LOG = {
    "id": 5,
    "created_at": "2025-03-21 09:00:00",
    "status_new": {"code": 2, "name": "Terdisposisi"},
    "institution_to": {"id": 4251, "name": "Kabupaten Sekadau"},
    "content": "Didisposisikan",
}


def connector(clock: FakeClock) -> LaporConnector:
    return fake_connector(clock, retry=RetryPolicy(attempts=2))


def serve_detail(complaint_id: int, data: dict[str, Any], logs: list[Any] | None = None,
                 followups: Any = None, followups_status: int = 200) -> None:  # fmt: skip
    respx.get(f"{BASE}/complaints/{complaint_id}/complaint").mock(
        return_value=httpx.Response(200, json=envelope({"data": data, "data_logs": logs or []}))
    )
    respx.get(f"{BASE}/complaints/{complaint_id}/followups").mock(
        return_value=httpx.Response(
            followups_status, json=envelope({"data": followups or [], "next_page_url": None})
        )
    )


@respx.mock
def test_an_id_of_true_is_no_id_of_1(clock: FakeClock) -> None:
    respx.get(LISTING).mock(
        return_value=httpx.Response(
            200,
            json=envelope({"data": [summary(True)], "next_page_url": None}),
        )
    )
    pages = list(connector(clock).list_changes(None))
    assert [s.id for p in pages for s in p.summaries] == []
    assert ["id" in q.reason for p in pages for q in p.quarantined] == [True]


@respx.mock
def test_a_detail_answering_for_another_complaint_is_quarantined(clock: FakeClock) -> None:
    serve_detail(2030, summary(1002) | {"content": "dibajak"})
    result = connector(clock).fetch_detail(2030)
    assert isinstance(result, QuarantineItem) and result.upstream_id == 2030
    assert "answered with 1002" in result.reason


@respx.mock
def test_logs_and_followups_listed_twice_are_kept_once(clock: FakeClock) -> None:
    followup = {"id": 9, "created_at": "27-03-2025 11:00:00", "institution_from_id": 4251,
                "institution_from_name": "Kab", "is_reporter": False, "content": "ok"}  # fmt: skip
    serve_detail(7, summary(7) | {"content": "x"}, [LOG, LOG], [followup, followup])
    result = connector(clock).fetch_detail(7)
    assert isinstance(result, ComplaintDetail)
    assert [log.id for log in result.logs] == [5] and [f.id for f in result.followups] == [9]


@respx.mock
def test_followups_answering_404_do_not_make_the_complaint_vanish(clock: FakeClock) -> None:
    serve_detail(7, summary(7) | {"content": "x"}, followups_status=404)
    result = connector(clock).fetch_detail(7)
    assert not isinstance(result, Vanished)
    assert isinstance(result, QuarantineItem) and "followups answered HTTP 404" in result.reason


@respx.mock
def test_a_detail_that_stays_unreadable_is_quarantined_alone(clock: FakeClock) -> None:
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, content=b'{"success": true, "results": {"data": {"ti')
    )
    result = connector(clock).fetch_detail(7)
    assert isinstance(result, QuarantineItem) and result.upstream_id == 7
    assert re.match(r"the detail cannot be read: body of \d+ bytes is not JSON", result.reason)


@pytest.mark.parametrize(
    "raw", [b'"Jalan \\ud800 rusak"', b'"Jalan \xff rusak"'], ids=["surrogate", "bad utf-8"]
)
@respx.mock
def test_one_bad_character_costs_one_character_not_the_page(clock: FakeClock, raw: bytes) -> None:
    good = json.dumps(summary(1)).encode()
    bad = json.dumps(summary(2)).encode().replace(b'"Keluhan 2"', raw)
    body = b'{"success": true, "results": {"data": [%s, %s], "next_page_url": null}}' % (good, bad)
    respx.get(LISTING).mock(return_value=httpx.Response(200, content=body))
    titles = [s.title for p in connector(clock).list_changes(None) for s in p.summaries]
    assert titles == ["Keluhan 1", "Jalan \ufffd rusak"]


@respx.mock
def test_a_redirect_with_a_json_body_is_no_answer(clock: FakeClock) -> None:
    page = envelope({"data": [summary(6666, "2025-03-28 10:00:00")], "next_page_url": None})
    respx.get(LISTING).mock(
        return_value=httpx.Response(301, json=page, headers={"Location": "http://127.0.0.2/x"})
    )
    with pytest.raises(BadResponse, match="HTTP 301 is not an answer") as raised:
        list(connector(clock).list_changes(None))
    assert "a redirect to http://127.0.0.2/x, not followed" in str(raised.value)


@respx.mock
def test_a_redirect_to_nonsense_is_a_connector_error_not_a_crash(clock: FakeClock) -> None:
    respx.get(LISTING).mock(return_value=httpx.Response(302, headers={"Location": "\x1b[31m::::"}))
    with pytest.raises(ConnectorError):  # httpx refuses the header itself: a transport error
        list(connector(clock).list_changes(None))


@respx.mock
def test_layered_encodings_are_refused_not_inflated_whole(clock: FakeClock) -> None:
    page = json.dumps(envelope({"data": [summary(1)], "next_page_url": None})).encode()
    twice = gzip.compress(gzip.compress(page))
    respx.get(LISTING).mock(
        return_value=httpx.Response(200, content=twice, headers={"Content-Encoding": "gzip, gzip"})
    )
    with pytest.raises(BadResponse, match="was not asked for"):
        list(connector(clock).list_changes(None))


@respx.mock
def test_an_empty_page_that_says_there_is_more_is_read_on(clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "1":
            return httpx.Response(200, json=envelope({"data": [], "next_page_url": "?page=2"}))
        return httpx.Response(200, json=envelope({"data": [summary(1)], "next_page_url": None}))

    respx.get(LISTING).mock(side_effect=answer)
    assert [s.id for p in connector(clock).list_changes(None) for s in p.summaries] == [1]


@respx.mock
def test_success_false_is_not_quoted(clock: FakeClock) -> None:
    message = "RAHASIA dilaporkan oleh Budi Santoso NIK 6109123456789012"
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, json={"success": False, "message": message})
    )
    result = connector(clock).fetch_detail(7)
    assert isinstance(result, QuarantineItem)
    assert "Budi" not in result.reason and "RAHASIA" not in result.reason
    assert f"a message of {len(message)} characters" in result.reason


@respx.mock
def test_every_free_text_of_a_confidential_complaint_is_hidden(clock: FakeClock) -> None:
    followup = {"id": 9, "created_at": "27-03-2025 11:00:00", "institution_from_id": 4251,
                "institution_from_name": "Kab", "is_reporter": False}  # fmt: skip
    followup["content"] = "Pungli"
    data = summary(7, is_secret=True) | {"content": "Pungli", "location_name": "Rumah kades"}
    serve_detail(7, data, [LOG | {"content": "Pungli diteruskan"}], [followup])
    result = connector(clock).fetch_detail(7)
    assert isinstance(result, ComplaintDetail)
    texts = [result.summary.title, result.content, result.location_name]
    texts += [log.content for log in result.logs] + [f.content for f in result.followups]
    assert texts == [CONFIDENTIAL] * 5
