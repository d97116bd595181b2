"""What delivering alert mail costs: 10,000 alerts to a loopback SMTP server, in one run.

A SQLite mirror is built in a temporary directory with ``--alerts`` complaints, each
long past its followup deadline and written through syncd's own sync writer with the
alert planner watching, so the outbox holds one pending escalation per complaint (one
recipient, completion alerts off; the thresholds it supersedes are skipped rows).
The file is copied for each round, so every round sends the same rows from the same
start.

The SMTP server is aiosmtpd's ``Sink`` handler in a process of its own on 127.0.0.1
(it accepts and discards), so the server does not share the dispatcher's interpreter.

1. ``reuse``: ``Dispatcher.run`` as the service runs it: batches of ``--batch`` rows,
   one SMTP connection per batch, each row marked sent in its own transaction.
2. ``per-mail``: the same dispatcher, the same batches, but a new SMTP connection
   (connect, EHLO, QUIT) for every message.
3. ``raw``: the ceiling: the same number of prebuilt messages sent with plain
   ``smtplib`` over one connection, no database, no templates.

Rounds alternate the order of 1 and 2 after a warm-up. Figures: mails/s of each
(median over rounds), and the ratios reuse/per-mail and reuse/raw. Each round checks
that no outbox row is left pending (asserted); nothing else is asserted.

    .venv/bin/python bench/alerts.py [--alerts 10000] [--batch 100] [--rounds 3]
        [--json out.json]
"""

# ruff: noqa: E402  (the path is mended before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# This file is bench/alerts.py, and Python puts its folder first on the path: without
# this, "import alerts" would find this script instead of syncd's alerts package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse
import json
import os
import platform
import shutil
import smtplib
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from types import TracebackType
from typing import Any, Self

from sqlalchemy import func, select

from alerts.mailers import Mailer, SmtpMailer
from connectors.records import (
    CanonicalStatus,
    ComplaintDetail,
    ComplaintSummary,
    InstitutionRef,
    Status,
    StatusLogEntry,
)
from syncd.config import Config
from syncd.store import make_engine, upgrade
from syncd.store.tables import OUTBOX
from syncd.store.write import Batch, write_batch
from syncd.wiring import alert_service, clock_keeper, smtp_settings

AGENCY = 4251
RECIPIENT = "penghubung@example.go.id"
STARTED = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # long before the run: all breached


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_sink(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the aiosmtpd sink did not start")


def config_for(database: Path, port: int) -> Config:
    return Config.model_validate(
        {
            "database": {"url": f"sqlite:///{database}"},
            "sources": [{"name": "bench", "kind": "simulator"}],
            "clocks": {"completion": {"alert": False}},
            "alerts": {
                "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
                "routes": [{"agency": "*", "to": [RECIPIENT], "digest": False}],
            },
        }
    )


def detail(n: int) -> ComplaintDetail:
    def status(canonical: CanonicalStatus) -> Status:
        return Status(list(CanonicalStatus).index(canonical), canonical.value, canonical)

    holder = InstitutionRef(AGENCY, "Pemerintah Kabupaten Sekadau")
    logs = (
        StatusLogEntry(1, STARTED, status(CanonicalStatus.SUBMITTED),
                       status(CanonicalStatus.DISPOSITIONED), None, holder, ""),
    )  # fmt: skip
    summary = ComplaintSummary(
        id=1_000_000 + n,
        tracking_id=f"LAP{1_000_000 + n}",
        title=f"Jalan rusak nomor {n}",
        status=status(CanonicalStatus.DISPOSITIONED),
        classification="Pengaduan",
        category_name="Infrastruktur",
        disposition=holder,
        is_secret=n % 10 == 0,
        is_anonymous=False,
        created_at=STARTED,
        updated_at=STARTED,
    )
    return ComplaintDetail(summary, "Mohon segera diperbaiki. " * 8, "Sekadau", None, logs, ())


def build(database: Path, port: int, count: int) -> int:
    config = config_for(database, port)
    engine = make_engine(config.database.url)
    upgrade(engine)
    keeper = clock_keeper(config)
    now = datetime.now(UTC)
    for start in range(0, count, 1000):
        with engine.begin() as connection:
            batch = Batch(details=[detail(n) for n in range(start, min(count, start + 1000))])
            write_batch(connection, "bench", batch, now, keeper)
    with engine.connect() as connection:
        pending = connection.execute(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == "pending")
        ).scalar_one()
    engine.dispose()
    return int(pending)


class PerMessage:
    """A mailer that opens a new SMTP connection for every message."""

    def __init__(self, open_one: Callable[[], SmtpMailer]) -> None:
        self.open_one = open_one

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def send(self, message: Message, envelope_from: str, recipient: str) -> None:
        with self.open_one() as mailer:
            mailer.send(message, envelope_from, recipient)


def dispatch(template: Path, workdir: Path, port: int, batch: int, per_mail: bool) -> float:
    database = workdir / ("per-mail.db" if per_mail else "reuse.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)
    config = config_for(database, port)
    engine = make_engine(config.database.url)
    service = alert_service(config, engine, any_hour=True, batch_size=batch)
    dispatcher = service.dispatcher
    if per_mail:
        smtp = smtp_settings(config.alerts.smtp)

        def mailer() -> Mailer:
            return PerMessage(lambda: SmtpMailer(smtp))

        dispatcher = replace(dispatcher, mailer=mailer)
    started = time.perf_counter()
    result = dispatcher.run(lambda: datetime.now(UTC))
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        left = connection.execute(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == "pending")
        ).scalar_one()
    engine.dispose()
    assert left == 0, f"{left} rows still pending: {result}"
    assert result.temporary == 0, f"temporary failures: {result}"
    return result.total_sent / elapsed


def raw(port: int, count: int) -> float:
    messages = []
    for n in range(count):
        message = EmailMessage()
        message["From"] = "SP4N Monitor <sp4n-monitor@example.go.id>"
        message["To"] = RECIPIENT
        message["Subject"] = f"[SP4N-LAPOR] LAP{n} batas waktu tindak lanjut terlampaui"
        message.set_content("Batas waktu tindak lanjut aduan berikut telah terlampaui.\n" * 12)
        messages.append(message)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message in messages:
            smtp.send_message(message)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    port = free_port()
    sink = start_sink(port)
    workdir = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    try:
        template = workdir / "template.db"
        print(f"building a mirror with {args.alerts:,} pending alerts …", flush=True)
        pending = build(template, port, args.alerts)
        assert pending == args.alerts, f"{pending} pending alerts, not {args.alerts}"
        print("warm-up …", flush=True)
        dispatch(template, workdir, port, args.batch, per_mail=False)
        figures: dict[str, list[float]] = {"reuse": [], "per-mail": [], "raw": []}
        for round_no in range(args.rounds):
            order = [False, True] if round_no % 2 == 0 else [True, False]
            for per_mail in order:
                rate = dispatch(template, workdir, port, args.batch, per_mail)
                figures["per-mail" if per_mail else "reuse"].append(rate)
                print(f"  round {round_no + 1}: {'per-mail' if per_mail else 'reuse'} "
                      f"{rate:,.0f} mails/s", flush=True)  # fmt: skip
            figures["raw"].append(raw(port, args.alerts))
            print(f"  round {round_no + 1}: raw {figures['raw'][-1]:,.0f} mails/s", flush=True)
    finally:
        sink.terminate()
        sink.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in figures.items()}
    result: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "alerts": args.alerts,
        "batch": args.batch,
        "rounds": figures,
        "median_mails_per_s": median,
        "reuse_over_per_mail": median["reuse"] / median["per-mail"],
        "reuse_over_raw": median["reuse"] / median["raw"],
    }
    print(
        f"\n{args.alerts:,} alerts, batches of {args.batch} ({result['machine']}):\n"
        f"  connection reused per batch : {median['reuse']:>8,.0f} mails/s\n"
        f"  one connection per mail     : {median['per-mail']:>8,.0f} mails/s\n"
        f"  raw smtplib, one connection : {median['raw']:>8,.0f} mails/s\n"
        f"  reuse / per-mail            : {result['reuse_over_per_mail']:>8.2f}\n"
        f"  reuse / raw                 : {result['reuse_over_raw']:>8.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
