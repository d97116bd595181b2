"""Value types shared by the configuration sections, each checked where it is read.

Every check raises ``ValueError`` with a message written for the operator; the key
path is added by ``syncd.config.errors``.
"""

from __future__ import annotations

import ipaddress
import re
import string
from datetime import time
from email.utils import parseaddr
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr

DEFAULT_TIMEZONE = "Asia/Jakarta"
URL_TEMPLATE_FIELDS = frozenset({"tracking_id", "id"})
"""What ``alerts.complaint_url_template`` may ask for: ``{tracking_id}`` and ``{id}``."""

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TIME_OF_DAY = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone (e.g. Asia/Jakarta, Asia/Pontianak, "
            "Asia/Makassar, Asia/Jayapura)"
        ) from None
    return value


def _time_of_day(value: object) -> time:
    if isinstance(value, time) and value.tzinfo is None:
        return value.replace(second=0, microsecond=0)
    match = _TIME_OF_DAY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError('expected a local time "HH:MM", e.g. "08:00"')
    return time(int(match[1]), int(match[2]))


def split_host_port(listen: str) -> tuple[str, int]:
    """``("127.0.0.1", 9477)`` from ``"127.0.0.1:9477"``; ``[::1]:9477`` for IPv6."""
    host, sep, port = listen.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        host = ""  # a bare IPv6 address is ambiguous without brackets
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f'{listen!r} is not HOST:PORT, e.g. "127.0.0.1:9477" or "[::1]:9477"')
    return host, int(port)


def _listen(value: str) -> str:
    split_host_port(value)
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    return value


def is_loopback(host: str) -> bool:
    """``127.0.0.0/8``, ``::1`` or ``localhost`` (and ``*.localhost``, RFC 6761): traffic
    to it never leaves the machine. Any other name or address may."""
    name = host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def hide_password(url: str) -> str:
    """``url`` with its password shown as ``***``: the one after ``user:``, and a
    ``password=`` in the query. All up to the last ``@`` counts as the user part, so a
    password with an ``@`` in it is hidden whole."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo, _, host = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        rest = f"{user}{':***' if colon else ''}@{host}"
    return scheme + sep + re.sub(r"([?&]password=)[^&#]*", r"\1***", rest, flags=re.IGNORECASE)


class SecretUrl(SecretStr):
    """A URL that may carry a password: ``repr`` and ``str`` show it with the password
    hidden (``postgresql+psycopg://syncd:***@db/syncd``), JSON dumps not at all."""

    def _display(self) -> str:
        return hide_password(self.get_secret_value())


def _database_url(value: SecretUrl) -> SecretUrl:
    if not re.fullmatch(r"[a-z][a-z0-9+]*://.*", value.get_secret_value()):
        raise ValueError(
            f"{str(value)!r} is not a database URL, e.g. sqlite:////var/lib/syncd/syncd.db "
            "or postgresql+psycopg://user@host/db"
        )
    return value


def _header_name(value: str) -> str:
    if not _HEADER_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not an HTTP header name")
    return value


def _address(value: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _mailbox(value: str) -> str:
    """``Name <addr@host>`` or a bare address; no CR/LF (it becomes a header)."""
    _, address = parseaddr(value)
    if "\r" in value or "\n" in value or not _ADDRESS.fullmatch(address):
        raise ValueError(f'{value!r} is not a mailbox, e.g. "SP4N Monitor <monitor@example.go.id>"')
    return value


def _url_template(value: str) -> str:
    if not value:
        return value
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValueError(f"not a valid template: {exc}") from None
    unknown = sorted(fields - URL_TEMPLATE_FIELDS)
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in sorted(URL_TEMPLATE_FIELDS))
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use {known}")
    _http_url(value.format(tracking_id="X", id=0))
    return value


Timezone = Annotated[str, AfterValidator(_timezone)]
TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]
Listen = Annotated[str, AfterValidator(_listen)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
DatabaseUrl = Annotated[SecretUrl, AfterValidator(_database_url)]
HeaderName = Annotated[str, AfterValidator(_header_name)]
EmailAddress = Annotated[str, AfterValidator(_address)]
Mailbox = Annotated[str, AfterValidator(_mailbox)]
UrlTemplate = Annotated[str, AfterValidator(_url_template)]
WorkingDays = Annotated[int, Field(ge=1, le=366)]
Port = Annotated[int, Field(ge=1, le=65535)]
