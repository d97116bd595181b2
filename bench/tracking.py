"""A simulated day of tracked complaints under a request budget: syncd's urgency
schedule beside the one public integrator's schedule, on the same budget.

The simulator serves the ``v3-observed`` profile over loopback; its world, the
connectors' request budget and every pass run on one injected clock (no real
waiting): each request's turn in the budget moves the clock, so 2 requests a second
is 172,800 requests in a simulated day, whatever the machine's speed.

- **syncd**: ``syncd track`` imports every id; a warm-up checks each once (the
  backlog of day one, which takes its own hours); then, for a day, the daemon's sync
  job every ``--job-every`` runs the tracked checks that are due (urgent first, as
  ``TrackedPass`` does), writing the mirror and its clocks.
- **integrator**: every id in turn, in batches of 100, as fast as the same budget
  allows (the integrator polls hourly in batches of 100; under 2 requests a second a
  round of 20,000 takes longer than its hour, so it simply never waits).

For each change upstream (a status log or followup written) during the measured day
to a complaint whose running clock was then due within one working day or breached,
the time until the schedule next checked that complaint; and the deadlines that
lapsed while the agency's followup was already upstream but not yet seen. Nothing is
asserted; the figures are printed (and written with ``--json``).

    .venv/bin/python bench/tracking.py [--complaints 20000] [--rps 2] [--json out.json]
"""

# ruff: noqa: E402  (the path is mended before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# bench/ leads sys.path when run as a script, and bench/alerts.py would stand in for
# syncd's alerts package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import json
import math
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.base import DetailResult
from connectors.simulator import Simulator, World, WorldSettings
from connectors.simulator.truth import expected_detail
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import derive_clocks
from syncd.clock.policy import ClockKind, ClockPolicy
from syncd.clock.schedule import ScheduleClass, TrackingSchedule, urgency
from syncd.store import make_engine, upgrade
from syncd.store.clocks import ClockKeeper
from syncd.store.tracked import Origin, track
from syncd.sync.tracked import TrackedPass

DAY = 86_400
SOURCE = "lapor"
POLICY = ClockPolicy()
CALENDAR = WorkingCalendar()
SCHEDULE = TrackingSchedule()


@dataclass
class SimClock:
    """Epoch seconds that move only when a request waits its turn, or a loop waits."""

    now: float

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def at(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


@dataclass
class CheckLog:
    """When each complaint was checked (the instant its detail was asked for)."""

    times: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0


def counting(connector: LaporConnector, clock: SimClock, log: CheckLog) -> None:
    fetch = connector.fetch_detail

    def fetch_detail(complaint_id: int) -> DetailResult:
        log.times[complaint_id].append(clock.now)
        return fetch(complaint_id)

    connector.fetch_detail = fetch_detail  # type: ignore[method-assign]


def connector_for(sim: Simulator, clock: SimClock, rps: float) -> LaporConnector:
    settings = LaporSettings(
        base_url=sim.base_url,
        api_key="k",
        token="{bench-token}",  # noqa: S106 (braces, as real tokens have them)
        max_requests_per_second=rps,
        max_concurrency=1,
    )
    return LaporConnector(settings, build_client(settings), sleep=clock.sleep, clock=clock)


def run_syncd(
    world: World, sim: Simulator, clock: SimClock, args: argparse.Namespace
) -> tuple[CheckLog, float]:
    start = clock.now
    log = CheckLog()
    connector = connector_for(sim, clock, args.rps)
    counting(connector, clock, log)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/mirror.db")
        upgrade(engine)
        ids = sorted(world.listed_ids())
        with engine.begin() as connection:
            track(connection, SOURCE, [(i, Origin("cli")) for i in ids], clock.at())
        checks = TrackedPass(
            engine,
            connector,
            SOURCE,
            schedule=SCHEDULE,
            clock=clock.at,
            clocks=ClockKeeper(POLICY, CALENDAR),
            concurrency=1,
            sync_institutions=False,
        )
        print(f"syncd: warm-up, {len(ids):,} ids checked once …", flush=True)
        checks.run()
        measured_from = clock.now
        print(f"  warm-up took {(clock.now - start) / 3600:.1f} simulated hours", flush=True)
        job_every = args.job_every * 60
        next_job = clock.now
        while clock.now < measured_from + DAY:
            clock.now = max(clock.now, next_job)
            checks.run()
            next_job += job_every
        engine.dispose()
    connector.close()
    log.requests = sum(sim.requests.counts.values())
    return log, measured_from


def run_integrator(
    world: World, sim: Simulator, clock: SimClock, measured_from: float, args: argparse.Namespace
) -> CheckLog:
    log = CheckLog()
    connector = connector_for(sim, clock, args.rps)
    counting(connector, clock, log)
    ids = sorted(world.listed_ids())
    position = 0
    while clock.now < measured_from + DAY:
        batch = [ids[(position + k) % len(ids)] for k in range(100)]
        position = (position + 100) % len(ids)
        for complaint_id in batch:
            connector.fetch_detail(complaint_id)
    connector.close()
    log.requests = sum(sim.requests.counts.values())
    return log


def changes(
    world: World, tracked: set[int], start: float, end: float
) -> list[tuple[int, float, bool]]:
    """(complaint, instant, urgent then) for each change upstream in [start, end) to a
    tracked complaint."""
    found = []
    for c in world.complaints.values():
        if c.id not in tracked:
            continue
        for instant in sorted(set(c.instants())):
            if start <= instant < end:
                detail = expected_detail(c, int(instant) - 1)
                clocks = derive_clocks(detail, POLICY, CALENDAR)
                at = datetime.fromtimestamp(instant, UTC)
                pressing = urgency(clocks, at, CALENDAR, SCHEDULE, None).schedule
                found.append((c.id, float(instant), pressing is ScheduleClass.URGENT))
    return found


def lapsed_unseen(world: World, tracked: set[int], log: CheckLog, start: float, end: float) -> int:
    """Followup deadlines that passed while the agency's answer was upstream, unseen."""
    lapsed = 0
    for c in world.complaints.values():
        if c.id not in tracked:
            continue
        for followup in c.followups:
            if followup.is_reporter or not start <= followup.at < end:
                continue
            before = expected_detail(c, followup.at - 1)
            for clock in derive_clocks(before, POLICY, CALENDAR):
                if clock.kind is not ClockKind.FOLLOWUP or not clock.running:
                    continue
                if clock.agency_id != followup.inst_from:
                    continue
                due = clock.due_at.timestamp()
                seen = next((t for t in log.times.get(c.id, []) if t >= followup.at), end)
                if followup.at <= due < seen:
                    lapsed += 1
    return lapsed


def latencies(log: CheckLog, events: list[tuple[int, float, bool]], end: float) -> list[float]:
    found = []
    for complaint_id, instant, urgent in events:
        if not urgent:
            continue
        seen = next((t for t in log.times.get(complaint_id, []) if t >= instant), end)
        found.append(seen - instant)
    return found


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    nearest_rank = max(0, math.ceil(0.95 * len(ordered)) - 1)
    return {
        "n": len(values),
        "p50_min": statistics.median(ordered) / 60,
        "p95_min": ordered[nearest_rank] / 60,
        "max_min": ordered[-1] / 60,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--rps", type=float, default=2.0)
    parser.add_argument("--job-every", type=float, default=2.0, help="minutes between sync jobs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    start = 1_795_000_000.0
    settings = WorldSettings(complaints=args.complaints, seed=args.seed)
    print(f"world: {args.complaints:,} complaints (seed {args.seed}), twice …", flush=True)
    clock = SimClock(start)
    world = World.generate(settings, clock=clock)
    tracked = set(world.listed_ids())
    with Simulator(world, profile="v3-observed") as sim:
        syncd, measured_from = run_syncd(world, sim, clock, args)
    end = measured_from + DAY
    print("integrator: every id in turn, batches of 100, same budget …", flush=True)
    other_clock = SimClock(start)
    other = World.generate(settings, clock=other_clock)
    with Simulator(other, profile="v3-observed") as sim:
        integrator = run_integrator(other, sim, other_clock, measured_from, args)
    events = changes(world, tracked, measured_from, end)
    figures: dict[str, Any] = {
        "complaints": args.complaints,
        "rps": args.rps,
        "job_every_min": args.job_every,
        "urgent_every_min": SCHEDULE.urgent_every.total_seconds() / 60,
        "changes": len(events),
        "urgent_changes": sum(1 for _, _, urgent in events if urgent),
        "syncd": summary(latencies(syncd, events, end)),
        "integrator": summary(latencies(integrator, events, end)),
        "syncd_lapsed_unseen": lapsed_unseen(world, tracked, syncd, measured_from, end),
        "integrator_lapsed_unseen": lapsed_unseen(world, tracked, integrator, measured_from, end),
        "syncd_requests": syncd.requests,
        "integrator_requests": integrator.requests,
        "simulated_hours": (end - start) / 3600,
        "wall_seconds": time.perf_counter() - started,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
