"""Mail from facts: Jinja2 templates (Indonesian or English), text and HTML.

Headers (CONTRACT.md section 7): a ``Subject`` starting with ``[SP4N-LAPOR]`` and
holding the tracking id, ``X-SP4N-Alert-Key``, ``X-SP4N-Agency``, a ``Message-ID``
derived from key and recipient (the same on every retry), ``Date`` and
``Auto-Submitted``. Every header value built from upstream text goes through
``header_text`` first, so a CR/LF in a title cannot add a header or a recipient.

The alerts about one complaint to one recipient thread together: each carries
``In-Reply-To`` and ``References`` naming the same root ``Message-ID``, derived from
the complaint's part of the key and the recipient (``thread_id``).

An alert is worded for its reader (``alerts.routing.Reader``): the liaison officer
who must act, or, for an escalation, the superior who sees that the office acts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date, datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from alerts.facts import AlertFacts, DigestFacts, MonthlyFacts, SummaryFacts
from alerts.routing import Reader
from syncd.clock.calendar import zone_abbreviation
from syncd.clock.compliance import GRADE_BANDS_NOTE
from syncd.clock.policy import zone

Language = Literal["id", "en"]
SUBJECT_PREFIX = "[SP4N-LAPOR]"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_MAX_HEADER_TEXT = 120
_PLATFORM = "SP4N-LAPOR!"
_PLATFORM_UNBROKEN = Markup('<span style="white-space: nowrap">SP4N-LAPOR!</span>')

_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_CLOCK_NAMES = {
    "id": {
        "verification": "verifikasi",
        "followup": "tindak lanjut",
        "completion": "penyelesaian",
        "reporter_reply": "tanggapan pelapor",
    },
    "en": {
        "verification": "verification",
        "followup": "follow-up",
        "completion": "completion",
        "reporter_reply": "reporter's reply",
    },
}


# Quoted-printable keeps Indonesian text readable in the raw message; the classic
# (compat32) message classes are used because they cost a fraction of EmailMessage's
# header parsing, and every header here is built from checked or sanitised text.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _header(value: str) -> str:
    """ASCII as it is; anything else as an RFC 2047 encoded word."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def header_text(value: str) -> str:
    """Upstream text made safe for a header: control characters (CR and LF among
    them) become spaces, and it is cut to a readable length."""
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text if len(text) <= _MAX_HEADER_TEXT else text[: _MAX_HEADER_TEXT - 1] + "…"


def unbroken_platform(text: str) -> Markup:
    """HTML of ``text`` where the platform's name is never split at its hyphen."""
    return escape(text).replace(_PLATFORM, _PLATFORM_UNBROKEN)


def message_id(key: str, recipient: str, domain: str) -> str:
    digest = hashlib.sha256(f"{key}\n{recipient}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def thread_id(key: str, recipient: str, domain: str) -> str:
    """The root ``Message-ID`` of one complaint's thread for one recipient: the key's
    ``<source>:<complaint id>`` part, so every clock, cycle and threshold shares it."""
    complaint = key.split("/", 1)[0]
    return message_id(f"thread/{complaint}", recipient, domain)


class Composer:
    def __init__(self, language: Language, sender: str) -> None:
        self.language = language
        self.sender = sender
        address = parseaddr(sender)[1]
        self.domain = address.rpartition("@")[2] or "syncd.invalid"
        self.env = Environment(
            loader=PackageLoader("alerts", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["local"] = self.local_time
        self.env.filters["long_date"] = self.long_date
        self.env.filters["month_name"] = self.month_name
        self.env.filters["unbroken"] = unbroken_platform
        names = _CLOCK_NAMES[language]
        self.env.filters["clock_name"] = lambda name: names.get(name, name)

    def local_time(self, at: datetime, zone_name: str) -> str:
        """``Senin, 14 April 2025 23:59 WIB``: the wall time where the agency is."""
        tz = zone(zone_name)
        local = at.astimezone(tz)
        day = _DAYS[self.language][local.weekday()]
        month = _MONTHS[self.language][local.month - 1]
        return f"{day}, {local.day} {month} {local.year} {local:%H:%M} {zone_abbreviation(tz, at)}"

    def long_date(self, day: date, weekday: bool = False) -> str:
        """``2 Desember 2026`` (``Rabu, 2 Desember 2026`` with ``weekday``)."""
        text = f"{day.day} {_MONTHS[self.language][day.month - 1]} {day.year}"
        return f"{_DAYS[self.language][day.weekday()]}, {text}" if weekday else text

    def month_name(self, day: date) -> str:
        """``Oktober 2026``: the month ``day`` is in."""
        return f"{_MONTHS[self.language][day.month - 1]} {day.year}"

    def _render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(f"{self.language}/{name}").render(context)

    def alert(self, facts: AlertFacts, now: datetime, *, reader: Reader) -> Message:
        """The alert as ``reader`` reads it: the liaison, or an escalation's superior."""
        context = {"c": facts.clock, "kind": facts.kind.value, "reader": reader}
        message = self._message(
            key=facts.key,
            recipient=facts.recipient,
            agency=facts.clock.agency_id,
            subject=self._render("alert_subject.txt", context),
            text=self._render("alert.txt", context),
            html=self._render("alert.html", context),
            now=now,
        )
        root = thread_id(facts.key, facts.recipient, self.domain)
        message["In-Reply-To"] = root
        message["References"] = root
        return message

    def digest(self, facts: DigestFacts, now: datetime) -> Message:
        listed = [a for a in facts.agencies if a.breached or a.due_soon]
        agencies = {a.agency_id for a in listed}
        context = {"d": facts, "agency": listed[0].agency_name if len(listed) == 1 else ""}
        return self._message(
            key=facts.key,
            recipient=facts.recipient,
            agency=agencies.pop() if len(agencies) == 1 else None,
            subject=self._render("digest_subject.txt", context),
            text=self._render("digest.txt", context),
            html=self._render("digest.html", context),
            now=now,
        )

    def summary(self, facts: SummaryFacts, now: datetime) -> Message:
        """One mail for the alerts over a recipient's daily cap (``kind`` summary)."""
        agencies = {item.agency_id for item in facts.items}
        names = {item.agency_name for item in facts.items}
        context = {"s": facts, "agency": names.pop() if len(names) == 1 else ""}
        return self._message(
            key=facts.key,
            recipient=facts.recipient,
            agency=agencies.pop() if len(agencies) == 1 else None,
            subject=self._render("summary_subject.txt", context),
            text=self._render("summary.txt", context),
            html=self._render("summary.html", context),
            now=now,
        )

    def monthly(self, facts: MonthlyFacts, now: datetime) -> Message:
        """The monthly summary to an ``escalate_to`` recipient."""
        agencies = {a["agency"] for a in facts.agencies}
        names = [a["name"] for a in facts.agencies]
        context = {
            "m": facts,
            "bands_note": GRADE_BANDS_NOTE,
            "agency": names[0] if len(names) == 1 else "",
        }
        return self._message(
            key=facts.key,
            recipient=facts.recipient,
            agency=int(agencies.pop()) if len(agencies) == 1 else None,
            subject=self._render("monthly_subject.txt", context),
            text=self._render("monthly.txt", context),
            html=self._render("monthly.html", context),
            now=now,
        )

    def _message(
        self,
        *,
        key: str,
        recipient: str,
        agency: int | None,
        subject: str,
        text: str,
        html: str,
        now: datetime,
    ) -> Message:
        message = MIMEMultipart("alternative")
        name, address = parseaddr(self.sender)
        message["From"] = formataddr((name, address), charset="utf-8")
        message["To"] = recipient
        message["Subject"] = _header(f"{SUBJECT_PREFIX} {header_text(subject)}")
        message["Date"] = format_datetime(now)
        message["Message-ID"] = message_id(key, recipient, self.domain)
        message["Auto-Submitted"] = "auto-generated"
        message["X-SP4N-Alert-Key"] = _header(header_text(key))
        message["X-SP4N-Agency"] = "none" if agency is None else str(agency)
        message.attach(MIMEText(text, "plain", _UTF8))  # type: ignore[arg-type]
        message.attach(MIMEText(html, "html", _UTF8))  # type: ignore[arg-type]
        return message
