"""High availability on PostgreSQL (CONTRACT.md section 8): how long a failover takes,
and what the fence costs, in one run.

1. Failover: two ``syncd run`` processes on one PostgreSQL schema with
   ``[ha] lease_ttl = "10s"``, ``syncd simulate --frozen`` (``--complaints``, 5,000)
   and an aiosmtpd sink in this process, which tells each mail's sender by its
   connection (``tests/support/cluster.py``). ``--kills`` (20) times: the leader is
   caught with a mail in flight (held at the sink), a fresh process is started and
   waits as a standby, and after a random 0 to TTL seconds (so that the kill lands at
   any moment of the lease's renewal and of the standby's look) the leader is
   SIGKILLed. Failover time = the kill to the first
   mail the sink accepts from another process; also the kill to that process's
   ``/readyz`` saying "leader". p50 and max of each. Goal: max <= 2 x TTL.
2. The fence's cost on the sync backfill: ``SyncPass.run()`` of ``--sync-complaints``
   (10,000) into a fresh schema, as the leader's jobs run it (the alert planner
   watching), once on an engine with the fence installed (a lease taken and renewed
   by a thread every TTL/3, as ``syncd.daemon.replica`` does) and once on a plain
   engine, the same PostgreSQL server; ``--rounds`` (3) each, alternating after a
   warm-up; complaints/s, median; fenced/plain. Goal: >= 0.95.
3. The fence's cost on mail: the outbox a backfill left (about 2,350 mails to four
   recipients) sent by ``Dispatcher.run`` to aiosmtpd's ``Sink`` in a process of its
   own: ``fenced`` as the leader sends (the claim carries the fencing number, every
   transaction is fenced, each mail's claim and lease confirmed just before it goes),
   ``fence-only`` (the same without the confirmation before each mail, to tell the two
   costs apart) and ``plain``; the sent rows put back to pending between rounds;
   ``--mail-rounds`` (5) of each, rotating, after a warm-up; mails/s, median; each
   over plain. Goal: fenced/plain >= 0.95.

"No HA" is the same code on the same server without the lease: the daemon offers no
switch to turn fencing off on PostgreSQL (every ``syncd run`` there leads or stands
by), so parts 2 and 3 build the leader's jobs in this process, as the daemon wires
them, with and without ``Fence``; SQLite would compare two databases, not the fence.
The machine is small and shared; nothing is asserted, the figures are printed.

    .venv/bin/python bench/ha.py [--kills 20] [--ttl 10] [--complaints 5000]
        [--sync-complaints 10000] [--rounds 3] [--mail-rounds 5] [--skip-failover]
        [--skip-fence]
        [--json out.json]
"""

# ruff: noqa: E402  (the path is mended before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# bench/ leads sys.path when run as a script, and bench/alerts.py would stand in for
# syncd's alerts package; the repository's root comes first instead, for tests.support.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

import argparse
import json
import platform
import random
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, text

from syncd.config import Config
from syncd.store import make_engine, upgrade
from syncd.store.lease import Fence, Lease
from syncd.sync import SyncPass
from syncd.wiring import alert_service, open_connector
from tests.support.cluster import LIAISONS, SUPERIOR, Trap, cluster, simulator, wait_until

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# -- shared ---------------------------------------------------------------------------


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A schema of its own on the server, upgraded; its URL; dropped afterwards."""
    schema = f"bench_ha_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = f"{url}?options={quote(f'-csearch_path={schema}')}"
    try:
        engine = make_engine(scoped)
        upgrade(engine)
        engine.dispose()
        yield scoped
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# -- 1. failover ------------------------------------------------------------------------


@dataclass(frozen=True)
class Failover:
    to_mail: float
    to_lead: float


def failovers(url: str, kills: int, ttl: float, complaints: int) -> list[Failover]:
    measured: list[Failover] = []
    phases = random.Random(16)
    with (
        tempfile.TemporaryDirectory(prefix="bench-ha-") as folder,
        cluster(
            Path(folder), url, prefix="bench-ha", size=2, complaints=complaints, lease_ttl=ttl
        ) as (group, sink),
    ):
        leader, _ = group.wait_for_leader(180)
        wait_until("the first mail", lambda: bool(sink.from_pid(leader.pid)), 300)
        for n in range(kills):
            trap = sink.set_trap(Trap(leader.pid, after=2))
            wait_until(f"kill {n + 1}: {leader.name} mid-dispatch", trap.held.is_set, 120)
            if len(group.alive()) < 2:
                joined = group.add()
                wait_until("a standby", lambda j=joined: j.role() == "standby", 120)  # type: ignore[misc]
            survivors = [m for m in group.alive() if m is not leader]
            # A random moment of the lease's renewal period and of the standby's look
            # period: without it every kill would land just after the standby started.
            threading.Event().wait(phases.uniform(0, ttl))
            killed_at = time.monotonic()
            leader.signal(signal.SIGKILL)
            leader.wait(10)
            sink.release()
            successor, led_at = group.wait_for_leader(6 * ttl, among=survivors)
            wait_until(
                "mail from the new leader",
                lambda s=successor, k=killed_at: bool(sink.from_pid(s.pid, k)),  # type: ignore[misc]
                6 * ttl,
                every=0.01,
            )
            first = sink.from_pid(successor.pid, killed_at)[0].at
            measured.append(Failover(first - killed_at, led_at - killed_at))
            print(
                f"  kill {n + 1:2d}: leads after {led_at - killed_at:5.2f} s, "
                f"first mail after {first - killed_at:5.2f} s",
                flush=True,
            )
            leader = successor
        pairs = sink.pairs()
        twice = sum(1 for count in pairs.values() if count > 1)
        print(f"  {len(sink.deliveries):,} mails at the sink, {twice} (key, recipient) twice")
    return measured


# -- 2. and 3. the fence ----------------------------------------------------------------


def bench_config(url: str, base_url: str, smtp_port: int) -> Config:
    return Config.model_validate(
        {
            "database": {"url": url},
            "sources": [
                {
                    "name": "lapor",
                    "kind": "sp4n-lapor",
                    "base_url": base_url,
                    "api_key": "bench",
                    "token": "bench",
                    "page_size": 500,
                    "max_requests_per_second": 10_000,
                    "max_concurrency": 16,
                }
            ],
            "alerts": {
                "max_mails_per_recipient_per_day": 10_000,
                "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none"},
                "routes": [{"agency": "*", "to": list(LIAISONS), "escalate_to": [SUPERIOR]}],
            },
        }
    )


class Leading:
    """This process holding the lease of ``url``, renewed every TTL/3 by a thread, and
    the jobs' engine fenced by it, as ``syncd.daemon.replica`` wires the leader."""

    def __init__(self, url: str, ttl: timedelta = timedelta(seconds=10)) -> None:
        self.lease_engine = make_engine(url)
        self.lease = Lease(self.lease_engine, ttl)
        if self.lease.try_lead() is None:
            raise SystemExit("the lease of a fresh schema could not be taken")
        self.jobs = make_engine(url)
        self.fence = Fence(self.lease)
        self.fence.install(self.jobs)
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.lease.ttl.total_seconds() / 3):
            if not self.lease.renew():
                raise SystemExit("the lease was lost during the benchmark")

    def ha(self) -> dict[str, Any]:
        return {"fencing": lambda: self.lease.fencing, "lease_fresh": self.lease.fresh}

    def close(self) -> None:
        self._stop.set()
        self._renewer.join()
        self.lease.release()
        self.jobs.dispose()
        self.lease_engine.dispose()


Variant = str
"""``plain`` (no lease, as without HA), ``fenced`` (as the leader runs: every
transaction fenced, and for mail each send confirmed first), or ``fence-only`` (mail:
the fence on every transaction, no confirmation before each send)."""


@contextmanager
def jobs_engine(
    url: str, variant: Variant
) -> Iterator[tuple[Engine, dict[str, Any], Fence | None]]:
    """The engine the leader's jobs write with, the dispatcher's HA options, the fence."""
    if variant == "plain":
        engine = make_engine(url)
        try:
            yield engine, {}, None
        finally:
            engine.dispose()
        return
    leading = Leading(url)
    ha = leading.ha() if variant == "fenced" else {"fencing": lambda: leading.lease.fencing}
    try:
        yield leading.jobs, ha, leading.fence
    finally:
        leading.close()


def backfill(url: str, base_url: str, smtp_port: int, variant: Variant) -> tuple[float, int, int]:
    """Seconds of one backfill, the complaints written, the fence checks made."""
    config = bench_config(url, base_url, smtp_port)
    with jobs_engine(url, variant) as (engine, ha, fence):
        service = alert_service(config, engine, any_hour=True, **ha)
        with open_connector(config.sources[0]) as connector:
            started = time.perf_counter()
            stats = SyncPass(engine, connector, "lapor", clocks=service.keeper).run()
            seconds = time.perf_counter() - started
    if not stats.ok:
        raise SystemExit(f"the backfill failed: {stats.result}")
    return seconds, stats.written, fence.checks if fence else 0


def reset_outbox(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE alert_outbox SET status = 'pending', sent_at = NULL, attempts = 0, "
                "claim_token = NULL, claimed_until = NULL, claim_fencing = NULL, "
                "next_attempt_at = now() WHERE status = 'sent'"
            )
        )
    engine.dispose()


def dispatch(url: str, base_url: str, smtp_port: int, variant: Variant) -> tuple[float, int, int]:
    """Seconds to send the outbox, the mails sent, the fence checks made."""
    reset_outbox(url)
    config = bench_config(url, base_url, smtp_port)
    with jobs_engine(url, variant) as (engine, ha, fence):
        service = alert_service(config, engine, any_hour=True, **ha)
        started = time.perf_counter()
        done = service.dispatcher.run(lambda: datetime.now(UTC))
        seconds = time.perf_counter() - started
    return seconds, sum(done.sent.values()), fence.checks if fence else 0


def start_sink() -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    wait_until("the aiosmtpd sink", listening, 30)
    return proc, port


def alternate(
    rounds: int,
    variants: tuple[Variant, ...],
    run: Callable[[Variant], tuple[float, int, int]],
    what: str,
) -> dict[str, Any]:
    """A warm-up of each variant, then ``rounds`` of each, the order rotating; per
    variant the median rate and fence checks per item, and each ratio to plain."""
    rates: dict[Variant, list[float]] = {v: [] for v in variants}
    checks: dict[Variant, list[float]] = {v: [] for v in variants}
    for n in range(rounds + 1):
        order = variants[n % len(variants) :] + variants[: n % len(variants)]
        for variant in order:
            seconds, count, fence_checks = run(variant)
            print(f"  {what} {variant:10s} round {n}: {count:,} in {seconds:.2f} s", flush=True)
            if n > 0:
                rates[variant].append(count / seconds)
                checks[variant].append(fence_checks / max(1, count))
    plain = statistics.median(rates["plain"])
    figures: dict[str, Any] = {"rounds": rounds}
    for variant in variants:
        rate = statistics.median(rates[variant])
        figures[variant] = {
            "per_s": round(rate, 1),
            "ratio_to_plain": round(rate / plain, 3),
            "fence_checks_per_item": round(statistics.median(checks[variant]), 2),
        }
    return figures


def fence_costs(pg: str, complaints: int, rounds: int, mail_rounds: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    sink, smtp_port = start_sink()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-ha-") as folder,
            simulator(Path(folder) / "simulator.log", complaints=complaints) as base_url,
        ):

            def one_backfill(variant: Variant) -> tuple[float, int, int]:
                with fresh_schema(pg) as url:
                    return backfill(url, base_url, smtp_port, variant)

            figures["sync"] = alternate(rounds, ("plain", "fenced"), one_backfill, "backfill")
            with fresh_schema(pg) as url:
                backfill(url, base_url, smtp_port, "plain")
                figures["mail"] = alternate(
                    mail_rounds,
                    ("plain", "fence-only", "fenced"),
                    lambda variant: dispatch(url, base_url, smtp_port, variant),
                    "mail",
                )
    finally:
        sink.terminate()
        sink.wait(10)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--ttl", type=float, default=10.0)
    parser.add_argument("--complaints", type=int, default=5_000)
    parser.add_argument("--sync-complaints", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mail-rounds", type=int, default=5)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--skip-failover", action="store_true")
    parser.add_argument("--skip-fence", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}",
    }
    if not args.skip_failover:
        print(f"1. failover: {args.kills} kills, lease_ttl {args.ttl:g} s", flush=True)
        with fresh_schema(args.postgres_url) as url:
            measured = failovers(url, args.kills, args.ttl, args.complaints)
        to_mail = [m.to_mail for m in measured]
        to_lead = [m.to_lead for m in measured]
        figures["failover"] = {
            "ttl": args.ttl,
            "kills": len(measured),
            "to_mail_p50": round(statistics.median(to_mail), 2),
            "to_mail_p90": round(percentile(to_mail, 0.9), 2),
            "to_mail_max": round(max(to_mail), 2),
            "to_lead_p50": round(statistics.median(to_lead), 2),
            "to_lead_max": round(max(to_lead), 2),
        }
        print(json.dumps(figures["failover"]))
    if not args.skip_fence:
        print("2./3. the fence's cost, fenced against plain", flush=True)
        figures.update(
            fence_costs(args.postgres_url, args.sync_complaints, args.rounds, args.mail_rounds)
        )
        print(json.dumps({k: figures[k] for k in ("sync", "mail")}))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
