"""A real Prometheus (Debian's package) on loopback, scraping what a test serves."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.network import free_port
from tests.support.processes import running
from tests.support.waiting import wait_for


@contextmanager
def prometheus_scraping(
    folder: Path, targets: Sequence[str], rule_files: Sequence[Path] = ()
) -> Iterator[str]:
    """Prometheus scraping ``targets`` every second with ``rule_files`` loaded, its
    data under ``folder``; yields its base URL once it is ready."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed: apt-get install prometheus")
    port = free_port()
    config = folder / "prometheus.yml"
    config.write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(path) for path in rule_files],
                "scrape_configs": [{"job_name": "syncd", "static_configs": [{"targets": targets}]}],
            }
        )
    )
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={folder / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    base = f"http://127.0.0.1:{port}"
    with running(command, folder / "prometheus.log", stdout_to_log=False):
        wait_for("prometheus", lambda: httpx.get(f"{base}/-/ready").status_code == 200)
        yield base


def query(base: str, expr: str) -> list[dict[str, Any]]:
    """An instant query's result vector; the query must succeed."""
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}).json()
    assert answer["status"] == "success", (expr, answer)
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result
