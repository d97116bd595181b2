"""Mail from facts: Jinja2 templates (Indonesian or English), text and HTML.

Headers (CONTRACT.md section 7): a ``Subject`` starting with ``[SP4N-LAPOR]`` and
holding the tracking id, ``X-SP4N-Alert-Key``, ``X-SP4N-Agency``, a ``Message-ID``
derived from key and recipient (the same on every retry), ``Date`` and
``Auto-Submitted``. Every header value built from upstream text goes through
``header_text`` first, so a CR/LF in a title cannot add a header or a recipient.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.facts import AlertFacts, DigestFacts
from syncd.clock.calendar import zone_abbreviation
from syncd.clock.policy import zone

Language = Literal["id", "en"]
SUBJECT_PREFIX = "[SP4N-LAPOR]"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_MAX_HEADER_TEXT = 120

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
    "id": {"verification": "verifikasi", "followup": "tindak lanjut", "completion": "penyelesaian"},
    "en": {"verification": "verification", "followup": "follow-up", "completion": "completion"},
}


def header_text(value: str) -> str:
    """Upstream text made safe for a header: control characters (CR and LF among
    them) become spaces, and it is cut to a readable length."""
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text if len(text) <= _MAX_HEADER_TEXT else text[: _MAX_HEADER_TEXT - 1] + "…"


def message_id(key: str, recipient: str, domain: str) -> str:
    digest = hashlib.sha256(f"{key}\n{recipient}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


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
        names = _CLOCK_NAMES[language]
        self.env.filters["clock_name"] = lambda name: names.get(name, name)

    def local_time(self, at: datetime, zone_name: str) -> str:
        """``Senin, 14 April 2025 23:59 WIB``: the wall time where the agency is."""
        tz = zone(zone_name)
        local = at.astimezone(tz)
        day = _DAYS[self.language][local.weekday()]
        month = _MONTHS[self.language][local.month - 1]
        return f"{day}, {local.day} {month} {local.year} {local:%H:%M} {zone_abbreviation(tz, at)}"

    def _render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(f"{self.language}/{name}").render(context)

    def alert(self, facts: AlertFacts, now: datetime) -> EmailMessage:
        context = {"alert": facts, "c": facts.clock, "kind": facts.kind.value}
        return self._message(
            key=facts.key,
            recipient=facts.recipient,
            agency=facts.clock.agency_id,
            subject=self._render("alert_subject.txt", context),
            text=self._render("alert.txt", context),
            html=self._render("alert.html", context),
            now=now,
        )

    def digest(self, facts: DigestFacts, now: datetime) -> EmailMessage:
        context = {"d": facts}
        agencies = {a.agency_id for a in facts.agencies if a.breached or a.due_soon}
        return self._message(
            key=facts.key,
            recipient=facts.recipient,
            agency=agencies.pop() if len(agencies) == 1 else None,
            subject=self._render("digest_subject.txt", context),
            text=self._render("digest.txt", context),
            html=self._render("digest.html", context),
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
    ) -> EmailMessage:
        message = EmailMessage(policy=SMTP)
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = f"{SUBJECT_PREFIX} {header_text(subject)}"
        message["Date"] = format_datetime(now)
        message["Message-ID"] = message_id(key, recipient, self.domain)
        message["Auto-Submitted"] = "auto-generated"
        message["X-SP4N-Alert-Key"] = header_text(key)
        message["X-SP4N-Agency"] = "none" if agency is None else str(agency)
        message.set_content(text, charset="utf-8")
        message.add_alternative(html, subtype="html", charset="utf-8")
        return message
