"""The summary mail that folds a recipient's alerts over the daily cap (CONTRACT.md
section 7, "No flood"): its headers, its wording in both languages and for both
readers, its escaping, and its delivery over a real SMTP server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default

import pytest

from alerts.compose import Composer, Language, message_id
from alerts.facts import AlertFacts, ClockFacts, SummaryItem
from alerts.mailers import SmtpMailer, SmtpSettings
from alerts.routing import Reader
from alerts.summary_mail import compose_summary, summary_item, summary_key
from syncd.vocabulary import AlertKind
from tests.support.smtp import SmtpServer

SENDER = "SP4N Monitor <syncd@sekadau.go.id>"
TO = "penghubung@sekadau.go.id"
DAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
INTERNAL = re.compile(r"followup|reporter_reply|warn-\d|\bescalate\b|summary/|lapor:")
ENGLISH_IN_ID = re.compile(r"\b(completion|verification|breach|warning|escalation|overdue)\b")


def item(n: int, **options: object) -> SummaryItem:
    values: dict[str, object] = {
        "tracking_id": f"LAP{n}",
        "agency_name": "Pemerintah Kabupaten Sekadau",
        "clock": "followup",
        "kind": "breach",
        "due_at_local": "Senin, 9 Maret 2026 23:59 WIB",
        "days": -3,
        "link": f"https://lapor.go.id/laporan/LAP{n}",
        "title": f"Jalan rusak {n}",
        "agency_id": 4251,
    }
    values.update(options)
    return SummaryItem(**values)  # type: ignore[arg-type]


ITEMS = [
    item(1, kind="due", days=0),
    item(2, kind="warning", days=2, clock="completion"),
    item(3),
    item(4, kind="escalation", days=-12, clock="completion", title="[rahasia]"),
]


def parts(message: Message) -> tuple[str, str]:
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def shown(html: str) -> str:
    """The HTML part's text, tags dropped, as a reader sees it."""
    page = html.split("</head>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def summary(language: Language, role: Reader, items: list[SummaryItem], total: int) -> Message:
    return compose_summary(
        Composer(language, SENDER),
        recipient=TO,
        role=role,
        day=DAY,
        items=items,
        now=NOW,
        total=total,
    )


def test_it_carries_the_contracts_headers() -> None:
    message = summary("id", "liaison", ITEMS, 480)
    key = f"summary/{TO}/2026-12-02"
    assert summary_key(TO, DAY) == key
    assert message["X-SP4N-Alert-Key"] == key
    assert message["Message-ID"] == message_id(key, TO, "sekadau.go.id")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["To"] == TO
    assert message["X-SP4N-Agency"] == "4251"  # every item is Sekadau's
    subject = str(message_from_bytes(message.as_bytes(), policy=default)["Subject"])
    assert subject == "[SP4N-LAPOR] Ringkasan: 480 pengaduan perlu perhatian (2 Desember 2026)"
    other = summary("id", "liaison", [*ITEMS, item(5, agency_id=9999)], 480)
    assert other["X-SP4N-Agency"] == "none"


def test_the_message_id_is_the_same_when_composed_again() -> None:
    first = summary("id", "liaison", ITEMS, 4)
    again = compose_summary(
        Composer("id", SENDER),
        recipient=TO,
        role="liaison",
        day=DAY,
        items=ITEMS,
        now=NOW + timedelta(hours=2),
    )
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Date"] != again["Date"]
    tomorrow = compose_summary(
        Composer("id", SENDER),
        recipient=TO,
        role="liaison",
        day=DAY + timedelta(1),
        items=ITEMS,
        now=NOW,
    )
    assert tomorrow["Message-ID"] != first["Message-ID"]


@pytest.mark.parametrize("role", ["liaison", "superior"])
def test_the_indonesian_summary_lists_every_item_for_its_reader(role: Reader) -> None:
    text, html = parts(summary("id", role, ITEMS, 480))
    assert all(f'href="https://lapor.go.id/laporan/LAP{n}"' in html for n in range(1, 5))
    for body in (text, shown(html)):
        assert "Rabu, 2 Desember 2026" in body
        assert "480 pengaduan" in body
        assert all(f"https://lapor.go.id/laporan/LAP{n}" in text for n in range(1, 5))
        assert "476 pengaduan lainnya" in body  # 480 folded, 4 listed
        for n in range(1, 5):
            assert f"LAP{n}" in body
        assert "belum ditindaklanjuti" in body and "belum diselesaikan" in body
        assert "terlambat 3 hari kerja" in body and "berakhir hari ini" in body
        assert "2 hari kerja lagi" in body and "eskalasi" in body
        assert "[rahasia]" in body
        assert "aplikasi admin SP4N-LAPOR!" in body
        assert not INTERNAL.search(body), INTERNAL.search(body)
        assert not ENGLISH_IN_ID.search(body), ENGLISH_IN_ID.search(body)
        assert TO not in body
    if role == "superior":
        assert text.startswith("Yth. Bapak/Ibu Atasan Pejabat Penghubung Pemerintah Kabupaten")
        assert "Mohon Bapak/Ibu memastikan instansi yang bersangkutan segera" in text
    else:
        assert text.startswith("Yth. Bapak/Ibu Pejabat Penghubung Pemerintah Kabupaten Sekadau,")
        assert "Tuliskan tindak lanjut atau selesaikan setiap pengaduan" in text


@pytest.mark.parametrize("role", ["liaison", "superior"])
def test_the_english_summary_says_the_same(role: Reader) -> None:
    message = summary("en", role, ITEMS, 4)
    subject = str(message_from_bytes(message.as_bytes(), policy=default)["Subject"])
    assert subject == "[SP4N-LAPOR] Summary: 4 complaints need attention (2 December 2026)"
    text, html = parts(message)
    for body in (text, shown(html)):
        assert "Wednesday, 2 December 2026" in body
        assert "not followed up" in body and "not completed" in body
        assert "3 working days overdue" in body and "due today" in body
        assert "2 working days left" in body and "escalated" in body
        assert "SP4N-LAPOR! admin app" in body
        assert "other" not in body.split("admin app", 1)[0]  # all 4 listed: no "the other n"
        assert not INTERNAL.search(body), INTERNAL.search(body)
    greeting = "Dear superior of the liaison officer" if role == "superior" else "Dear liaison"
    assert text.startswith(greeting)


def test_one_folded_alert_is_said_in_the_singular() -> None:
    message = summary("en", "liaison", ITEMS[:1], 1)
    subject = str(message_from_bytes(message.as_bytes(), policy=default)["Subject"])
    assert subject.endswith("1 complaint needs attention (2 December 2026)")


def test_upstream_text_is_escaped_in_html_and_cannot_add_a_header() -> None:
    hostile = item(
        9,
        title='<img src=x onerror="alert(1)">\r\nBcc: thief@evil.example',
        agency_name="Dinas <b>PU</b>\r\nX-Injected: yes",
        link='https://lapor.go.id/"><script>x</script>',
    )
    message = summary("id", "liaison", [hostile], 1)
    raw = message.as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Injected:" not in headers
    _, html = parts(message)
    assert "<img" not in html and "<b>PU" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "Dinas &lt;b&gt;PU&lt;/b&gt;" in html


def test_the_items_come_from_the_alerts_own_facts() -> None:
    clock = ClockFacts(
        tracking_id="LAP7",
        title="Dugaan pungli",
        excerpt=None,
        confidential=True,
        agency_id=4251,
        agency_name="Pemerintah Kabupaten Sekadau",
        clock="completion",
        cycle=1,
        started_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        due_at=datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC),
        zone="Asia/Pontianak",
        status_name="Ditindaklanjuti",
        working_days_left=-5,
        overdue=True,
        link=None,
    )
    alert = AlertFacts("lapor:7/4251/completion/1/breach", AlertKind.BREACH, "breach", TO, clock)
    found = summary_item(alert, Composer("id", SENDER))
    assert found == SummaryItem(
        tracking_id="LAP7",
        agency_name="Pemerintah Kabupaten Sekadau",
        clock="completion",
        kind="breach",
        due_at_local="Senin, 9 Maret 2026 23:59 WIB",
        days=-5,
        link="",
        title="[rahasia]",
        agency_id=4251,
    )
    assert summary_item(alert, Composer("en", SENDER)).title == "[confidential]"


@pytest.mark.integration
def test_it_is_delivered_as_one_mail_over_smtp(smtp: SmtpServer) -> None:
    message = summary("id", "liaison", ITEMS, 480)
    settings = SmtpSettings(port=smtp.port, security="none", timeout=timedelta(seconds=5))
    with SmtpMailer(settings) as mailer:
        mailer.send(message, "syncd@sekadau.go.id", TO)
    [received] = smtp.received
    assert received.rcpt_tos == [TO]
    assert received.key == f"summary/{TO}/2026-12-02"
    plain = received.message.get_body(("plain",))
    assert plain is not None
    assert "Ringkasan" not in plain.get_content().split("\n", 1)[0]  # greets, not a title
    assert "LAP4 - [rahasia]" in plain.get_content()
