"""Reporter identity inside free text is replaced before anything reaches the mirror."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.identity import HIDDEN, scrub_identity
from connectors.records import ComplaintDetail
from tests.connectors.fake_upstream import BASE, FakeListing, envelope, fake_connector, summary
from tests.support.clocks import FakeClock


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIK 6109123456789012 warga", f"NIK {HIDDEN} warga"),
        ("hubungi 0812-3456-7890 ya", f"hubungi {HIDDEN} ya"),
        ("atau +62 812 3456 7890.", f"atau {HIDDEN}."),
        ("surel budi.s+lapor@mail.co.id", f"surel {HIDDEN}"),
        ("Nama: Budi Santoso\nJalan rusak", f"Nama: {HIDDEN}\nJalan rusak"),
        ("nama lengkap = Siti Aminah", f"nama lengkap = {HIDDEN}"),
        ("Alamat: Jl. Merdeka 5, Sekadau", f"Alamat: {HIDDEN}"),
        ("No. HP: 08123456789", f"No. HP: {HIDDEN}"),
        ("Telepon : (0564) 21234", f"Telepon : {HIDDEN}"),
        # inside a sentence, as integrators write it into content
        (
            "Dilaporkan oleh Nama: Budi Santoso, NIK: 6109123456789012, alamat: Jl. Ahmad Yani 3",
            f"Dilaporkan oleh Nama: {HIDDEN}, NIK: {HIDDEN}, alamat: {HIDDEN}",
        ),
        (
            "warga (nama = Siti; telp: 0564-21234) melapor",
            f"warga (nama = {HIDDEN}; telp: {HIDDEN}",
        ),
        ("NIK 6109 1234 5678 9012 terdaftar", f"NIK {HIDDEN} terdaftar"),
        # look-alikes: a no-break space, a fullwidth colon, a zero-width space
        ("Nama\u00a0: Budi Santoso", f"Nama : {HIDDEN}"),
        ("Nama\uff1aBudi Santoso", f"Nama:{HIDDEN}"),
        ("NIK 6109\u200b123456789012", f"NIK {HIDDEN}"),
        ("Pelapor: Budi Santoso", f"Pelapor: {HIDDEN}"),
        ("Nama pelapor Budi Santoso", f"Nama pelapor {HIDDEN}"),
        ("hubungi (0812) 3456-7890 ya", f"hubungi {HIDDEN} ya"),
        ("atau +62 (812) 3456 7890", f"atau {HIDDEN}"),
    ],
)
def test_it_hides_each_kind_of_identity(text: str, expected: str) -> None:
    assert scrub_identity(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Laporan #1234567 tanggal 27-03-2025 pukul 10:00",
        "Jalan berlubang sepanjang 120 meter di KM 12",
        "Kerugian Rp 2.500.000, nomor tiket 4251000123",
        "Namanya tidak disebut",  # no label followed by ':'
    ],
)
def test_it_leaves_ordinary_text_alone(text: str) -> None:
    assert scrub_identity(text) == text


@respx.mock
def test_the_mirror_gets_the_text_without_the_reporter(clock: FakeClock) -> None:
    content = "Nama: Budi Santoso\nNIK: 6109123456789012\nJalan depan rumah saya rusak."
    data = summary(7, "2025-03-28 09:00:00") | {"content": content, "title": "Telp 081234567890"}
    logs = [
        {"id": 11, "created_at": "2025-03-27 10:00:00",
         "status_new": {"code": 2, "name": "Terdisposisi"},
         "content": "Pelapor budi@example.com minta segera."},
    ]  # fmt: skip
    respx.get(f"{BASE}/complaints/7/complaint").mock(
        return_value=httpx.Response(200, json=envelope({"data": data, "data_logs": logs}))
    )
    respx.get(f"{BASE}/complaints/7/followups").mock(
        return_value=httpx.Response(200, json=envelope({"data": [], "next_page_url": None}))
    )
    detail = fake_connector(clock).fetch_detail(7)
    assert isinstance(detail, ComplaintDetail)
    text = repr(detail)
    for trace in ("Budi", "6109123456789012", "081234567890", "budi@example.com"):
        assert trace not in text
    assert detail.content.endswith("Jalan depan rumah saya rusak.")


@respx.mock
def test_a_quarantined_payload_keeps_no_identity_either(clock: FakeClock) -> None:
    broken = summary(1, created_at="not a date") | {
        "title": "Nama: Budi Santoso",
        "nama_pelapor": "Budi Santoso",
        "telepon": "081234567890",
    }
    respx.get(f"{BASE}/complaints").mock(side_effect=FakeListing([broken]))
    [item] = [q for p in fake_connector(clock).list_changes(None) for q in p.quarantined]
    assert "Budi" not in repr(item.payload)
    assert "081234567890" not in repr(item.payload)


def test_a_huge_text_without_spaces_is_scrubbed_in_linear_time() -> None:
    # Unbounded repetitions made this quadratic: 20,000 letters then "@" took seconds,
    # a hostile megabyte hours. Bounded, a megabyte is a few passes over it.
    text = "a" * 1_000_000 + "@host.example " + "x" * 1_000_000
    scrubbed = scrub_identity(text)
    assert HIDDEN in scrubbed
    assert scrubbed.endswith("x" * 1000)
