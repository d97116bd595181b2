"""The simulator as a user of it sees it: over HTTP, seeded, and alive over time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.simulator.world import DAY
from tests.support.clocks import FakeClock
from tests.support.processes import SYNCD

START = 1_795_000_000


def world(clock: FakeClock, **settings: object) -> World:
    merged: dict[str, object] = {"complaints": 400, "seed": 3}
    merged.update(settings)
    return World.generate(WorldSettings(**merged), clock=clock)  # type: ignore[arg-type]


def test_the_same_seed_makes_the_same_world() -> None:
    assert world(FakeClock(START)).truth() == world(FakeClock(START)).truth()
    assert world(FakeClock(START)).truth() != world(FakeClock(START), seed=4).truth()


def test_complaints_arrive_and_progress_as_time_passes() -> None:
    clock = FakeClock(START)
    w = world(clock)
    before = w.truth()
    assert len(before) == 400
    clock.advance(5 * DAY)
    after = w.truth()
    assert len(after) > len(before), "new complaints arrived"
    moved = [cid for cid in before if after[cid].summary.status != before[cid].summary.status]
    assert moved, "some complaints changed status"


def test_the_world_has_the_situations_the_clocks_must_handle() -> None:
    w = world(FakeClock(START), complaints=2000)
    details = list(w.truth().values())

    def has(predicate: object) -> bool:
        return any(predicate(d) for d in details)  # type: ignore[operator]

    transfer = "Bukan Wewenang"
    assert has(lambda d: any(transfer in log.content for log in d.logs))
    assert has(
        lambda d: (
            d.summary.status.name == "Tertunda"
            or any(log.status_new.name == "Tertunda" for log in d.logs)
        )
    )
    assert has(lambda d: any(f.is_reporter for f in d.followups))
    assert has(lambda d: sum(1 for f in d.followups if not f.is_reporter) >= 2)  # second cycle
    assert has(lambda d: d.summary.is_secret)
    assert has(lambda d: d.summary.status.name in ("Diarsipkan", "Ditolak"))
    # Some agencies answer late: more than 7 calendar days (over 5 working days).
    late = 0
    for d in details:
        dispositions = [log.created_at for log in d.logs if log.institution_to is not None]
        answers = [f.created_at for f in d.followups if not f.is_reporter]
        if dispositions and answers and (answers[0] - dispositions[0]).days > 7:
            late += 1
    assert late > 0


@pytest.mark.integration
def test_it_serves_the_api_under_the_gateway_prefix_and_at_the_root() -> None:
    w = world(FakeClock(START), complaints=30)
    with Simulator(w) as sim, httpx.Client(base_url=sim.base_url) as client:
        listing = client.get("/complaints", params={"page": 1, "page_size": 10}).json()
        prefixed = client.get("/lapor/3.0.0/complaints", params={"page": 1, "page_size": 10})
        assert prefixed.json() == listing
        assert listing["success"] is True
        results = listing["results"]
        assert (results["total"], results["last_page"], len(results["data"])) == (30, 3, 10)
        first = results["data"][0]["id"]
        detail = client.get(f"/complaints/{first}/complaint").json()["results"]
        assert detail["data"]["id"] == first
        assert {"data", "data_logs"} <= detail.keys()
        assert client.get("/complaints/1/complaint").status_code == 404
        assert client.get("/nowhere").status_code == 404
        bad = client.get("/complaints", params={"page_size": 5000})
        assert bad.status_code == 422


@pytest.mark.integration
def test_a_removed_complaint_leaves_the_listing_and_answers_404() -> None:
    clock = FakeClock(START)
    w = world(clock, vanish_rate=0.2)
    doomed = [c for c in w.complaints.values() if c.removed_at and c.removed_at > START]
    assert doomed
    victim = min(doomed, key=lambda c: c.removed_at or 0)
    with Simulator(w) as sim, httpx.Client(base_url=sim.base_url) as client:
        assert client.get(f"/complaints/{victim.id}/complaint").status_code == 200
        clock.now = victim.removed_at or 0
        assert client.get(f"/complaints/{victim.id}/complaint").status_code == 404
        assert victim.id not in w.listed_ids()


@pytest.mark.integration
def test_credentials_are_checked_when_required() -> None:
    w = world(FakeClock(START), complaints=5)
    faults = Faults(api_key="k", token="t")
    with Simulator(w, faults) as sim, httpx.Client(base_url=sim.base_url) as client:
        assert client.get("/complaints").status_code == 401
        ok = {"Authorization": "Bearer k", "token": "t"}
        assert client.get("/complaints", headers=ok).status_code == 200
        legacy = {"auth": "Bearer k", "token": "t"}
        assert client.get("/complaints", headers=legacy).status_code == 200
        assert client.get("/complaints", headers={**ok, "token": "x"}).status_code == 403


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served() -> Iterator[str]:
    """``syncd simulate --complaints 1000`` running as a user would start it."""
    port = free_port()
    syncd = SYNCD
    proc = subprocess.Popen(
        [str(syncd), "simulate", "--listen", f"127.0.0.1:{port}", "--complaints", "1000"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.stderr is not None
    banner = proc.stderr.readline()  # printed once the socket listens
    assert f"127.0.0.1:{port}" in banner, banner
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        proc.stderr.close()
        assert code == 0


@pytest.mark.integration
def test_syncd_simulate_serves_pages_a_curl_user_can_walk(served: str) -> None:
    seen: list[int] = []
    url: str | None = f"{served}/complaints?page=1&page_size=100"
    with httpx.Client() as client:
        while url is not None:
            results = client.get(url).json()["results"]
            seen.extend(record["id"] for record in results["data"])
            url = results["next_page_url"]
        assert len(seen) == len(set(seen)) == 1000
        detail = client.get(f"{served}/complaints/{seen[0]}/complaint")
        assert detail.json()["results"]["data"]["id"] == seen[0]
