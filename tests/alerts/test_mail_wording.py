"""Every template, in Indonesian and English, for each kind and reader: the words fit
the clock (a late followup "belum ditindaklanjuti", a late completion "belum
diselesaikan"), the reader (the liaison acts; an escalation's superior sees that the
office acts), and the mail carries the link, one line saying what to do and where,
and no internal key (CONTRACT.md section 7)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default

import pytest

from alerts.compose import Composer, Language, thread_id
from alerts.facts import AgencyDigest, AlertFacts, ClockFacts, DigestFacts
from alerts.routing import Reader, Route, Routes
from syncd.vocabulary import AlertKind

SENDER = "SP4N Monitor <syncd@sekadau.go.id>"
TO = "penghubung@sekadau.go.id"
BOSS = "asisten3@sekadau.go.id"
AGENCY = "Pemerintah Kabupaten Sekadau"
LINK = "https://lapor.go.id/laporan/LAP501"
NOW = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # Wednesday 08:30 WIB
INTERNAL = re.compile(
    r"followup|reporter_reply|warn-\d|\bescalate\b|\bbreach\b|lapor:|/4251/|digest/|siklus"
)
ENGLISH_IN_ID = re.compile(
    r"\b(completion|verification|warning|escalation|overdue|due|follow-up|cycle|liaison)\b"
)

# kind -> (working days left, overdue)
STATES = {"warning": (2, False), "due": (0, False), "breach": (-1, True), "escalation": (-66, True)}
THRESHOLDS = {"warning": "warn-2", "due": "warn-0", "breach": "breach", "escalation": "escalate"}

# (language, clock) -> (what is not done yet, what the other clock would say)
UNDONE = {
    ("id", "followup"): ("belum ditindaklanjuti", "belum diselesaikan"),
    ("id", "completion"): ("belum diselesaikan", "belum ditindaklanjuti"),
    ("en", "followup"): ("has not been followed up", "has not been completed"),
    ("en", "completion"): ("has not been completed", "has not been followed up"),
}
# (language, clock, reader) -> the instruction line
TODO = {
    ("id", "followup", "liaison"): "tindak lanjut pengaduan ini di aplikasi admin SP4N-LAPOR!",
    ("id", "completion", "liaison"): (
        "selesaikan pengaduan ini, lalu tandai selesai di aplikasi admin SP4N-LAPOR!"
    ),
    ("id", "followup", "superior"): (
        f"Mohon Bapak/Ibu memastikan {AGENCY} segera menuliskan tindak lanjut pengaduan ini"
        " di aplikasi admin SP4N-LAPOR!"
    ),
    ("id", "completion", "superior"): (
        f"Mohon Bapak/Ibu memastikan {AGENCY} segera menyelesaikan pengaduan ini dan"
        " menandainya selesai di aplikasi admin SP4N-LAPOR!"
    ),
    ("en", "followup", "liaison"): "Post the follow-up in the SP4N-LAPOR! admin app",
    ("en", "completion", "liaison"): (
        "Resolve the complaint and mark it completed in the SP4N-LAPOR! admin app"
    ),
    ("en", "followup", "superior"): (
        f"Please make sure that {AGENCY} posts the follow-up in the SP4N-LAPOR! admin app"
    ),
    ("en", "completion", "superior"): (
        f"Please make sure that {AGENCY} resolves the complaint and marks it completed"
    ),
}
GREETING = {
    ("id", "liaison"): f"Yth. Bapak/Ibu Pejabat Penghubung {AGENCY},",
    ("id", "superior"): f"Yth. Bapak/Ibu Atasan Pejabat Penghubung {AGENCY},",
    ("en", "liaison"): f"Dear liaison officer of {AGENCY},",
    ("en", "superior"): f"Dear superior of the liaison officer of {AGENCY},",
}


def clock_facts(clock: str = "followup", kind: str = "breach", **options: object) -> ClockFacts:
    left, overdue = STATES[kind]
    values: dict[str, object] = {
        "tracking_id": "LAP501",
        "title": "Jalan rusak di Sekadau Hilir",
        "excerpt": "Jalan berlubang sejak Januari.",
        "confidential": False,
        "agency_id": 4251,
        "agency_name": AGENCY,
        "clock": clock,
        "cycle": 1,
        "started_at": datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        "due_at": datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC),
        "zone": "Asia/Pontianak",
        # The platform's status after the agency's followup: a completion clock still runs.
        "status_name": "Ditindaklanjuti",
        "working_days_left": left,
        "overdue": overdue,
        "link": LINK,
    }
    values.update(options)
    return ClockFacts(**values)  # type: ignore[arg-type]


def alert_facts(clock: str, kind: str, recipient: str = TO, **options: object) -> AlertFacts:
    key = f"lapor:501/4251/{clock}/1/{THRESHOLDS[kind]}"
    facts = clock_facts(clock, kind, **options)
    return AlertFacts(key, AlertKind(kind), THRESHOLDS[kind], recipient, facts)


def parsed(message: Message) -> EmailMessage:
    found = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(found, EmailMessage)
    return found


def bodies(message: Message) -> tuple[str, str, str]:
    """Subject, text and the HTML part's text (tags dropped), as a reader sees them."""
    mail = parsed(message)
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    page = html.get_content().split("</head>", 1)[1]
    shown = re.sub(r"<[^>]+>", " ", page)
    return str(mail["Subject"]), plain.get_content(), " ".join(shown.split())


def flat(text: str) -> str:
    return " ".join(text.split())


def readers() -> list[tuple[str, Reader]]:
    """The (kind, reader) pairs a route makes: only an escalation reaches a superior."""
    pairs: list[tuple[str, Reader]] = [(kind, "liaison") for kind in STATES]
    return [*pairs, ("escalation", "superior")]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("clock", ["followup", "completion"])
@pytest.mark.parametrize(("kind", "reader"), readers())
def test_an_alert_is_worded_for_its_clock_and_its_reader(
    language: Language, clock: str, kind: str, reader: Reader
) -> None:
    recipient = BOSS if reader == "superior" else TO
    message = Composer(language, SENDER).alert(
        alert_facts(clock, kind, recipient), NOW, reader=reader
    )
    subject, text, html = bodies(message)
    undone, other = UNDONE[(language, clock)]
    for body in (flat(text), html):
        assert body.startswith(GREETING[(language, reader)])
        assert undone in body
        assert other not in body
        assert TODO[(language, clock, reader)].lower() in body.lower()
        assert LINK in body
        assert not INTERNAL.search(body), INTERNAL.search(body)
        if language == "id":
            assert not ENGLISH_IN_ID.search(body), ENGLISH_IN_ID.search(body)
            assert "Atasan" in body if reader == "superior" else "Atasan" not in body
            assert "Ditindaklanjuti" in body  # the status line, which no longer contradicts
        if STATES[kind][1]:  # overdue: says so, not "time left: overdue"
            overdue = "Terlambat" if language == "id" else "Overdue"
            days = -STATES[kind][0]
            assert f"{overdue} : {days} " in flat(text) or f"{overdue} {days} " in body
            assert "Sisa waktu" not in body and "Time left" not in body
        else:
            assert ("Sisa waktu" if language == "id" else "Time left") in body
    assert "LAP501" in subject and not INTERNAL.search(subject)
    if kind == "escalation":
        assert ("ESKALASI" if language == "id" else "ESCALATION") in subject
        if reader == "superior":
            assert AGENCY in subject  # names the office that must act


def test_the_escalation_of_a_completion_clock_no_longer_contradicts_its_status() -> None:
    message = Composer("id", SENDER).alert(
        alert_facts("completion", "escalation", BOSS), NOW, reader="superior"
    )
    subject, text, _ = bodies(message)
    assert "belum ditindaklanjuti" not in subject + text
    assert "Status      : Ditindaklanjuti" in text
    assert f"belum diselesaikan oleh {AGENCY}, padahal batas waktu penyelesaian" in flat(text)
    assert "Terlambat   : 66 hari kerja" in text


@pytest.mark.parametrize("language", ["id", "en"])
def test_without_a_link_the_alert_still_says_what_to_do(language: Language) -> None:
    message = Composer(language, SENDER).alert(
        alert_facts("followup", "due", link=None), NOW, reader="liaison"
    )
    _, text, html = bodies(message)
    for body in (flat(text), html):
        assert "https://" not in body
        assert TODO[(language, "followup", "liaison")] in body
    assert ("Hari ini adalah hari terakhir" if language == "id" else "today is the last") in text


@pytest.mark.parametrize(
    ("language", "first", "again"),
    [
        ("id", "Tahap       : tindak lanjut\n", "putaran ke-2: pengaduan kembali ditangani"),
        ("en", "Clock       : follow-up\n", "round 2: the complaint came back to this agency"),
    ],
)
def test_the_cycle_is_explained_from_the_second_round(
    language: Language, first: str, again: str
) -> None:
    composer = Composer(language, SENDER)
    _, text, _ = bodies(composer.alert(alert_facts("followup", "warning"), NOW, reader="liaison"))
    assert first in text.replace("\r\n", "\n")
    second = alert_facts("followup", "warning", cycle=2)
    _, text, html = bodies(composer.alert(second, NOW, reader="liaison"))
    assert again in text and again in html


def test_a_confidential_alert_says_what_to_do_without_its_title() -> None:
    facts = alert_facts("followup", "breach", title=None, excerpt=None, confidential=True)
    _, text, html = bodies(Composer("id", SENDER).alert(facts, NOW, reader="liaison"))
    for body in (text, html):
        assert "pengaduan rahasia: judul dan isi tidak ditampilkan" in body
        assert "Jalan rusak" not in body
        assert "Segera tuliskan tindak lanjut pengaduan ini" in body


def test_html_escapes_an_agency_name_in_every_sentence() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    readers: tuple[Reader, ...] = ("liaison", "superior")
    for reader in readers:
        facts = alert_facts("followup", "escalation", agency_name=hostile)
        message = Composer("id", SENDER).alert(facts, NOW, reader=reader)
        html, plain = parsed(message).get_body(("html",)), parsed(message).get_body(("plain",))
        assert html is not None and plain is not None
        page = html.get_content()
        assert "<img" not in page
        said = plain.get_content().count(hostile)  # greeting, table; the superior's sentences
        assert said >= (5 if reader == "superior" else 2)
        assert page.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") == said


def test_alerts_about_one_complaint_thread_together_for_each_recipient() -> None:
    composer = Composer("id", SENDER)
    mails = [
        composer.alert(alert_facts("followup", "warning"), NOW, reader="liaison"),
        composer.alert(alert_facts("followup", "breach"), NOW, reader="liaison"),
        composer.alert(alert_facts("completion", "escalation"), NOW, reader="liaison"),
    ]
    root = thread_id("lapor:501/4251/followup/1/warn-2", TO, "sekadau.go.id")
    assert {m["References"] for m in mails} == {root}
    assert {m["In-Reply-To"] for m in mails} == {root}
    assert len({m["Message-ID"] for m in mails}) == 3
    assert root not in {m["Message-ID"] for m in mails}
    boss = composer.alert(alert_facts("completion", "escalation", BOSS), NOW, reader="superior")
    assert boss["References"] != root  # the superior's own thread
    other = replace(alert_facts("followup", "breach"), key="lapor:502/4251/followup/1/breach")
    assert composer.alert(other, NOW, reader="liaison")["References"] != root


def test_the_route_tells_the_superior_from_the_liaison() -> None:
    routes = Routes(
        [
            Route(4251, to=(TO,), escalate_to=(BOSS.upper(),)),
            Route("*", to=("admin@kab.go.id",), escalate_to=("sekda@kab.go.id",)),
            Route(77, to=("both@kab.go.id",), escalate_to=("both@kab.go.id",)),
        ]
    )
    assert routes.reader(4251, BOSS, AlertKind.ESCALATION) == "superior"
    assert routes.reader(4251, TO, AlertKind.ESCALATION) == "liaison"
    assert routes.reader(4251, BOSS, AlertKind.BREACH) == "liaison"
    assert routes.reader(None, "sekda@kab.go.id", AlertKind.ESCALATION) == "superior"
    assert routes.reader(9, "sekda@kab.go.id", AlertKind.ESCALATION) == "superior"
    assert routes.reader(77, "both@kab.go.id", AlertKind.ESCALATION) == "liaison"  # acts


def digest_facts(*agencies: AgencyDigest) -> DigestFacts:
    return DigestFacts(
        f"digest/{TO}/2026-12-02", TO, date(2026, 12, 2), "Asia/Pontianak", [*agencies]
    )


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_digest_greets_by_role_and_writes_dates_in_words(language: Language) -> None:
    late = clock_facts("completion", "breach")
    soon = clock_facts("followup", "warning", tracking_id="LAP502")
    message = Composer(language, SENDER).digest(
        digest_facts(AgencyDigest(4251, AGENCY, [late], [soon])), NOW
    )
    subject, text, html = bodies(message)
    page = parsed(message).get_body(("html",))
    assert page is not None and f'href="{LINK}"' in page.get_content()
    assert LINK in text
    greeting = GREETING[(language, "liaison")]
    day = "2 Desember 2026" if language == "id" else "2 December 2026"
    assert day in subject and "02-12-2026" not in subject and "2026-12-02" not in subject
    for body in (flat(text), html):
        assert body.startswith(greeting)
        assert ("Rabu, " if language == "id" else "Wednesday, ") + day in body
        assert TO not in body
        assert "02-12-2026" not in body and "2026-12-02" not in body
        assert "SP4N-LAPOR!" in body and ("admin" in body)
        assert not INTERNAL.search(body), INTERNAL.search(body)
        if language == "id":
            assert "belum diselesaikan" in body and "belum ditindaklanjuti" in body
            assert "Tuliskan tindak lanjut atau selesaikan setiap pengaduan" in body
            assert not ENGLISH_IN_ID.search(body), ENGLISH_IN_ID.search(body)
        else:
            assert "not completed" in body and "not followed up" in body
            assert "Post the follow-up or resolve each complaint" in body


def test_a_digest_over_several_agencies_greets_without_naming_one() -> None:
    other = clock_facts(agency_id=9, agency_name="Dinas Kesehatan Sekadau")
    message = Composer("id", SENDER).digest(
        digest_facts(
            AgencyDigest(4251, AGENCY, [clock_facts()], []),
            AgencyDigest(9, "Dinas Kesehatan Sekadau", [other], []),
        ),
        NOW,
    )
    _, text, _ = bodies(message)
    assert text.startswith("Yth. Bapak/Ibu Pejabat Penghubung,")
