"""What the mail says and which headers it carries (CONTRACT.md section 7)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import Engine

from connectors.records import CanonicalStatus
from tests.support.histories import JAYAPURA, History, wib
from tests.support.mirror import BOSS, PAPUA, TO, Now, followup_case, make_config, service, write
from tests.support.smtp import Received, SmtpServer

pytestmark = pytest.mark.integration

SECRET_TITLE = "Dugaan pungli oleh oknum kepala dinas"
SECRET_CONTENT = "Nama pelapor Budi Santoso, NIK 6109"


def texts(message: EmailMessage) -> str:
    """Every header and every decoded part, as a reader's client would show them."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def only(received: list[Received]) -> EmailMessage:
    [mail] = received
    return mail.message


def test_the_headers_are_the_contracts(sqlite_engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-10 08:30"))
    write(sqlite_engine, config, [followup_case()], now.at)
    service(sqlite_engine, config, now).run_once()
    [mail] = smtp.received
    message = mail.message
    assert str(message["Subject"]).startswith("[SP4N-LAPOR] ")
    assert "LAP20260302501" in str(message["Subject"])
    assert message["X-SP4N-Alert-Key"] == "lapor:501/4251/followup/1/breach"
    assert message["X-SP4N-Agency"] == "4251"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["To"] == TO
    assert mail.rcpt_tos == [TO]
    assert str(message["Message-ID"]).startswith("<") and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    body = plain.get_content()
    # Indonesian by default, with the agency's local due time.
    assert "Batas waktu : Senin, 9 Maret 2026 23:59 WIB" in body
    assert "Jalan rusak di Sekadau Hilir" in body
    assert "Pemerintah Kabupaten Sekadau" in body
    assert "Terlambat   : 1 hari kerja" in body
    assert "<td>Senin, 9 Maret 2026 23:59 WIB</td>" in html.get_content()


def test_the_message_id_is_the_same_on_every_retry(sqlite_engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-10 08:30"))
    write(sqlite_engine, config, [followup_case()], now.at)
    alerts = service(sqlite_engine, config, now)
    smtp.handler.defer_data = 1  # the whole message arrives, then a 451
    assert alerts.run_once().dispatched.temporary == 1
    now.set("2026-03-10 09:30")
    assert alerts.run_once().dispatched.total_sent == 1
    first, retried = only(smtp.handler.deferred), only(smtp.received)
    assert first["Date"] != retried["Date"]  # composed again, an hour later
    assert first["Message-ID"] == retried["Message-ID"]
    assert first["X-SP4N-Alert-Key"] == retried["X-SP4N-Alert-Key"]


def test_english_and_eastern_time(sqlite_engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port, language="en")
    # Jayapura keeps WIT (UTC+9): disposed Monday 2 March 12:00 WIB = 14:00 WIT.
    papua = (
        History("2026-03-02 09:00", id=777, tracking_id="LAP777", title="Air PDAM keruh")
        .status("2026-03-02 09:30", CanonicalStatus.VERIFIED)
        .dispose("2026-03-02 12:00", JAYAPURA)
    )
    now = Now(wib("2026-03-10 07:00"))  # 09:00 WIT, the morning after the due day
    write(sqlite_engine, config, [papua], now.at)
    service(sqlite_engine, config, now).run_once()
    [mail] = smtp.received
    assert mail.rcpt_tos == [PAPUA]
    body = mail.message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Due         : Monday, 9 March 2026 23:59 WIT" in text
    assert "Pemerintah Kota Jayapura" in text
    assert "deadline missed" in str(mail.message["Subject"])


def test_a_confidential_complaint_shows_no_title_and_no_content(
    sqlite_engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(
        smtp.port, digest=True, complaint_url_template="https://lapor.go.id/{tracking_id}"
    )
    secret = followup_case(title=SECRET_TITLE, content=SECRET_CONTENT, secret=True)
    now = Now(wib("2026-03-10 08:30"))  # breach, and the day's digest
    write(sqlite_engine, config, [secret], now.at)
    sent = service(sqlite_engine, config, now).run_once().dispatched.sent
    assert sent["breach"] == 1 and sent["digest"] >= 1
    for mail in smtp.received:
        shown = texts(mail.message)
        assert "LAP20260302501" in shown
        # "NIK 6109", not "6109": a MIME boundary is digits and could hold those four.
        for word in ("pungli", "Budi", "NIK 6109", "kepala dinas"):
            assert word not in shown
            assert word.encode() not in mail.raw


def test_a_line_break_in_upstream_text_cannot_add_a_header_or_a_recipient(
    sqlite_engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    hostile = followup_case(
        tracking_id="LAP1\r\nBcc: thief@evil.example\r\nX-Injected: yes",
        title="Judul\r\nBcc: thief@evil.example",
    )
    now = Now(wib("2026-03-10 08:30"))
    write(sqlite_engine, config, [hostile], now.at)
    service(sqlite_engine, config, now).run_once()
    [mail] = smtp.received
    assert mail.rcpt_tos == [TO]
    message = mail.message
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    assert str(message["Subject"]).startswith("[SP4N-LAPOR] LAP1 Bcc: thief@evil.example")
    headers = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers and b"\r\nX-Injected:" not in headers


def test_an_escalation_greets_the_superior_and_threads_with_the_breach(
    sqlite_engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port, complaint_url_template="https://lapor.go.id/{tracking_id}")
    now = Now(wib("2026-03-10 08:30"))  # the breach, to the liaison
    write(sqlite_engine, config, [followup_case()], now.at)
    alerts = service(sqlite_engine, config, now)
    assert alerts.run_once().dispatched.sent == {"breach": 1}
    now.set("2026-03-12 08:30")  # the escalation, to the liaison and the superior
    assert alerts.run_once().dispatched.sent == {"escalation": 2}
    breach, *escalations = smtp.received
    by_recipient = {mail.rcpt_tos[0]: mail.message for mail in escalations}
    assert set(by_recipient) == {TO, BOSS}
    liaison, superior = (by_recipient[TO], by_recipient[BOSS])
    for message, greeting in (
        (liaison, "Yth. Bapak/Ibu Pejabat Penghubung Pemerintah Kabupaten Sekadau,"),
        (superior, "Yth. Bapak/Ibu Atasan Pejabat Penghubung Pemerintah Kabupaten Sekadau,"),
    ):
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert text.startswith(greeting)
        assert "belum ditindaklanjuti" in text
        assert "di aplikasi admin SP4N-LAPOR!" in text
        assert "Buka pengaduan: https://lapor.go.id/LAP20260302501" in text
        assert "followup" not in text and "escalate" not in text
    superior_text = texts(superior)
    assert "Mohon Bapak/Ibu memastikan Pemerintah Kabupaten Sekadau segera menuliskan" in (
        " ".join(superior_text.split())
    )
    assert "Yth. Bapak/Ibu Pejabat Penghubung" not in superior_text
    # One thread per complaint and recipient: the breach and the escalation share a root.
    assert breach.message["References"] == liaison["References"] == liaison["In-Reply-To"]
    assert superior["References"] != liaison["References"]
    assert breach.message["Message-ID"] != liaison["Message-ID"]
