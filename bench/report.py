"""How long ``syncd report`` takes over a million complaints, beside a raw SQL scan.

Uses a mirror built by ``bench/metrics.py`` (``--mirror big.db``: 1,000,000 synthetic
complaints over 700 agencies, clocks derived), or builds one the same way
(``--build N``: N complaints, written to ``--mirror``, kept for the next run). Then,
each ``--rounds`` times: the report's figures for the year (``build_report``, the
one pass over the clocks started in the period), each format rendered from them,
one agency alone, and a raw baseline (just before and just after the figures, their
mean taken): one ``GROUP BY`` in SQLite counting the same
clocks by agency, kind and outcome, without states, months, response times, names or
the list of complaints overdue. The ratio of the two is the figure to watch (the
machine's speed cancels out of it).

    .venv/bin/python bench/report.py --mirror /tmp/bm-full/big.db [--rounds 3] [--json out.json]
    .venv/bin/python bench/report.py --mirror /tmp/report-200k.db --build 200000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/alerts.py would stand in for the alerts package: keep bench/ off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from syncd.clock.calendar import WorkingCalendar  # noqa: E402
from syncd.clock.policy import ClockPolicy  # noqa: E402
from syncd.report.figures import ReportSettings, build_report  # noqa: E402
from syncd.report.html import to_html  # noqa: E402
from syncd.report.period import Period  # noqa: E402
from syncd.report.render import to_csv, to_json, to_markdown  # noqa: E402
from syncd.store import make_engine, tally  # noqa: E402
from syncd.store.clocks import ClockKeeper, recompute  # noqa: E402
from syncd.store.tables import INSTITUTIONS  # noqa: E402

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)  # the synthetic mirrors' "now"
RAW = """
SELECT agency_id, kind, outcome, count(*) FROM clocks
WHERE started_at >= ? AND started_at <= ? GROUP BY agency_id, kind, outcome
"""


def build(path: Path, complaints: int, agencies: int) -> None:
    """The mirror ``bench/metrics.py`` builds: synthetic complaints, their clocks
    derived by the real ``ClockKeeper.recompute``."""
    spec = importlib.util.spec_from_file_location("clocks_mirror", HERE / "clocks_mirror.py")
    assert spec is not None
    assert spec.loader is not None
    clocks_mirror = importlib.util.module_from_spec(spec)
    sys.modules["clocks_mirror"] = clocks_mirror  # its dataclasses look themselves up
    spec.loader.exec_module(clocks_mirror)
    for stale in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        stale.unlink(missing_ok=True)
    names = clocks_mirror.use_agencies(agencies)
    print(f"building {complaints:,} complaints over {agencies} agencies in {path} ...")
    built = clocks_mirror.build_mirror(path, complaints, NOW, seed=7, samples=set())
    engine = make_engine(built.url)
    with engine.begin() as connection:
        connection.execute(
            INSTITUTIONS.insert(),
            [
                {
                    "source": "lapor",
                    "upstream_id": i,
                    "name": n,
                    "parent_id": None,
                    "synced_at": NOW,
                }
                for i, n in names.items()
            ],
        )
        tally.rebuild(connection)
    started = time.perf_counter()
    derived = recompute(ClockKeeper(ClockPolicy(), WorkingCalendar()), engine, NOW, apply=True)
    engine.dispose()
    print(f"{derived.clocks:,} clocks derived in {time.perf_counter() - started:.0f} s")


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def one_round(
    engine: Any, mirror: Path, period: Period, settings: ReportSettings
) -> tuple[Any, dict[str, float]]:
    took: dict[str, float] = {}
    bounds = (f"{period.start.year - 1}-12-31 00:00:00", f"{period.end.year + 1}-01-01 23:59:59")
    # The raw scan just before and just after the figures: on a shared machine the
    # load changes within a round, and the ratio should see the same load.
    with sqlite3.connect(mirror) as db:
        before, _ = timed(lambda: db.execute(RAW, bounds).fetchall())
    with engine.connect() as connection:
        took["figures"], report = timed(lambda: build_report(connection, period, NOW, settings))
    with sqlite3.connect(mirror) as db:
        after, _ = timed(lambda: db.execute(RAW, bounds).fetchall())
    took["raw GROUP BY"] = (before + after) / 2
    took["ratio"] = took["figures"] / took["raw GROUP BY"]
    with engine.connect() as connection:
        single = ReportSettings(calendar=settings.calendar, agency=int(report.agencies[-1].agency))
        took["one agency"], _ = timed(lambda: build_report(connection, period, NOW, single))
    took["render json"], _ = timed(lambda: json.dumps(to_json(report)))
    took["render csv"], _ = timed(lambda: to_csv(report))
    took["render md"], _ = timed(lambda: to_markdown(report))
    took["render html"], _ = timed(lambda: to_html(report))
    return report, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, required=True, help="a bench/metrics.py mirror")
    parser.add_argument("--build", type=int, default=0, help="build it first, N complaints")
    parser.add_argument("--agencies", type=int, default=700, help="with --build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.build:
        build(args.mirror, args.build, args.agencies)
    engine = make_engine(f"sqlite:///{args.mirror}")
    period = Period.year(NOW.year)
    settings = ReportSettings(calendar=WorkingCalendar())
    with sqlite3.connect(args.mirror) as db:
        complaints = db.execute("SELECT count(*) FROM complaints").fetchone()[0]
        clocks = db.execute("SELECT count(*) FROM clocks").fetchone()[0]
    times: dict[str, list[float]] = {}
    report = None
    for round_ in range(args.rounds):
        report, took = one_round(engine, args.mirror, period, settings)
        for name, seconds in took.items():
            times.setdefault(name, []).append(seconds)
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in took.items()))
    assert report is not None
    counted = sum(
        a.reporter_window.received + sum(t.received for t in a.clocks.values())
        for a in report.agencies
    )
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{complaints:,} complaints, {clocks:,} clocks; {counted:,} clocks started in "
        f"{period.start.year}, {len(report.agencies)} top-level agencies"
    )
    for name, seconds in medians.items():
        print(f"  {name:<14} {seconds:7.2f} (median of {args.rounds})")
    ratio = medians["ratio"]
    print(
        f"figures / raw GROUP BY: {ratio:.2f} (median of the rounds' ratios; "
        f"{medians['figures'] / medians['raw GROUP BY']:.2f} from the medians)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "complaints": complaints,
                    "clocks": clocks,
                    "in_period": counted,
                    "medians_s": medians,
                    "ratio_to_raw": ratio,
                    "ratios": times["ratio"],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
