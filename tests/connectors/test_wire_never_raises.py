"""Whatever JSON the platform puts in any field, the wire parser hands back a record
or a quarantine item; it never raises (which would stop the page, or the mirror)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.records import ComplaintDetail, ComplaintSummary, Followup, Institution
from connectors.records import QuarantineItem as Quarantined
from connectors.sp4n_lapor_wire import DEFAULT_STATUS_MAP, WireTranslator
from syncd.store.write import storable
from tests.connectors.fake_upstream import summary

# Values that broke parsers before: the calendar's edges, integers beyond 63 and 31
# bits, NUL, texts longer than a column.
EDGES = st.sampled_from(
    ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "2062-01-01 00:00:00", "31-12-9999 23:59:59",
     "01-01-0001 00:00:00", "2025-02-30 10:00:00", "0001-01-01T00:00:00+14:00",
     "9999-12-31T23:59:59-12:00", "\x00", "a\x00b", "x" * 300, "Terdisposisi",
     '{"code": 2}', "#1234567", 2**63, 2**64 + 1, -(2**63) - 1, 2**31, -1, 10**40, 1e308,
     float("nan"), float("inf"), True, [], {}]
)  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: 2**63 and beyond included
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
field_values = EDGES | json_values

DETAIL_FIELDS = [*summary(1), "content", "location_name", "date_of_incident"]
LOG = {
    "id": 11,
    "created_at": "2025-03-27 10:00:00",
    "status_old": {"code": 1, "name": "Terverifikasi"},
    "status_new": {"code": 2, "name": "Terdisposisi"},
    "institution_from": {"id": 1, "name": "Admin"},
    "institution_to": {"id": 4251, "name": "Kabupaten Sekadau"},
    "content": "{{institution_from}} ke {{institution_to}}",
}
FOLLOWUP = {
    "id": 21,
    "created_at": "27-03-2025 11:00:00",
    "institution_from_id": 4251,
    "institution_from_name": "Kabupaten Sekadau",
    "is_reporter": False,
    "content": "Sudah ditindaklanjuti.",
}
NOW = datetime(2025, 4, 1, tzinfo=UTC)


def translator() -> WireTranslator:
    return WireTranslator(ZoneInfo("Asia/Jakarta"), DEFAULT_STATUS_MAP)


def with_changes(record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {**record, **changes}


def overrides(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(fields), field_values, max_size=4)


def assert_kept_safely(item: Any) -> None:
    if isinstance(item, Quarantined):
        json.dumps(item.payload, default=str)  # the quarantine table can hold it
        assert item.reason


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(overrides(list(summary(1))))
def test_a_listed_record_becomes_a_summary_or_is_quarantined(changes: dict[str, Any]) -> None:
    item = translator().summary(with_changes(summary(1), changes))
    assert isinstance(item, ComplaintSummary | Quarantined)
    assert_kept_safely(item)


@FAST
@given(
    st.lists(json_values | overrides(list(summary(1))).map(lambda c: summary(1) | c), max_size=4)
)
def test_a_listing_page_of_anything_never_raises(page: list[Any]) -> None:
    for item in translator().summaries(page):
        assert isinstance(item, ComplaintSummary | Quarantined)
        assert_kept_safely(item)


@FAST
@given(overrides(DETAIL_FIELDS), overrides(list(LOG)), json_values)
def test_a_detail_becomes_a_record_the_store_can_judge_or_is_quarantined(
    data_changes: dict[str, Any], log_changes: dict[str, Any], whole: Any
) -> None:
    data = summary(1) | {"content": "isi", "location_name": "Sekadau"} | data_changes
    payloads = [{"data": data, "data_logs": [LOG | log_changes]}, whole, {"data": whole}]
    for payload in payloads:
        item = translator().detail(1, payload, [])
        assert isinstance(item, ComplaintDetail | Quarantined)
        assert_kept_safely(item)
        if isinstance(item, ComplaintDetail):
            kept, refused = storable("lapor", [item], NOW)  # judged, never raising
            assert len(kept) + len(refused) == 1


@FAST
@given(overrides([*FOLLOWUP, "template_code"]), json_values)
def test_a_followup_becomes_one_is_dropped_as_a_platform_entry_or_is_quarantined(
    changes: dict[str, Any], whole: Any
) -> None:
    for payload in (FOLLOWUP | changes, whole):
        item = translator().followup(payload)
        assert item is None or isinstance(item, Followup | Quarantined)
        assert_kept_safely(item)


@FAST
@given(overrides(["id", "name", "parent_id"]), json_values)
def test_an_institution_becomes_one_or_is_quarantined(changes: dict[str, Any], whole: Any) -> None:
    for payload in ({"id": 1, "name": "Kabupaten", "parent_id": None} | changes, whole):
        item = translator().institution(payload)
        assert isinstance(item, Institution | Quarantined)
        assert_kept_safely(item)
