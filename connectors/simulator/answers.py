"""How the simulator answers: what it counted, an early answer with a status of its
own (an error, a 429), and the small readers and writers of its requests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate


@dataclass
class RequestLog:
    """What the simulator answered, for tests and benchmarks to inspect."""

    counts: dict[str, int] = field(default_factory=dict)
    per_second: dict[int, int] = field(default_factory=dict)
    """Requests by the (real) second they arrived in: what a request budget is held to."""
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def enter(self) -> None:
        second = int(time.time())
        with self.lock:
            self.per_second[second] = self.per_second.get(second, 0) + 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


class Answer(Exception):
    """Raised inside a handler to answer at once with this status and body."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def query_int(query: dict[str, str], key: str, default: int) -> int:
    try:
        return int(query.get(key, default))
    except ValueError:
        raise Answer(422, f'{{"success":false,"message":"invalid {key}"}}'.encode()) from None


def http_date(epoch: int) -> str:
    return formatdate(epoch, usegmt=True)
