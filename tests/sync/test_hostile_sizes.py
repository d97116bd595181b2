"""Answers that attack the reader itself: a body that never ends, a 1 MB gzip body
that expands to 1 GiB, 100 MB details, a listing whose ``next_page_url`` never ends.

Each is fought by a real ``syncd sync`` process: a listing that cannot be read fails
the pass loudly (exit 1, a failed run recorded); a complaint whose detail cannot be
read is quarantined with the reason and the pass goes on. Its peak resident memory
stays under 300 MB (read from its own ``/proc/self/status`` as it exits), and once
the upstream behaves again the next pass mirrors everything. The four attacks run
side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from syncd.store import make_engine
from syncd.store.tables import COMPLAINTS, QUARANTINE, RUNS
from tests.support.hostile import ATTACKS, Hosted, HostileUpstream

pytestmark = pytest.mark.integration

PEAK_LIMIT_KB = 300 * 1024
GOOD = 8
GOOD_IDS = {7000 + n for n in range(1, GOOD + 1)}

# ``syncd`` itself, writing its peak resident memory (VmHWM) to a file as it exits.
MEASURED = """
import sys
peak_file = sys.argv.pop(1)
from syncd.cli import main
try:
    main()
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    with open(peak_file, "w") as out:
        out.write(peak.split()[1])
"""


def good_records() -> list[Hosted]:
    return [
        Hosted(
            {
                "id": 7000 + n,
                "tracking_id": f"LAP{7000 + n}",
                "title": "Lampu jalan padam",
                "content": "Sudah seminggu.",
                "status_code": 1,
                "status_name": "Terverifikasi",
                "classification": "Pengaduan",
                "is_secret": False,
                "is_anonymous": False,
                "created_at": "2025-03-20 08:00:00",
                "updated_at": f"2025-03-2{n} 09:00:00",
            }
        )
        for n in range(1, GOOD + 1)
    ]


def config_for(server: HostileUpstream, folder: Path) -> Path:
    (folder / "key").write_text("k")
    (folder / "token").write_text("t")
    for secret in ("key", "token"):
        (folder / secret).chmod(0o600)
    path = folder / "syncd.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{folder / "mirror.db"}"\n'
        f'[[sources]]\nname = "lapor"\nkind = "sp4n-lapor"\nbase_url = "{server.base_url}"\n'
        f'api_key_file = "{folder / "key"}"\ntoken_file = "{folder / "token"}"\n'
        'discovery = "listing"\nmax_requests_per_second = 1000\npage_size = 10\n'
        "[alerts]\nenabled = false\n"
    )
    return path


def measured_sync(config: Path, peak: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    log = stack.enter_context((config.parent / "stderr.log").open("wb"))
    return subprocess.Popen(
        [sys.executable, "-c", MEASURED, str(peak), "sync", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "COLUMNS": "120"},
    )


def test_each_size_attack_fails_the_pass_within_bounded_memory_and_is_then_recovered(
    tmp_path: Path,
) -> None:
    with ExitStack() as stack:
        runs = {}
        for attack in ATTACKS:
            server = stack.enter_context(HostileUpstream(good_records(), attack=attack))
            folder = tmp_path / attack
            folder.mkdir()
            config = config_for(server, folder)
            runs[attack] = (server, config, measured_sync(config, folder / "peak", stack))

        peaks = {}
        for attack, (_, config, process) in runs.items():
            code = process.wait(timeout=300)
            log = (config.parent / "stderr.log").read_text()
            peaks[attack] = int((config.parent / "peak").read_text())
            engine = make_engine(f"sqlite:///{config.parent / 'mirror.db'}")
            with engine.connect() as connection:
                run = connection.execute(select(RUNS).order_by(RUNS.c.id.desc())).first()
                held = set(connection.execute(select(QUARANTINE.c.upstream_id)).scalars())
            engine.dispose()
            assert run is not None, attack
            if attack == "huge-details":
                # Each complaint is refused alone; the pass itself goes on.
                assert code == 0, f"{attack}: exit {code}\n{log}"
                assert held == GOOD_IDS, f"{attack}: quarantined {held}"
            else:
                assert code == 1, f"{attack}: exit {code}\n{log}"
                assert run.result == "error", f"{attack}: {run}"
                assert run.error_kind == "BadResponse", f"{attack}: {run.error_message}"
        print("peak resident memory, kB:", peaks)  # the figures in docs/BENCHMARKS.md
        over = {attack: kb for attack, kb in peaks.items() if kb >= PEAK_LIMIT_KB}
        assert over == {}, f"peak RSS over 300 MB: {over}"

        # The upstream behaves again: the next pass mirrors everything.
        for attack, (server, config, _) in runs.items():
            server.attack = ""
            again = measured_sync(config, config.parent / "peak", stack)
            assert again.wait(timeout=120) == 0, (config.parent / "stderr.log").read_text()
            engine = make_engine(f"sqlite:///{config.parent / 'mirror.db'}")
            with engine.connect() as connection:
                ids = set(connection.execute(select(COMPLAINTS.c.upstream_id)).scalars())
            engine.dispose()
            assert ids == GOOD_IDS, attack
