"""What the clock keeper costs at 10,000 and at 1,000,000 mirrored complaints, in one run.

Two SQLite mirrors are built in a temporary directory (``bench/clocks_mirror.py``):
the schema by syncd's ``upgrade()``, then ``--small`` (10,000) and ``--big``
(1,000,000) synthetic complaints with short, plausible histories (verification,
disposition to one of 50 agencies, followups, completions, a few transfers and
postponements), written with plain ``sqlite3``. A few complaints of each are read
back through ``syncd.store.read.details_by_row_id`` and compared whole with what was
meant to be written, before anything is timed.

1. Full recompute: ``recompute(keeper, engine, now, apply=True)`` on each mirror,
   which derives every complaint's clocks and writes them to ``clocks``: seconds,
   complaints/s, and the clock rows written. What ``syncd clocks recompute`` costs
   after a policy or calendar change, and once on a mirror that has no clocks yet.
2. A tick with 100 threshold crossings: every clock's ``next_evaluation_at`` is put
   far in the future (closed and breached clocks keep None), then each round 100
   random running clocks are armed (due a day ago, stored ``on_track``, next
   evaluation a second ago) and one ``ClockKeeper.tick(connection, now)`` runs in a
   transaction of its own. It must return exactly those 100 transitions (asserted).
   Rounds alternate which mirror goes first, after one warm-up round. "tick" times
   the call alone, "tick+txn" also the begin and the commit (the WAL is checkpointed
   before each tick, so no commit pays for an earlier write's checkpoint). The figure
   to compare is big/small, the ratio of the median ticks: a tick should cost what
   crosses a threshold, not what is mirrored. Goal: <= 1.2.

Absolute seconds drift on a small shared machine; the ratios are what carry across
runs and machines. Besides the tick assertion, nothing is asserted.

    .venv/bin/python bench/clocks.py [--small 10000] [--big 1000000] [--rounds 9]
        [--seed 1] [--workdir DIR] [--profile] [--json out.json]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from clocks_mirror import Built, build_mirror, expected_detail
from sqlalchemy import Engine, bindparam, func, select, update

from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import derive_clocks
from syncd.clock.policy import ClockPolicy
from syncd.store import make_engine
from syncd.store.clocks import ClockKeeper
from syncd.store.clocks import recompute as recompute_clocks
from syncd.store.read import details_by_row_id
from syncd.store.tables import CLOCKS

NOW = "2026-06-15T03:00:00+00:00"  # fixed, so that a seed always builds the same mirror
ARMED = 100  # clocks that cross a threshold in each tick
FAR = datetime(2999, 1, 1, tzinfo=UTC)  # "not in this benchmark's lifetime"
PROGRESS_EVERY_S = 10.0


def vm_hwm_mb() -> float:
    """This process's peak resident set so far, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def progress_printer(label: str, what: str, total: int) -> Callable[[int], None]:
    """A progress callback printing a line every ``PROGRESS_EVERY_S`` seconds."""
    started = last = time.perf_counter()
    done = 0

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.perf_counter()
        if now - last >= PROGRESS_EVERY_S and done < total:
            last = now
            rate = done / (now - started)
            left = (total - done) / rate
            print(
                f"    {label}: {what} {done:>10,}/{total:,}  {rate:>8,.0f}/s  ~{left:,.0f} s left",
                flush=True,
            )

    return advance


@dataclass
class Mirror:
    label: str
    complaints: int
    built: Built
    engine: Engine
    figures: dict[str, Any] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    """Running, unpaused clock ids not armed yet."""
    ticks: list[float] = field(default_factory=list)
    tick_txns: list[float] = field(default_factory=list)


def build(label: str, complaints: int, workdir: Path, now: datetime, seed: int) -> Mirror:
    rng = random.Random(seed)
    samples = {1, 2, 3, complaints // 2, complaints}
    samples |= {rng.randint(1, complaints) for _ in range(5)}
    path = workdir / f"{label}.db"
    for stale in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        stale.unlink(missing_ok=True)
    print(f"{label}: building {complaints:,} complaints ...", flush=True)
    built = build_mirror(
        path,
        complaints,
        now,
        seed=seed,
        samples=samples,
        progress=progress_printer(label, "built", complaints),
    )
    mb = built.path.stat().st_size / 2**20
    print(
        f"{label}: {built.complaints:,} complaints, {built.logs:,} status logs, "
        f"{built.followups:,} followups in {built.seconds:.1f} s ({mb:,.0f} MB)",
        flush=True,
    )
    mirror = Mirror(label, complaints, built, make_engine(built.url))
    mirror.figures.update(
        complaints=complaints,
        status_logs=built.logs,
        followups=built.followups,
        build_s=built.seconds,
        db_mb=mb,
    )
    return mirror


def verify(mirror: Mirror, keeper: ClockKeeper) -> None:
    """The sampled complaints read back exactly as meant, and yield clocks."""
    samples = mirror.built.samples
    with mirror.engine.connect() as connection:
        details = details_by_row_id(connection, sorted(samples))
    assert sorted(details) == sorted(samples), f"{mirror.label}: rows missing"
    clocks = 0
    for row_id, history in samples.items():
        expected = expected_detail(history)
        assert details[row_id] == expected, (
            f"{mirror.label}: row {row_id} reads back as\n{details[row_id]}\nnot\n{expected}"
        )
        clocks += len(derive_clocks(details[row_id], keeper.policy, keeper.calendar))
    assert clocks >= len(samples)
    print(f"{mirror.label}: {len(samples)} sampled complaints read back intact ({clocks} clocks)")


def recompute(mirror: Mirror, keeper: ClockKeeper, now: datetime) -> None:
    print(f"{mirror.label}: recompute ...", flush=True)
    progress = progress_printer(mirror.label, "recomputed", mirror.complaints)
    started = time.perf_counter()
    result = recompute_clocks(keeper, mirror.engine, now, apply=True, progress=progress)
    seconds = time.perf_counter() - started
    with mirror.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(CLOCKS)).scalar_one()
        states = dict(
            connection.execute(select(CLOCKS.c.state, func.count()).group_by(CLOCKS.c.state)).all()
        )
    assert result.complaints == mirror.complaints, result.complaints
    mirror.figures.update(
        recompute_s=seconds,
        recompute_per_s=mirror.complaints / seconds,
        clocks_derived=result.clocks,
        clock_rows=rows,
        moves_reported=len(result.moves),
        clock_states=states,
        peak_rss_mb_after_recompute=vm_hwm_mb(),
    )
    print(
        f"{mirror.label}: recompute {seconds:.1f} s, {mirror.complaints / seconds:,.0f} "
        f"complaints/s, {rows:,} clock rows ({len(result.moves):,} moves reported); "
        f"peak RSS so far {vm_hwm_mb():,.0f} MB",
        flush=True,
    )
    print(f"{mirror.label}: states {', '.join(f'{k} {n:,}' for k, n in sorted(states.items()))}")


def disarm(mirror: Mirror, rng: random.Random, needed: int) -> None:
    """Nothing due before the far future; draws the clocks that the rounds will arm."""
    c = CLOCKS.c
    with mirror.engine.begin() as connection:
        connection.execute(
            update(CLOCKS).where(c.next_evaluation_at.is_not(None)).values(next_evaluation_at=FAR)
        )
        running = (
            connection.execute(
                select(c.id).where(c.outcome.is_(None), c.paused_at.is_(None)).order_by(c.id)
            )
            .scalars()
            .all()
        )
    with mirror.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    if len(running) < needed:
        raise SystemExit(f"{mirror.label}: only {len(running)} running clocks, {needed} needed")
    mirror.candidates = rng.sample(running, needed)
    mirror.figures["running_clocks"] = len(running)


def arm(mirror: Mirror, now: datetime) -> list[int]:
    """Makes ``ARMED`` fresh running clocks cross a threshold at ``now``."""
    ids, mirror.candidates = mirror.candidates[:ARMED], mirror.candidates[ARMED:]
    with mirror.engine.begin() as connection:
        connection.execute(
            update(CLOCKS)
            .where(CLOCKS.c.id == bindparam("clock_id"))
            .values(
                due_at=now - timedelta(days=1),
                state="on_track",
                next_evaluation_at=now - timedelta(seconds=1),
            ),
            [{"clock_id": i} for i in ids],
        )
    with mirror.engine.connect() as connection:
        # An empty WAL, so that the tick's commit never pays for an automatic checkpoint
        # that earlier writes made due.
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return ids


def tick(mirror: Mirror, keeper: ClockKeeper, now: datetime, *, keep: bool) -> None:
    armed = arm(mirror, now)
    started = time.perf_counter()
    with mirror.engine.begin() as connection:
        called = time.perf_counter()
        changes = keeper.tick(connection, now).changes
        tick_s = time.perf_counter() - called
    txn_s = time.perf_counter() - started
    assert len(changes) == ARMED, f"{mirror.label}: {len(changes)} transitions, not {ARMED}"
    assert sorted(t.clock_id for t in changes) == sorted(armed)
    assert all(t.before == "on_track" and t.after == "breached" for t in changes)
    if keep:
        mirror.ticks.append(tick_s)
        mirror.tick_txns.append(txn_s)


def tick_rounds(small: Mirror, big: Mirror, keeper: ClockKeeper, now: datetime, rounds: int):
    for mirror in (small, big):
        mirror.ticks.clear()
        mirror.tick_txns.clear()
    tick(small, keeper, now, keep=False)  # warm-ups: connections, statement cache, pages
    tick(big, keeper, now, keep=False)
    for n in range(rounds):
        order = (small, big) if n % 2 == 0 else (big, small)
        for mirror in order:
            tick(mirror, keeper, now, keep=True)
        print(
            f"  round {n + 1}: small {small.ticks[-1] * 1000:7.2f} ms  "
            f"big {big.ticks[-1] * 1000:7.2f} ms  ratio {big.ticks[-1] / small.ticks[-1]:.2f}",
            flush=True,
        )
    for mirror in (small, big):
        mirror.figures.update(
            tick_s=mirror.ticks,
            tick_txn_s=mirror.tick_txns,
            tick_median_s=statistics.median(mirror.ticks),
            tick_txn_median_s=statistics.median(mirror.tick_txns),
        )


def profile_recompute(mirror: Mirror, keeper: ClockKeeper, now: datetime, top: int) -> str:
    """cProfile of one more recompute of ``mirror``, top functions by own time."""
    profile = cProfile.Profile()
    profile.enable()
    recompute_clocks(keeper, mirror.engine, now, apply=True)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def report(small: Mirror, big: Mirror, figures: dict[str, Any]) -> None:
    print()
    print(f"{'':<8}{'complaints':>12}{'recompute s':>13}{'complaints/s':>14}{'clock rows':>12}"
          f"{'tick ms':>10}{'tick+txn ms':>13}")  # fmt: skip
    for m in (small, big):
        f = m.figures
        print(
            f"{m.label:<8}{f['complaints']:>12,}{f['recompute_s']:>13.1f}"
            f"{f['recompute_per_s']:>14,.0f}{f['clock_rows']:>12,}"
            f"{f['tick_median_s'] * 1000:>10.2f}{f['tick_txn_median_s'] * 1000:>13.2f}"
        )
    print(
        f"tick big/small {figures['tick_ratio']:.2f} (median ticks; goal <= 1.2); "
        f"with the transaction {figures['tick_txn_ratio']:.2f}"
    )
    print(
        f"recompute rate big/small {figures['recompute_rate_ratio']:.2f}; "
        f"peak RSS {figures['peak_rss_mb']:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", type=datetime.fromisoformat, default=datetime.fromisoformat(NOW))
    parser.add_argument("--workdir", type=Path, help="build the mirrors here and keep them")
    parser.add_argument("--profile", action="store_true", help="cProfile a recompute of small")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    now: datetime = args.now.astimezone(UTC)

    cpus = os.cpu_count()
    print(f"python {platform.python_version()} ({sys.executable}); cpus {cpus}")
    print(f"now {now.isoformat()}; small {args.small:,}; big {args.big:,}; rounds {args.rounds}")
    keeper = ClockKeeper(ClockPolicy(), WorkingCalendar())
    with tempfile.TemporaryDirectory(prefix="bench-clocks-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        small = build("small", args.small, workdir, now, args.seed)
        big = build("big", args.big, workdir, now, args.seed)
        try:
            for mirror in (small, big):
                verify(mirror, keeper)
            for mirror in (small, big):
                recompute(mirror, keeper, now)
            rng = random.Random(args.seed)
            for mirror in (small, big):
                disarm(mirror, rng, ARMED * (args.rounds + 1))
            print(f"ticks, {ARMED} crossings each:", flush=True)
            tick_rounds(small, big, keeper, now, args.rounds)
            profile = profile_recompute(small, keeper, now, 15) if args.profile else None
        finally:
            small.engine.dispose()
            big.engine.dispose()

    figures: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": cpus,
        "now": now.isoformat(),
        "seed": args.seed,
        "rounds": args.rounds,
        "armed_per_tick": ARMED,
        "small": small.figures,
        "big": big.figures,
        "tick_ratio": big.figures["tick_median_s"] / small.figures["tick_median_s"],
        "tick_txn_ratio": big.figures["tick_txn_median_s"] / small.figures["tick_txn_median_s"],
        "recompute_rate_ratio": big.figures["recompute_per_s"] / small.figures["recompute_per_s"],
        "peak_rss_mb": vm_hwm_mb(),
    }
    report(small, big, figures)
    if profile is not None:
        figures["profile_small_recompute"] = profile
        print(f"\ncProfile of a recompute of small, top 15 by own time:\n{profile}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
