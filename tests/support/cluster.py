"""Several ``syncd run`` processes on one PostgreSQL database (CONTRACT.md section 8),
as operators run them: the simulator served by ``syncd simulate`` in a process of its
own, one aiosmtpd sink for them all, each process's ``/readyz`` polled to tell who
leads.

The sink knows which process sent each mail: the client's end of the SMTP connection
is a socket of one of the cluster's processes (``/proc``), so "the first mail from
the new leader" and "nothing from the old one after" are read at the server, not
from the processes' own account. A ``Trap`` holds one message from a given process
in the middle of its DATA, the moment a test then kills, stops or disconnects that
process: the leader is then mid-dispatch by construction, its batch claimed and one
mail in flight, with no sleep and nothing injected into it.

Used by ``tests/ha`` and ``bench/ha.py``; it imports nothing of syncd.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import IO, Any

import httpx
from aiosmtpd.controller import Controller

from tests.support.network import free_port
from tests.support.processes import SYNCD

SOURCE = "lapor"
LIAISONS = ("penghubung@example.go.id", "sekretariat@example.go.id", "humas@example.go.id")
SUPERIOR = "atasan@example.go.id"
CREDENTIALS = {"SYNCD_SOURCES_LAPOR_API_KEY": "k", "SYNCD_SOURCES_LAPOR_TOKEN": "t"}


def wait_until(what: str, ready: Callable[[], bool], timeout: float, every: float = 0.05) -> float:
    """Polls ``ready`` until it holds; the monotonic instant it was first seen to."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        if ready():
            return time.monotonic()
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout:.1f} s")
        pause.wait(every)


# -- who holds a socket -----------------------------------------------------------------


def _socket_inode(local_port: int) -> str | None:
    """The inode of the IPv4 loopback TCP socket bound to ``local_port``."""
    wanted = f"0100007F:{local_port:04X}"
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[1] == wanted:
                return fields[9]
    return None


def pid_holding(local_port: int, pids: Sequence[int]) -> int | None:
    """Which of ``pids`` has the loopback socket bound to ``local_port`` open."""
    inode = _socket_inode(local_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


# -- the SMTP sink ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    at: float
    """Monotonic instant the sink accepted it."""
    pid: int | None
    """The process that sent it (None: none of the cluster's)."""
    key: str
    recipients: tuple[str, ...]


@dataclass
class Trap:
    """Holds the ``after + 1``-th message from ``pid`` (counted from the trap being set)
    in its DATA until ``release``; then answers 250 (``keep``: the mail is delivered)
    or 451 (kept nowhere: the sender never learns of a mail it could mark sent)."""

    pid: int
    after: int = 0
    keep: bool = False
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held_key: str | None = None
    held_recipients: tuple[str, ...] = ()
    seen: int = 0

    @property
    def held_pairs(self) -> set[tuple[str, str]]:
        return {(str(self.held_key), recipient) for recipient in self.held_recipients}


@dataclass
class SinkHandler:
    pids: Callable[[], Sequence[int]]
    deliveries: list[Delivery] = field(default_factory=list)
    trap: Trap | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        sender = getattr(session, "sp4n_pid", None)
        if sender is None:
            sender = pid_holding(session.peer[1], self.pids())
            session.sp4n_pid = sender
        raw = bytes(envelope.content)
        key = str(message_from_bytes(raw, policy=default)["X-SP4N-Alert-Key"])
        trap = self.trap
        if trap is not None and sender == trap.pid and not trap.held.is_set():
            trap.seen += 1
            if trap.seen > trap.after:
                trap.held_key, trap.held_recipients = key, tuple(envelope.rcpt_tos)
                trap.held.set()
                await asyncio.to_thread(trap.release.wait, 300)
                if not trap.keep:
                    return "451 4.3.0 held by the test"
        with self.lock:
            self.deliveries.append(
                Delivery(time.monotonic(), sender, key, tuple(envelope.rcpt_tos))
            )
        return "250 Message accepted"


class Sink:
    """One aiosmtpd server on loopback for the whole cluster."""

    def __init__(self, pids: Callable[[], Sequence[int]]) -> None:
        self.port = free_port()
        self.handler = SinkHandler(pids)
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._controller.stop()

    def release(self) -> None:
        """Lets a held message go (so that its sender can stop)."""
        trap = self.handler.trap
        if trap is not None:
            trap.release.set()

    @property
    def deliveries(self) -> list[Delivery]:
        with self.handler.lock:
            return list(self.handler.deliveries)

    def pairs(self) -> Counter[tuple[str, str]]:
        """Each (``X-SP4N-Alert-Key``, recipient) the sink took, with how often."""
        return Counter(
            (delivery.key, recipient)
            for delivery in self.deliveries
            for recipient in delivery.recipients
        )

    def senders(self, pairs: set[tuple[str, str]]) -> list[int | None]:
        """Who delivered these (key, recipient) pairs, once per delivery."""
        return [
            delivery.pid
            for delivery in self.deliveries
            for recipient in delivery.recipients
            if (delivery.key, recipient) in pairs
        ]

    def from_pid(self, pid: int, since: float = 0.0) -> list[Delivery]:
        return [d for d in self.deliveries if d.pid == pid and d.at >= since]

    def set_trap(self, trap: Trap) -> Trap:
        self.handler.trap = trap
        return trap


# -- the simulator ----------------------------------------------------------------------


@contextmanager
def simulator(
    log: Path, *, complaints: int, seed: int = 1, history_days: float = 120.0
) -> Iterator[str]:
    """``syncd simulate --frozen`` (the world's clock stopped, so the alerts it calls for
    are settled once the mirror is), its base URL for the block."""
    port = free_port()
    command = [SYNCD, "simulate", "--listen", f"127.0.0.1:{port}", "--frozen"]
    command += ["--complaints", str(complaints), "--seed", str(seed)]
    command += ["--history-days", str(history_days)]
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out)
        try:

            def listing() -> bool:
                if process.poll() is not None:
                    raise AssertionError(f"the simulator exited:\n{log.read_text()}")
                try:
                    answer = httpx.get(f"{base_url}/complaints?page=1&page_size=1", timeout=5)
                except httpx.TransportError:
                    return False
                return answer.status_code == 200

            wait_until("the simulator listening", listing, 120, every=0.2)
            yield base_url
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


# -- one syncd run ----------------------------------------------------------------------


def office_hours_all_day() -> str:
    """Mail goes out whatever the hour and the day the test runs: office hours from
    midnight to 23:59, and the days around today working days."""
    today = datetime.now(UTC).date()
    days = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    return (
        f"[calendar]\nextra_working_days = {json.dumps(days)}\n\n"
        '[alerts]\nsend_at = "00:00"\noffice_hours_end = "23:59"\ndigest_at = "00:00"\n'
    )


@dataclass(frozen=True)
class Settings:
    database_url: str
    base_url: str
    smtp_port: int
    lease_ttl: float = 4.0
    poll_interval: str = "20s"
    max_mails_per_recipient_per_day: int = 10_000
    extra: str = ""
    """More TOML, appended (tables of its own)."""

    def config(self, metrics_port: int, application_name: str) -> str:
        joiner = "&" if "?" in self.database_url else "?"
        url = f"{self.database_url}{joiner}application_name={application_name}"
        return f"""
[database]
url = "{url}"

[[sources]]
name = "{SOURCE}"
kind = "sp4n-lapor"
base_url = "{self.base_url}"
page_size = 500
poll_interval = "{self.poll_interval}"
# A simulator on loopback, not a gateway: no request budget to keep.
max_requests_per_second = 10000
max_concurrency = 16

{office_hours_all_day()}
max_mails_per_recipient_per_day = {self.max_mails_per_recipient_per_day}

[alerts.smtp]
host = "127.0.0.1"
port = {self.smtp_port}
security = "none"

[[alerts.routes]]
agency = "*"
to = {json.dumps(list(LIAISONS))}
escalate_to = ["{SUPERIOR}"]

[metrics]
listen = "127.0.0.1:{metrics_port}"

[ha]
lease_ttl = "{self.lease_ttl:g}s"
{self.extra}
"""


class Member:
    """One ``syncd run`` of the cluster, its stderr in ``log``. Its database sessions
    carry ``application_name`` (``<prefix>-<name>``), which the server records."""

    def __init__(self, name: str, folder: Path, settings: Settings, prefix: str) -> None:
        self.name = name
        self.application_name = f"{prefix}-{name}"
        self.metrics_port = free_port()
        self.config = folder / f"{name}.toml"
        self.config.write_text(settings.config(self.metrics_port, self.application_name))
        self.log = folder / f"{name}.log"
        self._out: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Member:
        self._out = self.log.open("ab")
        self.process = subprocess.Popen(
            [SYNCD, "run", "-c", str(self.config)],
            stdout=self._out,
            stderr=self._out,
            env={**os.environ, **CREDENTIALS},
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        code = self.process.wait(timeout=timeout)
        if self._out is not None:
            self._out.close()
            self._out = None
        return code

    def readyz(self) -> tuple[int, dict[str, Any]] | None:
        """``/readyz``'s status and body; None while it does not answer."""
        if not self.alive:
            return None
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=2)
        except httpx.HTTPError:
            return None
        try:
            body: dict[str, Any] = answer.json()
        except ValueError:
            return None
        return answer.status_code, body

    def role(self) -> str | None:
        role = self.readyz_field("role")
        return None if role is None else str(role)

    def readyz_field(self, name: str) -> Any:
        ready = self.readyz()
        return None if ready is None else ready[1].get(name)

    def leader_gauge(self) -> float | None:
        try:
            scrape = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        except httpx.HTTPError:
            return None
        for line in scrape.splitlines():
            if line.startswith("sp4n_leader"):
                return float(line.rsplit(" ", 1)[1])
        return None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 40) -> int | None:
        """SIGTERM (SIGCONT first, should it be stopped), then SIGKILL after ``timeout``."""
        if self.process is None:
            return None
        if self.alive:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGTERM)
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.wait(10)


class Cluster:
    """``size`` processes with the same database, source and sink; more may join."""

    def __init__(self, folder: Path, settings: Settings, prefix: str) -> None:
        self.folder = folder
        self.settings = settings
        self.prefix = prefix
        """Of every member's ``application_name``: this cluster's sessions alone."""
        self.members: list[Member] = []
        self.ever: list[int] = []
        """Every pid the cluster started, for the sink's lookup."""

    @property
    def ttl(self) -> float:
        return self.settings.lease_ttl

    def add(self) -> Member:
        name = f"syncd-{len(self.members) + 1}"
        member = Member(name, self.folder, self.settings, self.prefix).start()
        self.members.append(member)
        self.ever.append(member.pid)
        return member

    def alive(self) -> list[Member]:
        return [m for m in self.members if m.alive]

    def leaders(self, among: Sequence[Member] | None = None) -> list[Member]:
        return [m for m in (among or self.alive()) if m.role() == "leader"]

    def wait_for_leader(
        self, timeout: float, among: Sequence[Member] | None = None
    ) -> tuple[Member, float]:
        """The one member that says it leads (among ``among``, default: every live
        one), and the monotonic instant it was first seen to."""
        found: list[Member] = []

        def one_leads() -> bool:
            found[:] = self.leaders(among)
            return len(found) == 1

        at = wait_until("one leader", one_leads, timeout)
        return found[0], at

    def roles(self) -> dict[str, str | None]:
        return {m.name: m.role() for m in self.alive()}

    def logs(self) -> str:
        return "\n".join(
            f"--- {m.name} (pid {m.pid})\n{m.log_text()[-6000:]}" for m in self.members
        )

    def stop(self) -> None:
        for member in self.members:
            member.stop()


@contextmanager
def cluster(
    folder: Path,
    database_url: str,
    *,
    prefix: str,
    size: int,
    complaints: int,
    lease_ttl: float,
    seed: int = 1,
    **settings: Any,
) -> Iterator[tuple[Cluster, Sink]]:
    """The simulator, the sink and ``size`` processes started; all stopped at the end."""
    with ExitStack() as stack:
        base_url = stack.enter_context(
            simulator(folder / "simulator.log", complaints=complaints, seed=seed)
        )
        holder: list[Cluster] = []
        sink = stack.enter_context(Sink(lambda: holder[0].ever if holder else []))
        group = Cluster(
            folder,
            Settings(database_url, base_url, sink.port, lease_ttl=lease_ttl, **settings),
            prefix,
        )
        holder.append(group)
        stack.callback(group.stop)
        stack.callback(sink.release)
        for _ in range(size):
            group.add()
        yield group, sink
