"""The records a hostile upstream serves in the tests: good ones, one of each class
of bad record with what its quarantine reason must name, a complaint whose text names
the reporter, and a confidential one."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, MetaData, select

from tests.support.hostile import Hosted

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


def all_records() -> list[Hosted]:
    return [*good(), *(h for h, _ in bad().values()), identity_in_text(), confidential()]


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
