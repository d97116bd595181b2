"""How fast syncd mirrors SP4N-LAPOR!, beside a raw ceiling and dlt, in one run.

Starts ``syncd simulate --frozen`` (no faults; the world's clock stopped, so nothing
changes by itself) as separate processes on free loopback ports: one with
``--complaints`` (200,000), one with 2,000 for the poll comparison, and one with
``--dlt-complaints`` (20,000) for dlt. Every measurement runs in a child process of
its own (``--child``), so its peak RSS is its own and no two share an interpreter:

1. syncd backfill on SQLite: the first ``SyncPass.run()`` into an empty, upgraded
   database (page_size 500, concurrency 8), with every complaint's clocks derived
   and stored as ``syncd sync`` does; complaints mirrored / wall seconds, and the
   child's peak RSS (``VmHWM`` right after the pass). Goal: <= 200 MB.
2. The raw ceiling (``bench/sync_raw.py``): the same requests with plain httpx on
   8 threads and the same rows written with plain ``sqlite3``. Goal: syncd/raw >= 0.5.
3. A poll with no changes, at 2,000 and at ``--complaints`` mirrored complaints:
   incremental passes after the backfills, alternating between the two mirrors
   (one warm-up each, then ``--polls`` rounds); the median seconds of each, and
   big/small. Goal: <= 1.2. A poll re-lists what changed in the world's last
   ten minutes (the look-back) and fetches nothing, so the 2,000-complaint world
   gets a history as short as makes it as busy per minute as the big one
   (``--history-days``): both polls re-list about as many complaints, and differ in
   mirror size alone. The report says how many each poll listed.
4. The same syncd backfill on PostgreSQL, in a fresh schema dropped afterwards.
5. dlt (``bench/sync_dlt.py``, ``make bench-deps``, from the lock): its ``rest_api``
   source into its sqlite destination, and syncd's SQLite backfill on the same
   simulator, alternating for ``--dlt-rounds`` (3) rounds; medians. Goal:
   syncd/dlt >= 2.

``--profile`` adds one more syncd backfill (of ``--dlt-complaints``) under cProfile,
per thread and in thread CPU time, and prints the top functions by self time and
the self time per package. The profiler slows many small Python calls (httpx, h11)
more than C code (pydantic-core, sqlite3), so read its shares as rough.

The machine is small and shared (two cores, which the simulator and the client
split between them), so absolute rates drift from one minute to the next: the
figures to compare across runs are the ratios, each taken between runs made minutes
apart on the same simulator. Nothing is asserted; the figures are printed.

    .venv/bin/python bench/sync.py [--complaints 200000] [--dlt-complaints 20000]
        [--skip-dlt] [--skip-postgres] [--profile] [--json out.json]
"""

# ruff: noqa: E402  (the path is mended before the imports; see below)
from __future__ import annotations

import os
import sys

# Python puts this script's folder first on the path, where bench/alerts.py would
# shadow syncd's alerts package: it comes off, and the sibling modules this script
# uses are loaded from their files (``_sibling``).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import argparse
import cProfile
import io
import json
import platform
import pstats
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

PAGE_SIZE = 500
CONCURRENCY = 8  # LaporSettings' default
SOURCE = "lapor"
TIMEZONE = "Asia/Jakarta"
SMALL = 2_000
HISTORY_DAYS = 120.0  # the simulator's default
STARTUP_SECONDS = 600.0
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MIRROR_TABLES = ("complaints", "status_log_entries", "followups")
GOAL_RSS_MB = 200
GOAL_RAW_RATIO = 0.5
GOAL_POLL_RATIO = 1.2
GOAL_DLT_RATIO = 2.0


# -- the simulators ---------------------------------------------------------------------


@dataclass
class Sim:
    complaints: int
    proc: subprocess.Popen[bytes]
    url: str
    log: Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn_simulator(complaints: int, log: Any, history_days: float = HISTORY_DAYS) -> Sim:
    port = free_port()
    syncd = Path(sys.executable).parent / "syncd"
    argv = [str(syncd), "simulate", "--listen", f"127.0.0.1:{port}", "--frozen"]
    argv += ["--complaints", str(complaints), "--seed", "1", "--history-days", str(history_days)]
    proc = subprocess.Popen(argv, stdout=log, stderr=log)
    return Sim(complaints, proc, f"http://127.0.0.1:{port}", log)


def wait_ready(sim: Sim) -> None:
    """Returns once the simulator answers HTTP and lists the complaints asked for."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and sim.proc.poll() is None:
        try:
            answer = httpx.get(f"{sim.url}/complaints?page=1&page_size=1", timeout=5)
            if answer.status_code == 200:
                total = answer.json()["results"]["total"]
                if total != sim.complaints:
                    raise SystemExit(f"{sim.url} lists {total:,}, not {sim.complaints:,}")
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop_simulator(sim)
    sim.log.seek(0)
    raise SystemExit(f"the simulator did not answer on {sim.url}:\n{sim.log.read().decode()}")


def stop_simulator(sim: Sim) -> None:
    if sim.proc.poll() is None:
        sim.proc.send_signal(signal.SIGTERM)
        try:
            sim.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.proc.kill()
            sim.proc.wait()


@contextmanager
def simulators(
    sizes: list[int], history: dict[int, float] | None = None
) -> Iterator[dict[int, Sim]]:
    """One simulator per distinct size, all generating their worlds at once.

    ``history`` gives some sizes a shorter history, so that their worlds are as busy
    per minute as the biggest one.
    """
    sims: dict[int, Sim] = {}
    with ExitStack() as logs:
        try:
            for size in dict.fromkeys(sizes):
                log = logs.enter_context(tempfile.TemporaryFile())
                days = (history or {}).get(size, HISTORY_DAYS)
                sims[size] = spawn_simulator(size, log, days)
            for sim in sims.values():
                wait_ready(sim)
            yield sims
        finally:
            for sim in sims.values():
                stop_simulator(sim)


# -- child processes --------------------------------------------------------------------


def run_child(kind: str, spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Runs ``--child kind`` and returns its figures, with its peak RSS from ``wait4``."""
    out = workdir / f"{kind}-{uuid.uuid4().hex[:8]}.json"
    log_path = out.with_suffix(".log")
    argv = [sys.executable, __file__, "--child", kind, "--spec", json.dumps(spec)]
    argv += ["--out", str(out)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=log)
        # wait4 reports the resources of this child alone (ru_maxrss in KiB on Linux).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not out.exists():
        tail = log_path.read_text(errors="replace")[-4000:]
        raise SystemExit(f"child {kind} failed (exit {proc.returncode}):\n{tail}")
    figures: dict[str, Any] = json.loads(out.read_text())
    figures["max_rss_mb"] = usage.ru_maxrss / 1024
    return figures


def vm_hwm_mb() -> float:
    """This process's peak resident set so far, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _engine(spec: dict[str, Any]) -> Any:
    from syncd.store import make_engine

    schema = spec.get("schema")
    if schema:
        return make_engine(spec["db"], connect_args={"options": f"-csearch_path={schema}"})
    return make_engine(spec["db"])


def _sibling(name: str) -> Any:
    """A module beside this file, loaded from its path (see the top of the file)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _sync_pass(engine: Any, url: str, *, clocks: bool = False, lookback: float = 600) -> Any:
    from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
    from syncd.config import Config
    from syncd.sync.run import SyncPass
    from syncd.wiring import clock_keeper

    config = Config.model_validate(
        {
            "sources": [{"name": SOURCE, "kind": "simulator"}],
            "alerts": {"routes": [{"agency": "*", "to": ["penghubung@example.go.id"]}]},
        }
    )

    # The simulator runs without credentials; these are placeholders.
    settings = LaporSettings(
        base_url=url,
        api_key="bench",
        token="bench",  # noqa: S106
        page_size=PAGE_SIZE,
        concurrency=CONCURRENCY,
        lookback=timedelta(seconds=lookback),
    )
    # With clocks, as `syncd sync` does: every written complaint's clocks derived and
    # stored too, and the alerts they call for written to the outbox (one route for
    # every agency); without, the mirror alone (what the figures are about).
    keeper = clock_keeper(config) if clocks else None
    connector = LaporConnector(settings, build_client(settings))
    return SyncPass(engine, connector, SOURCE, clocks=keeper)


def _counts(engine: Any) -> dict[str, int]:
    from sqlalchemy import text

    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
            for table in MIRROR_TABLES
        }


@contextmanager
def thread_profiles(top: int, dump: Path) -> Iterator[None]:
    """cProfile on every thread started inside (and this one), merged, top by tottime.

    cProfile sees one thread only; syncd fetches details on a pool and reads the
    listing ahead on another, so each new thread gets a profiler of its own. They
    count each thread's CPU time, not wall time: the time threads spend waiting on
    sockets and locks would otherwise bury where the CPU goes.
    """
    profiles: list[cProfile.Profile] = []
    original: Callable[[threading.Thread], None] = threading.Thread.run

    def run(thread: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.enable()
        try:
            original(thread)
        finally:
            profile.disable()

    threading.Thread.run = run  # type: ignore[method-assign]
    main = cProfile.Profile(time.thread_time)
    main.enable()
    try:
        yield
    finally:
        main.disable()
        threading.Thread.run = original  # type: ignore[method-assign]
        text = io.StringIO()
        stats = pstats.Stats(main, stream=text)
        for profile in profiles:
            profile.disable()
            stats.add(profile)
        stats.sort_stats("tottime").print_stats(top)
        lines = text.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        header = f"{len(profiles) + 1} threads, top {top} by tottime (thread CPU seconds, summed)"
        by_package = _tottime_by_package(stats)
        total = sum(by_package.values())
        shares = [
            f"  {name:<24}{seconds:>8.1f}s {seconds / total:>6.1%}"
            for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:16]
        ]
        table = "\n".join(lines[start:]).rstrip()
        parts = [header, table, "", "tottime by where the code lives:", *shares]
        dump.write_text("\n".join(parts).rstrip() + "\n")


def _tottime_by_package(stats: pstats.Stats) -> dict[str, float]:
    """Self time grouped by installed package, project folder, stdlib or C built-ins."""
    root = str(Path(__file__).resolve().parent.parent) + os.sep
    grouped: dict[str, float] = {}
    for (filename, _, function), entry in stats.stats.items():  # type: ignore[attr-defined]
        tottime = entry[2]
        if filename == "~":
            name = f"C: {_c_owner(function)}"
        elif "site-packages" + os.sep in filename:
            name = filename.split("site-packages" + os.sep, 1)[1].split(os.sep, 1)[0]
        elif filename.startswith(root):
            name = filename[len(root) :].split(os.sep, 1)[0] + " (project)"
        else:
            name = "stdlib"
        grouped[name] = grouped.get(name, 0.0) + tottime
    return grouped


def _c_owner(function: str) -> str:
    """The module of a C function as cProfile names it: "<method 'x' of 'mod.T' objects>"."""
    if " of '" in function:
        owner = function.split(" of '", 1)[1].split("'", 1)[0]
        return owner.split(".", 1)[0].strip("_") if "." in owner else "builtins"
    if "built-in method " in function:
        return function.split("built-in method ", 1)[1].split(".", 1)[0].strip("_")
    return "other"


def child_syncd(spec: dict[str, Any]) -> dict[str, Any]:
    """A backfill into an empty, upgraded mirror; then optionally polls."""
    from syncd.store import upgrade

    engine = _engine(spec)
    upgrade(engine)
    sync = _sync_pass(engine, spec["url"], clocks=spec.get("clocks", False))
    profile = Path(spec["profile"]) if spec.get("profile") else None
    started = time.perf_counter()
    if profile is not None:
        with thread_profiles(15, profile):
            stats = sync.run()
    else:
        stats = sync.run()
    seconds = time.perf_counter() - started
    hwm = vm_hwm_mb()
    if not stats.ok:
        raise SystemExit(f"the backfill failed: {stats.error}")
    return {
        "seconds": seconds,
        "complaints": stats.written,
        "listed": stats.listed,
        "fetched": stats.fetched,
        "pages": stats.pages,
        "peak_rss_mb": hwm,
        "rows": _counts(engine),
    }


def child_polls(spec: dict[str, Any]) -> dict[str, Any]:
    """Incremental passes over mirrors already backfilled, alternating between them."""
    targets = spec["targets"]
    engines = {t["label"]: _engine(t) for t in targets}
    lookback = spec.get("lookback", 600)
    passes = {
        t["label"]: _sync_pass(engines[t["label"]], t["url"], lookback=lookback) for t in targets
    }
    seconds: dict[str, list[float]] = {label: [] for label in passes}
    listed: dict[str, list[int]] = {label: [] for label in passes}
    fetched: dict[str, list[int]] = {label: [] for label in passes}
    for n in range(spec["polls"] + 1):  # round 0 warms up (connections, statement caches)
        order = list(passes) if n % 2 == 0 else list(reversed(passes))
        for label in order:
            started = time.perf_counter()
            stats = passes[label].run()
            elapsed = time.perf_counter() - started
            if not stats.ok:
                raise SystemExit(f"poll on {label} failed: {stats.error}")
            if n > 0:
                seconds[label].append(elapsed)
                listed[label].append(stats.listed)
                fetched[label].append(stats.fetched)
    return {"seconds": seconds, "listed": listed, "fetched": fetched}


def child_raw(spec: dict[str, Any]) -> dict[str, Any]:
    sync_raw = _sibling("sync_raw")

    from syncd.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{spec['db']}")
    upgrade(engine)
    engine.dispose()
    figures = sync_raw.backfill(
        spec["url"], spec["db"], page_size=PAGE_SIZE, concurrency=CONCURRENCY, zone=TIMEZONE
    )
    figures["peak_rss_mb"] = vm_hwm_mb()
    engine = make_engine(f"sqlite:///{spec['db']}")
    figures["rows"] = _counts(engine)
    return figures


def child_dlt(spec: dict[str, Any]) -> dict[str, Any]:
    sync_dlt = _sibling("sync_dlt")

    figures = sync_dlt.backfill(
        spec["url"], Path(spec["workdir"]), page_size=PAGE_SIZE, concurrency=CONCURRENCY
    )
    figures["peak_rss_mb"] = vm_hwm_mb()
    return figures


CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "syncd": child_syncd,
    "polls": child_polls,
    "raw": child_raw,
    "dlt": child_dlt,
}


# -- PostgreSQL -------------------------------------------------------------------------


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the server, dropped afterwards."""
    from sqlalchemy import text

    from syncd.store import make_engine

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- the run ----------------------------------------------------------------------------


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate, with every round's rate beside it."""
    ordered = sorted(runs, key=rate)
    median = dict(ordered[len(ordered) // 2])
    median["round_rates"] = [rate(r) for r in runs]
    return median


def rate(figures: dict[str, Any]) -> float:
    return float(figures["complaints"] / figures["seconds"])


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    big, mid = args.complaints, args.dlt_complaints
    need_mid = not args.skip_dlt or args.profile
    sizes = list(dict.fromkeys([big, SMALL] + ([mid] if need_mid else [])))
    figures: dict[str, Any] = {"clocks": args.clocks}
    print(f"starting simulators (frozen, seed 1): {', '.join(f'{n:,}' for n in sizes)} …")
    # The poll's look-back re-lists what changed in the last 10 minutes; the small
    # world gets the big one's activity per minute (a shorter history), so the two
    # polls differ in mirror size alone.
    with simulators(sizes, history={SMALL: HISTORY_DAYS * SMALL / big}) as sims:
        for n, sim in sims.items():
            print(f"  {n:>9,} complaints at {sim.url}")

        print(f"raw backfill of {big:,} into SQLite …", flush=True)
        raw = run_child("raw", {"url": sims[big].url, "db": str(workdir / "raw.db")}, workdir)
        figures["raw"] = raw
        print(f"  {rate(raw):,.0f}/s in {raw['seconds']:.1f}s")

        print(f"syncd backfill of {big:,} into SQLite …", flush=True)
        big_db = f"sqlite:///{workdir / 'syncd-big.db'}"
        syncd = run_child(
            "syncd", {"url": sims[big].url, "db": big_db, "clocks": args.clocks}, workdir
        )
        figures["syncd_sqlite"] = syncd
        print(f"  {rate(syncd):,.0f}/s in {syncd['seconds']:.1f}s")

        print(f"syncd backfill of {SMALL:,} into SQLite …", flush=True)
        small_db = f"sqlite:///{workdir / 'syncd-small.db'}"
        figures["syncd_small"] = run_child(
            "syncd", {"url": sims[SMALL].url, "db": small_db}, workdir
        )

        print(f"polls with no changes, {SMALL:,} vs {big:,} …", flush=True)
        targets = [
            {"label": "small", "url": sims[SMALL].url, "db": small_db},
            {"label": "big", "url": sims[big].url, "db": big_db},
        ]
        figures["polls"] = run_child("polls", {"targets": targets, "polls": args.polls}, workdir)
        # The same polls with no look-back: each lists only the newest second, so
        # what is left is what the mirror's size costs.
        figures["polls_no_lookback"] = run_child(
            "polls", {"targets": targets, "polls": args.polls, "lookback": 0}, workdir
        )

        if not args.skip_postgres:
            print(f"syncd backfill of {big:,} into PostgreSQL …", flush=True)
            with postgres_schema(args.postgres_url) as schema:
                spec = {
                    "url": sims[big].url,
                    "db": args.postgres_url,
                    "schema": schema,
                    "clocks": args.clocks,
                }
                figures["syncd_postgres"] = pg = run_child("syncd", spec, workdir)
            print(f"  {rate(pg):,.0f}/s in {pg['seconds']:.1f}s")

        if not args.skip_dlt:
            figures["syncd_mid_rounds"], figures["dlt_rounds"] = [], []
            for n in range(args.dlt_rounds):
                print(f"round {n + 1}: syncd then dlt, {mid:,} into SQLite …", flush=True)
                spec = {
                    "url": sims[mid].url,
                    "db": f"sqlite:///{workdir / f'syncd-mid-{n}.db'}",
                    "clocks": args.clocks,
                }
                figures["syncd_mid_rounds"].append(run_child("syncd", spec, workdir))
                dlt_dir = workdir / f"dlt-{n}"
                dlt_dir.mkdir()
                figures["dlt_rounds"].append(
                    run_child("dlt", {"url": sims[mid].url, "workdir": str(dlt_dir)}, workdir)
                )
            figures["syncd_mid"] = _median_run(figures["syncd_mid_rounds"])
            figures["dlt"] = _median_run(figures["dlt_rounds"])

        if args.profile:
            print(f"syncd backfill of {mid:,} under cProfile …", flush=True)
            dump = workdir / "profile.txt"
            spec = {
                "url": sims[mid].url,
                "db": f"sqlite:///{workdir / 'syncd-profiled.db'}",
                "profile": str(dump),
            }
            figures["profiled"] = run_child("syncd", spec, workdir)
            figures["profile"] = dump.read_text()
    return figures


def report_backfill(args: argparse.Namespace, figures: dict[str, Any]) -> dict[str, Any]:
    raw, syncd = figures["raw"], figures["syncd_sqlite"]
    print(
        f"\n== 1. backfill into SQLite, {args.complaints:,} complaints "
        f"(page_size {PAGE_SIZE}, concurrency {CONCURRENCY}) =="
    )
    print(f"{'':<8}{'complaints/s':>14}{'seconds':>10}{'peak RSS MB':>13}")
    for name, f in (("syncd", syncd), ("raw", raw)):
        print(f"{name:<8}{rate(f):>14,.0f}{f['seconds']:>10.1f}{f['peak_rss_mb']:>13.0f}")
    ratio = rate(syncd) / rate(raw)
    rss = syncd["peak_rss_mb"]
    print(f"syncd/raw {ratio:.3f}  (goal >= {GOAL_RAW_RATIO}: {verdict(ratio >= GOAL_RAW_RATIO)})")
    print(
        f"syncd peak RSS {rss:.0f} MB right after the pass, {syncd['max_rss_mb']:.0f} MB over "
        f"the child's life  (goal <= {GOAL_RSS_MB}: {verdict(rss <= GOAL_RSS_MB)})"
    )
    rows = ", ".join(f"{t} {syncd['rows'][t]:,}" for t in MIRROR_TABLES)
    same = "same as raw" if syncd["rows"] == raw["rows"] else f"WARNING: raw {raw['rows']}"
    print(f"rows: {rows} ({same})")
    return {
        "sqlite_per_s": rate(syncd),
        "raw_per_s": rate(raw),
        "syncd_over_raw": ratio,
        "peak_rss_mb": rss,
        "child_max_rss_mb": syncd["max_rss_mb"],
        "raw_peak_rss_mb": raw["peak_rss_mb"],
        "rows": syncd["rows"],
        "raw_rows": raw["rows"],
    }


def report_polls(args: argparse.Namespace, figures: dict[str, Any]) -> dict[str, Any]:
    default = _report_polls(args, figures["polls"], "the 10-minute look-back")
    alone = _report_polls(args, figures["polls_no_lookback"], "no look-back: mirror size alone")
    return {**default, **{f"{k}_no_lookback": v for k, v in alone.items()}}


def _report_polls(args: argparse.Namespace, polls: dict[str, Any], what: str) -> dict[str, Any]:
    small_s = statistics.median(polls["seconds"]["small"])
    big_s = statistics.median(polls["seconds"]["big"])
    ratio = big_s / small_s
    print(f"\n== 2. poll with no changes, {what} (median of {args.polls}, alternating) ==")
    for label, n, median in (("small", SMALL, small_s), ("big", args.complaints, big_s)):
        listed = sorted(set(polls["listed"][label]))
        fetched = sum(polls["fetched"][label])
        runs = " ".join(f"{s * 1000:.0f}" for s in polls["seconds"][label])
        print(
            f"{n:>9,} mirrored: {median * 1000:7.1f} ms  (runs ms: {runs}; "
            f"listed {listed}, fetched {fetched})"
        )
    print(
        f"{args.complaints:,}/{SMALL:,} ratio {ratio:.2f}  "
        f"(goal <= {GOAL_POLL_RATIO}: {verdict(ratio <= GOAL_POLL_RATIO)})"
    )
    return {"poll_small_s": small_s, "poll_big_s": big_s, "poll_ratio": ratio}


def report_postgres(args: argparse.Namespace, figures: dict[str, Any]) -> dict[str, Any]:
    pg, syncd = figures.get("syncd_postgres"), figures["syncd_sqlite"]
    print(f"\n== 3. syncd backfill on PostgreSQL, {args.complaints:,} complaints ==")
    if pg is None:
        print("skipped (--skip-postgres)")
        return {}
    print(
        f"PostgreSQL {rate(pg):,.0f}/s in {pg['seconds']:.1f}s (peak RSS "
        f"{pg['peak_rss_mb']:.0f} MB); SQLite {rate(syncd):,.0f}/s; "
        f"PostgreSQL/SQLite {rate(pg) / rate(syncd):.2f}"
    )
    if pg["rows"] != syncd["rows"]:
        print(f"WARNING: PostgreSQL rows {pg['rows']} differ from SQLite's")
    return {"postgres_per_s": rate(pg), "postgres_rows": pg["rows"]}


def report_dlt(args: argparse.Namespace, figures: dict[str, Any]) -> dict[str, Any]:
    dlt, mid = figures.get("dlt"), args.dlt_complaints
    print(f"\n== 4. dlt beside syncd, {mid:,} complaints, SQLite ==")
    if dlt is None:
        print("skipped (--skip-dlt)")
        return {}
    beside = figures["syncd_mid"]
    ratio = rate(beside) / rate(dlt)
    print(f"{'':<10}{'complaints/s':>14}{'seconds':>10}{'peak RSS MB':>13}")
    for name, f in (("syncd", beside), (f"dlt {dlt['dlt_version']}", dlt)):
        print(f"{name:<10}{rate(f):>14,.0f}{f['seconds']:>10.1f}{f['peak_rss_mb']:>13.0f}")
    print(f"syncd/dlt {ratio:.2f}  (goal >= {GOAL_DLT_RATIO}: {verdict(ratio >= GOAL_DLT_RATIO)})")
    print(
        "rounds (complaints/s): syncd "
        + ", ".join(f"{r:,.0f}" for r in beside.get("round_rates", [rate(beside)]))
        + "; dlt "
        + ", ".join(f"{r:,.0f}" for r in dlt.get("round_rates", [rate(dlt)]))
        + " (medians above)"
    )
    print(f"dlt steps: {', '.join(f'{k} {v:.1f}s' for k, v in dlt['steps'].items() if k != 'run')}")
    print(f"dlt rows: {', '.join(f'{k} {v:,}' for k, v in sorted(dlt['rows'].items()))}")
    if mid != args.complaints:
        print(
            f"note: dlt and syncd measured at {mid:,} (--dlt-complaints), not {args.complaints:,}"
        )
    return {
        "dlt_complaints": mid,
        "dlt_per_s": rate(dlt),
        "syncd_beside_dlt_per_s": rate(beside),
        "syncd_over_dlt": ratio,
        "dlt_steps": dlt["steps"],
        "dlt_version": dlt["dlt_version"],
    }


def report(args: argparse.Namespace, figures: dict[str, Any]) -> dict[str, Any]:
    """Prints the figures and returns the summary kept in --json."""
    summary: dict[str, Any] = {"complaints": args.complaints}
    for section in (report_backfill, report_polls, report_postgres, report_dlt):
        summary |= section(args, figures)
    if "profile" in figures:
        print(
            f"\n== syncd backfill of {args.dlt_complaints:,} under cProfile: "
            f"{rate(figures['profiled']):,.0f}/s (slowed by the profiler) =="
        )
        print(figures["profile"].rstrip())
        summary["profile"] = figures["profile"]
    return summary


def child_main(kind: str, spec: str, out: Path) -> None:
    figures = CHILDREN[kind](json.loads(spec))
    out.write_text(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument(
        "--dlt-complaints", type=int, default=20_000, help="complaints for the dlt comparison"
    )
    parser.add_argument("--polls", type=int, default=7, help="polls timed on each mirror")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--skip-dlt", action="store_true")
    parser.add_argument(
        "--clocks",
        action="store_true",
        help="syncd also derives and stores every clock, as `syncd sync` does",
    )
    parser.add_argument("--dlt-rounds", type=int, default=3, help="syncd and dlt, alternating")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="also profile a syncd backfill of --dlt-complaints"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.spec, args.out)
        return

    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    print(f"python {platform.python_version()} ({sys.executable})")
    print(
        f"cpus {cpus} (usable {usable}); complaints {args.complaints:,}; "
        f"dlt complaints {args.dlt_complaints:,}; polls {args.polls}"
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        figures = measure(args, Path(tmp))
    summary = report(args, figures)
    print(f"\n(whole run {time.monotonic() - started:.0f}s)")
    if args.json is not None:
        args.json.write_text(json.dumps({"summary": summary, "figures": figures}, indent=2) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
