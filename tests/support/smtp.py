"""A real SMTP server on loopback (aiosmtpd), that can go down, refuse, and hold;
the ``smtp`` fixture starts one per test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.network import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def key(self) -> str:
        return str(self.message["X-SP4N-Alert-Key"])


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    """Recipient → the SMTP reply RCPT gets instead of 250."""
    hold_at: int | None = None
    """Hold the message that would be the ``hold_at``-th received (1-based) until
    ``release`` is set, then answer 451 and keep nothing: a client killed meanwhile
    never got a reply."""
    defer_data: int = 0
    """Answer this many DATA commands with 451, keeping what was sent in ``deferred``."""
    deferred: list[Received] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    data_seen: int = 0

    async def handle_RCPT(  # aiosmtpd calls its hooks by these names
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_seen += 1
        if self.hold_at is not None and len(self.received) + 1 == self.hold_at:
            self.holding.set()
            await asyncio.to_thread(self.release.wait, 30)
            return "451 held by the test"
        mail = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        if self.defer_data > 0:
            self.defer_data -= 1
            self.deferred.append(mail)
            return "451 4.3.0 try again later"
        self.received.append(mail)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Handler()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.handler.release.set()
    server.stop()
