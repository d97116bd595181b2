"""Scrape latency of ``/metrics`` with 700 agencies, at 10,000 and 1,000,000 complaints.

Two synthetic mirrors (``bench/clocks_mirror.py``, complaints spread over
``--agencies`` agencies, their institutions recorded; the complaints counted as the
upgrade to the totals counts an existing mirror) get their clocks derived by the
real ``ClockKeeper.recompute``, which keeps the running totals as every write does.
The totals are then checked against a full recount. Each mirror gets the real
metrics endpoint (``syncd.metrics``: mirror collector, instruments, HTTP server on
loopback), refreshed once; then scrapes alternate between the two, each a full
``GET /metrics`` read to the end over a new connection, after a warm-up.

Figures: median and 90th percentile scrape latency per mirror, and big/small, the
ratio of the medians (goal: median under 50 ms, ratio <= 1.2). Beside them, the same
server's ``GET /healthz`` (the HTTP floor), the refresh (the read of the totals and
rendering, which the daemon runs after each job, not per scrape), and the size of a
scrape. Nothing is asserted but the totals' correctness.

    .venv/bin/python bench/metrics.py [--small 10000] [--big 1000000] [--agencies 700]
        [--scrapes 60] [--workdir DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

# Run as a script, bench/ leads sys.path and its alerts.py would stand in for the
# alerts package that syncd.metrics imports: drop it, and load the sibling by path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.modules.pop("alerts", None)

from syncd.clock.calendar import WorkingCalendar  # noqa: E402
from syncd.clock.policy import ClockPolicy  # noqa: E402
from syncd.metrics import Instruments, MetricsServer, MirrorCollector  # noqa: E402
from syncd.metrics.server import Endpoints, Readiness  # noqa: E402
from syncd.metrics.snapshot import MirrorSettings  # noqa: E402
from syncd.store import make_engine, tally  # noqa: E402
from syncd.store.clocks import ClockKeeper, recompute  # noqa: E402
from syncd.store.tables import INSTITUTIONS  # noqa: E402


def _sibling(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


clocks_mirror = _sibling("clocks_mirror")

NOW = datetime.fromisoformat("2026-06-15T03:00:00+00:00")
SOURCE = clocks_mirror.SOURCE


@dataclass
class Served:
    label: str
    complaints: int
    engine: Engine
    mirror: MirrorCollector
    server: MetricsServer
    figures: dict[str, Any] = field(default_factory=dict)
    scrapes: list[float] = field(default_factory=list)
    health: list[float] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


def build(label: str, complaints: int, agencies: dict[int, str], workdir: Path) -> Served:
    path = workdir / f"{label}.db"
    for stale in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        stale.unlink(missing_ok=True)
    print(f"{label}: building {complaints:,} complaints over {len(agencies)} agencies ...")
    built = clocks_mirror.build_mirror(path, complaints, NOW, seed=7, samples=set())
    engine = make_engine(built.url)
    with engine.begin() as connection:
        connection.execute(
            INSTITUTIONS.insert(),
            [
                {"source": SOURCE, "upstream_id": i, "name": n, "parent_id": None, "synced_at": NOW}
                for i, n in agencies.items()
            ],
        )
        # The builder writes complaints straight with sqlite3, not through the sync's
        # writer: count them as the upgrade to the totals does an existing mirror.
        tally.rebuild(connection)
    keeper = ClockKeeper(ClockPolicy(), WorkingCalendar())
    started = time.perf_counter()
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % 100_000 < n:
            print(f"{label}: clocks derived for {done[0]:,} complaints", flush=True)

    derived = recompute(keeper, engine, NOW, apply=True, progress=progress)
    derive_s = time.perf_counter() - started
    started = time.perf_counter()
    with engine.connect() as connection:
        kept, counted = tally.kept(connection), tally.recount(connection)
    recount_s = time.perf_counter() - started
    assert kept.complaints == +counted.complaints, f"{label}: complaint totals differ"
    assert kept.clocks == +counted.clocks, f"{label}: clock totals differ"
    assert kept.earliest_due == counted.earliest_due, f"{label}: earliest due differs"
    print(
        f"{label}: {derived.clocks:,} clocks in {derive_s:.0f} s; the kept totals equal "
        f"a recount ({recount_s:.1f} s to recount)",
        flush=True,
    )
    settings = MirrorSettings(sources=[SOURCE], agencies={})
    mirror = MirrorCollector(engine, settings, clock=lambda: NOW)
    registry = CollectorRegistry()
    Instruments(registry, [SOURCE])
    readiness = Readiness(engine, {}, clock=lambda: NOW)
    server = MetricsServer(Endpoints(mirror, registry, readiness), "127.0.0.1", 0).start()
    served = Served(label, complaints, engine, mirror, server)
    served.figures.update(
        complaints=complaints,
        clocks=derived.clocks,
        derive_s=derive_s,
        recount_s=recount_s,
        db_mb=path.stat().st_size / 2**20,
    )
    return served


def refresh(served: Served, rounds: int = 7) -> None:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        snapshot = served.mirror.refresh()
        times.append(time.perf_counter() - started)
    served.figures.update(
        refresh_ms=statistics.median(times) * 1000,
        scrape_kb=len(served.mirror.rendered) / 1024,
        series=served.mirror.rendered.count(b"\nsp4n_") + 1,
        agencies=len(snapshot.agencies),
    )


CLIENT = httpx.Client()
"""One client for every request: making one costs more than a scrape. The server
speaks HTTP/1.0, so each request still opens a connection of its own, as Prometheus's
would after the server closes it."""


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with CLIENT.stream("GET", url) as response:
        for _ in response.iter_bytes():
            pass
        assert response.status_code == 200, response.status_code
    return time.perf_counter() - started


def scrape_rounds(small: Served, big: Served, scrapes: int) -> None:
    for served in (small, big):  # warm-up: connections, caches, the first render
        for _ in range(3):
            timed_get(f"{served.base}/metrics")
    for i in range(scrapes):
        pair = (small, big) if i % 2 == 0 else (big, small)
        for served in pair:
            served.scrapes.append(timed_get(f"{served.base}/metrics"))
            served.health.append(timed_get(f"{served.base}/healthz"))
    for served in (small, big):
        ordered = sorted(served.scrapes)
        served.figures.update(
            scrape_median_ms=statistics.median(ordered) * 1000,
            scrape_p90_ms=ordered[int(0.9 * (len(ordered) - 1))] * 1000,
            healthz_median_ms=statistics.median(served.health) * 1000,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--scrapes", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="syncd-bench-metrics-"))
    workdir.mkdir(parents=True, exist_ok=True)
    agencies = clocks_mirror.use_agencies(args.agencies)
    small = build("small", args.small, agencies, workdir)
    big = build("big", args.big, agencies, workdir)
    try:
        for served in (small, big):
            refresh(served)
        scrape_rounds(small, big, args.scrapes)
    finally:
        for served in (small, big):
            served.server.close()
    ratio = big.figures["scrape_median_ms"] / small.figures["scrape_median_ms"]
    refresh_ratio = big.figures["refresh_ms"] / small.figures["refresh_ms"]
    for served in (small, big):
        f = served.figures
        print(
            f"{served.label}: {f['complaints']:,} complaints, {f['agencies']} agencies, "
            f"{f['series']:,} series ({f['scrape_kb']:,.0f} KB): scrape median "
            f"{f['scrape_median_ms']:.1f} ms, p90 {f['scrape_p90_ms']:.1f} ms; /healthz "
            f"{f['healthz_median_ms']:.1f} ms; refresh {f['refresh_ms']:.0f} ms"
        )
    print(f"scrape big/small {ratio:.2f} (goal <= 1.2); refresh big/small {refresh_ratio:.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "python": sys.version.split()[0],
                    "machine": platform.machine(),
                    "small": small.figures,
                    "big": big.figures,
                    "scrape_ratio": ratio,
                    "refresh_ratio": refresh_ratio,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
