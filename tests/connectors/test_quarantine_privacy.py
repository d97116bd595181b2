"""What quarantine keeps of a bad record: the wire format's fields only, no reporter,
and no confidential complaint's texts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.quarantine import quarantine
from connectors.records import CONFIDENTIAL, QuarantineItem


def kept(item: QuarantineItem) -> dict[str, Any]:
    assert isinstance(item.payload, dict)
    return item.payload


REPORTER = {
    "nama_pelapor": "Budi Santoso",
    "nik_pelapor": "6109123456789012",
    "no_ktp": "6109123456789012",
    "telepon": "081234567890",
    "alamat": "Jl. Ahmad Yani 3",
    "pelapor": {"nama": "Budi Santoso", "hp": "081234567890"},
    "reporter_full_name": "Budi Santoso",  # a name nobody listed before
}


def test_no_reporter_field_is_kept_whatever_it_is_called() -> None:
    payload = {"id": 7, "title": "Jalan rusak", "is_secret": False, **REPORTER}
    item = quarantine("summary", {"results": {"data": payload}}, "status: missing")
    text = json.dumps(item.payload)
    for value in ("Budi", "6109123456789012", "081234567890", "Ahmad Yani"):
        assert value not in text
    assert kept(item)["results"]["data"]["title"] == "Jalan rusak"
    assert kept(item)["results"]["data"]["_dropped_keys"] == len(REPORTER)


@pytest.mark.parametrize("flag", [True, 1, "yes", "1", None, "rahasia", [True]])
def test_a_confidential_or_doubtful_complaint_keeps_no_text(flag: object) -> None:
    payload = {"id": 7, "title": "Pungli kepala desa", "content": "Isi rahasia", "is_secret": flag}
    item = quarantine("summary", payload, "is_secret: not a boolean")
    assert kept(item)["title"] == CONFIDENTIAL
    assert kept(item)["content"] == CONFIDENTIAL
    assert "Pungli" not in json.dumps(item.payload)


def test_a_complaint_without_any_secret_flag_is_treated_as_confidential() -> None:
    item = quarantine("detail", {"data": {"id": 7, "title": "Pungli"}}, "is_secret: missing")
    assert kept(item)["data"]["title"] == CONFIDENTIAL


def test_a_plainly_public_complaint_keeps_its_text_for_the_operator() -> None:
    item = quarantine("summary", {"id": 7, "title": "Jalan rusak", "is_secret": False}, "x")
    assert kept(item)["title"] == "Jalan rusak"


def test_a_broken_followup_of_a_confidential_complaint_keeps_no_text() -> None:
    wrapped = {
        "complaint": {"data": {"id": 7, "title": "Pungli", "is_secret": True}},
        "followup": {"id": 3, "content": "Kami periksa kepala desa", "created_at": 5},
    }
    item = quarantine("followup", wrapped, "followup 3: created_at")
    text = json.dumps(item.payload)
    assert "Pungli" not in text and "kepala desa" not in text


def test_a_reason_quoting_a_confidential_value_quotes_nothing() -> None:
    payload = {"id": 7, "is_secret": True, "date_of_incident": "Pungli kepala desa"}
    item = quarantine("detail", payload, "date_of_incident: impossible date 'Pungli kepala desa'")
    assert "Pungli" not in item.reason
    assert item.reason == "date_of_incident: impossible date '…'"


def test_a_reason_never_carries_the_reporter() -> None:
    payload = {"id": 7, "is_secret": False, "created_at": "NIK 6109123456789012"}
    item = quarantine("summary", payload, "created_at: not a timestamp 'NIK 6109123456789012'")
    assert "6109123456789012" not in item.reason
