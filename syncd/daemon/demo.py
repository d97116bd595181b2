"""``syncd demo``: the whole service on embedded defaults (CONTRACT.md section 4).

The built-in simulator in-process, serving what real gateways serve (the
``v3-observed`` profile: no listing), SQLite in ``./syncd-demo/``, mail written as
``.eml`` files under ``./syncd-demo/mail/`` at any hour, metrics on 127.0.0.1:9477.
Like a real agency on day one, the demo first imports the agency's recap
spreadsheet (written by the simulator into ``./syncd-demo/``) with ``syncd track
import``; the service then finds the gateway has no listing and mirrors the tracked
complaints. Each run starts from an empty ``./syncd-demo/``; the configuration it runs
on is written there too, so that ``syncd status`` and ``syncd alerts outbox`` can look
in. The demo takes its database's lock before it empties the folder: a second demo in
the same folder stops there, naming the first, and leaves the folder alone.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_binary_file
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from sqlalchemy import Engine

from connectors.simulator.recap import write_recap
from syncd.config import Config, load_config
from syncd.daemon.foreground import Foreground
from syncd.daemon.notify import Notifier
from syncd.daemon.status import read_status
from syncd.store import make_engine, upgrade
from syncd.store.holder import DatabaseInUse, FileLock, Holder
from syncd.store.tracked import Origin, track
from syncd.sync.id_import import read_ids
from syncd.wiring import simulated_world

DEMO = Path("syncd-demo")
MAIL = DEMO / "mail"
CONFIG = DEMO / "syncd.toml"
RECAP = DEMO / "rekap-laporan.xlsx"
SOURCE = "demo"


def config_text(database: Path, listen: str, complaints: int) -> str:
    return f"""# Written by `syncd demo`: the embedded defaults it runs on.
[database]
url = "sqlite:///{database}"

[[sources]]
name = "{SOURCE}"
kind = "simulator"                           # the built-in SP4N-LAPOR! simulator, in-process
profile = "v3-observed"                      # as real gateways: no listing, ids are tracked
complaints = {complaints}
poll_interval = "20s"

[alerts]
# Where each mail's link points: the complaint in the platform's admin app.
complaint_url_template = "https://lapor.example.go.id/admin/pengaduan/{{tracking_id}}"
max_mails_per_recipient_per_day = 20         # the rest of a day's alerts: one summary mail

[[alerts.routes]]
agency = "*"
to = ["penghubung@demo.example.go.id"]
escalate_to = ["atasan@demo.example.go.id"]
digest = true

[metrics]
listen = "{listen}"
"""


def run_demo(console: Console, *, duration: timedelta | None, listen: str, complaints: int) -> int:
    DEMO.mkdir(exist_ok=True)
    database = (DEMO / "syncd.db").resolve()
    try:
        lock = FileLock(database, Holder.this_process(datetime.now(UTC)))
    except DatabaseInUse as exc:
        console.print(
            f"{exc}\nanother demo runs in {DEMO.resolve()}: stop it first, or run this "
            "one from another folder",
            style="red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return 1
    with lock:
        empty_but(DEMO, lock.path)
        return _run_demo(console, lock, database, duration, listen, complaints)


def empty_but(folder: Path, keep: Path) -> None:
    """Removes what ``folder`` holds, but ``keep`` (the lock, which must stay the file
    a second demo locks)."""
    for entry in folder.iterdir():
        if entry.resolve() == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _run_demo(
    console: Console,
    lock: FileLock,
    database: Path,
    duration: timedelta | None,
    listen: str,
    complaints: int,
) -> int:
    MAIL.mkdir(parents=True)
    CONFIG.write_text(config_text(database, listen, complaints))
    config = load_config(CONFIG, environ={})
    engine = make_engine(config.database.url)
    upgrade(engine)
    import_recap(console, config, engine)
    base = f"http://{listen}"
    stop = f"stops by itself after {duration}" if duration else "Ctrl-C stops it"
    console.print(
        Panel.fit(
            f"[bold]syncd demo[/bold]: the service on embedded defaults; {stop}.\n\n"
            f"platform  the built-in SP4N-LAPOR! simulator, {complaints:,} complaints, no "
            "listing (as real gateways)\n"
            f"mirror    {DEMO}/syncd.db\n"
            f"mail      {MAIL}/*.eml (sent at any hour, for the demo)\n"
            f"metrics   {base}/metrics (and /healthz, /readyz)\n"
            f"status    syncd status -c {CONFIG}\n"
            f"outbox    syncd alerts outbox -c {CONFIG}",
            title="where to look",
        )
    )

    def show(status: str) -> None:
        console.print(f"[dim]{datetime.now(UTC):%H:%M:%S}[/dim] {status}")

    notifier = Notifier(environ={})
    try:
        code = Foreground(
            config,
            engine,
            notifier,
            mail_dir=MAIL,
            any_hour=True,
            duration=duration,
            on_status=show,
            lock=lock,
        ).run(on_ready=lambda daemon: console.print("running: first sync and mail under way"))
        with engine.connect() as connection:
            summary = read_status(connection, config, datetime.now(UTC))
    finally:
        engine.dispose()
    kinds = mail_by_kind(MAIL)
    clocks = summary["clocks_running"]
    console.print(
        f"\nmirrored {summary['complaints']['total']:,} complaints; running clocks: "
        + ", ".join(f"{state} {n:,}" for state, n in clocks.items())
        + f"\nmail written to {MAIL}/: "
        + (", ".join(f"{n:,} {kind}" for kind, n in sorted(kinds.items())) or "none yet")
    )
    return code


def import_recap(console: Console, config: Config, engine: Engine) -> None:
    """The agency's first step: its recap spreadsheet into the tracked ids."""
    source = config.sources[0]
    written = write_recap(simulated_world(source), RECAP)
    console.print(
        f"the agency's recap of its complaints: {RECAP} ({written:,} rows, written by "
        "the simulator)\n"
        f"step 1, as an agency on day one: [bold]syncd track import -c {CONFIG} {RECAP}[/bold]"
    )
    found = read_ids(RECAP)
    rows = [(upstream_id, Origin("import", RECAP.name, row)) for row, upstream_id in found.ids]
    with engine.begin() as connection:
        added = track(connection, source.name, rows, datetime.now(UTC))
    console.print(
        f"  {RECAP.name} (column {found.column!r}) into {source.name}: {len(added):,} added, "
        f"{len(found.rejected):,} rejected"
    )


def mail_by_kind(folder: Path) -> Counter[str]:
    """The mail written so far, by threshold (warn-2, warn-0, breach, escalate), and
    the day's digests and summaries."""
    kinds: Counter[str] = Counter()
    for path in folder.glob("*.eml"):
        with path.open("rb") as file:
            key = message_from_binary_file(file).get("X-SP4N-Alert-Key", "")
        whole_day = key.split("/", 1)[0]  # digest/… and summary/…: one mail a day
        kinds[whole_day if whole_day in ("digest", "summary") else key.rsplit("/", 1)[-1]] += 1
    return kinds
