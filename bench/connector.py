"""How fast the SP4N-LAPOR! connector lists changes, beside a raw HTTP baseline.

Starts ``syncd simulate`` (no faults) as a separate process on a free loopback port
and reads its whole listing two ways, with pages of 1000:

- raw: a keep-alive ``httpx.Client`` fetching ``/complaints?page=1..last`` and
  reading the bytes, without parsing them: what the server and HTTP cost alone;
- connector: ``LaporConnector.list_changes(None)`` to the end, which also parses the
  JSON, validates and translates every record, and re-anchors ``updated_from``.

Both are timed in the same run, interleaved (one warm-up of each, then rounds that
alternate which goes first), because on a small shared machine absolute rates drift
from one minute to the next. The figure to compare across runs and machines is the
ratio connector/raw, the median of the per-round ratios: the share of the raw
throughput the connector keeps. Nothing is asserted; the figures are printed.

    .venv/bin/python bench/connector.py --complaints 50000 --rounds 5 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client

PAGE_SIZE = 1000
STARTUP_SECONDS = 120.0
LAST_PAGE_END = b'"next_page_url":null}}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_simulator(complaints: int, log: Any) -> tuple[subprocess.Popen[bytes], str]:
    """The simulator process and its base URL, once it answers HTTP."""
    port = free_port()
    syncd = Path(sys.executable).parent / "syncd"
    argv = [str(syncd), "simulate", "--listen", f"127.0.0.1:{port}"]
    argv += ["--complaints", str(complaints), "--seed", "1"]
    proc = subprocess.Popen(argv, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/complaints?page=1&page_size=1", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_simulator(proc)
    log.seek(0)
    raise SystemExit(f"the simulator did not answer on {url}:\n{log.read().decode()}")


def stop_simulator(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def listed_total(url: str) -> int:
    body = httpx.get(f"{url}/complaints?page=1&page_size=1", timeout=30).json()
    return int(body["results"]["total"])


def run_raw(url: str) -> tuple[float, int]:
    """Seconds to fetch every listing page as bytes, and the pages fetched."""
    with httpx.Client(base_url=url, timeout=30) as client:
        started = time.perf_counter()
        page = 1
        while True:
            response = client.get("/complaints", params={"page": page, "page_size": PAGE_SIZE})
            body = response.read()
            if response.status_code != 200 or body.endswith(LAST_PAGE_END):
                break
            page += 1
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"raw: HTTP {response.status_code} on page {page}")
    return elapsed, page


def run_connector(url: str) -> tuple[float, int]:
    """Seconds to list every change through the connector, and the records listed."""
    # The simulator runs without credentials; these are placeholders.
    settings = LaporSettings(
        base_url=url,
        api_key="bench",
        token="bench",  # noqa: S106
        page_size=PAGE_SIZE,
    )
    connector = LaporConnector(settings, build_client(settings))
    try:
        started = time.perf_counter()
        count = 0
        for page in connector.list_changes(None):
            count += len(page.summaries) + len(page.quarantined)
        elapsed = time.perf_counter() - started
    finally:
        connector.close()
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    print(f"python {platform.python_version()} ({sys.executable})")
    print(f"cpus {cpus} (usable {usable}); complaints {args.complaints:,}; rounds {args.rounds}")

    raw_rates: list[float] = []
    conn_rates: list[float] = []
    ratios: list[float] = []
    counts: list[int] = []
    with tempfile.TemporaryFile() as log:
        proc, url = start_simulator(args.complaints, log)
        try:
            total = listed_total(url)
            print(f"simulator {url}: {total:,} complaints listed")
            run_raw(url)  # warm-ups: connections, caches, the simulator's first pages
            run_connector(url)
            for n in range(args.rounds):
                order = (run_raw, run_connector) if n % 2 == 0 else (run_connector, run_raw)
                timings = {fn: fn(url) for fn in order}
                raw_s, _ = timings[run_raw]
                conn_s, count = timings[run_connector]
                raw_rates.append(total / raw_s)
                conn_rates.append(count / conn_s)
                ratios.append(conn_rates[-1] / raw_rates[-1])
                counts.append(count)
                print(
                    f"  round {n + 1}: raw {raw_rates[-1]:>9,.0f}/s  "
                    f"connector {conn_rates[-1]:>9,.0f}/s  ratio {ratios[-1]:.3f}"
                )
        finally:
            stop_simulator(proc)

    figures = {
        "python": platform.python_version(),
        "cpus": cpus,
        "usable_cpus": usable,
        "complaints": args.complaints,
        "listed_total": total,
        "rounds": args.rounds,
        "page_size": PAGE_SIZE,
        "raw_per_s": raw_rates,
        "connector_per_s": conn_rates,
        "ratios": ratios,
        "connector_counts": counts,
        "raw_median_per_s": statistics.median(raw_rates),
        "connector_median_per_s": statistics.median(conn_rates),
        "ratio_median": statistics.median(ratios),
    }
    print()
    print(f"{'':<12}{'median complaints/s':>22}{'seconds for all':>18}")
    for name, key in (("raw", "raw_median_per_s"), ("connector", "connector_median_per_s")):
        print(f"{name:<12}{figures[key]:>22,.0f}{total / figures[key]:>18.2f}")
    print(f"{'ratio':<12}{figures['ratio_median']:>22.3f}   (connector/raw, median of rounds)")
    if any(c < total for c in counts):
        print(f"WARNING: the connector listed {counts} complaints, the raw total is {total:,}")
    elif any(c != total for c in counts):
        # The simulated world moves with the clock: a complaint may arrive, or one
        # already listed be updated and so listed again, while a listing runs.
        print(f"note: the connector listed {counts} (raw total {total:,}); extras are live changes")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
