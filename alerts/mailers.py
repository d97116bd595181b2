"""Where mail goes: an SMTP server, or ``.eml`` files (the demo).

``SmtpMailer`` opens one connection for a batch and reuses it for every message;
TLS certificates are verified unless the operator says ``security = "none"`` (for a
relay on loopback). Failures come out as ``DeliveryError`` with the one distinction
the dispatcher needs: temporary (retry later) or permanent (a 5xx about this
recipient or this message: record it, never retry).
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to speak SMTP (``[alerts.smtp]``, filled in by the wiring)."""

    host: str = "127.0.0.1"
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    """Empty: no SMTP authentication."""
    password: str | None = field(default=None, repr=False)
    timeout: timedelta = timedelta(seconds=30)
    ca_file: str = ""
    """A PEM bundle of the CAs to trust instead of the system's."""


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool, connection_lost: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.connection_lost = connection_lost
        """The connection is gone: the rest of the batch waits for the next one."""


class Mailer(Protocol):
    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: Message, envelope_from: str, recipient: str) -> None: ...


def _code_error(what: str, code: int, text: bytes | str) -> DeliveryError:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else text
    return DeliveryError(f"{what}: {code} {detail}".strip(), permanent=code >= 500)


@cache
def local_hostname() -> str:
    """This host's name for EHLO, looked up once: smtplib would otherwise ask the
    resolver again for every connection it opens."""
    return socket.getfqdn()


@cache
def verifying_tls(ca_file: str = "") -> ssl.SSLContext:
    """Certificate and host name checks on, trusting the system's CAs or those in
    ``ca_file``. Built once per bundle: loading one costs tens of milliseconds."""
    return ssl.create_default_context(cafile=ca_file or None)


class SmtpMailer:
    def __init__(self, config: SmtpSettings, *, tls: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._tls = tls
        self._smtp: smtplib.SMTP | None = None

    @property
    def tls(self) -> ssl.SSLContext:
        return self._tls or verifying_tls(self.config.ca_file)

    def __enter__(self) -> Self:
        c = self.config
        timeout = c.timeout.total_seconds()
        try:
            if c.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, local_hostname(), timeout=timeout, context=self.tls
                )
            else:
                smtp = smtplib.SMTP(c.host, c.port, local_hostname(), timeout=timeout)
            try:
                if c.security == "starttls":
                    smtp.starttls(context=self.tls)
                if c.username:
                    smtp.login(c.username, c.password or "")
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            # A wrong password is the operator's to fix; the mail waits meanwhile.
            raise DeliveryError(
                f"SMTP authentication as {c.username!r} refused: {exc.smtp_code}",
                permanent=False,
                connection_lost=True,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"cannot reach SMTP {c.host}:{c.port} ({c.security}): {exc}",
                permanent=False,
                connection_lost=True,
            ) from exc
        self._smtp = smtp
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, message: Message, envelope_from: str, recipient: str) -> None:
        if self._smtp is None:
            raise RuntimeError("SmtpMailer.send outside its with-block")
        try:
            self._smtp.send_message(message, from_addr=envelope_from, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, (450, b"refused"))
            raise _code_error(f"recipient {recipient} refused", code, text) from exc
        except smtplib.SMTPDataError as exc:
            raise _code_error("message refused", exc.smtp_code, exc.smtp_error) from exc
        except smtplib.SMTPSenderRefused as exc:
            # The envelope sender is configuration, not this mail: keep it for later.
            error = _code_error(f"sender {envelope_from} refused", exc.smtp_code, exc.smtp_error)
            raise DeliveryError(str(error), permanent=False) from exc
        except smtplib.SMTPResponseException as exc:
            error = _code_error("SMTP error", exc.smtp_code, exc.smtp_error)
            raise DeliveryError(str(error), permanent=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._smtp = None
            raise DeliveryError(
                f"SMTP connection lost: {exc}", permanent=False, connection_lost=True
            ) from exc


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


class FileMailer:
    """Writes each message as ``<dir>/<key>--<recipient>.eml`` (the demo's outbox).

    Written to a temporary name and renamed, so a reader never sees half a message.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __enter__(self) -> Self:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def path_for(self, message: Message, recipient: str) -> Path:
        key = str(message["X-SP4N-Alert-Key"] or message["Message-ID"])
        return self.directory / f"{_UNSAFE.sub('_', key)}--{_UNSAFE.sub('_', recipient)}.eml"

    def send(self, message: Message, envelope_from: str, recipient: str) -> None:
        path = self.path_for(message, recipient)
        partial = path.with_suffix(".eml.partial")
        try:
            partial.write_bytes(message.as_bytes())
            os.replace(partial, path)
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc}", permanent=False) from exc
