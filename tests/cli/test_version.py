"""``syncd --version``: the package's version, with the git revision when known."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import syncd
from syncd.cli import app
from syncd.cli.version import revision
from tests.support.processes import run_syncd

CHECKOUT = Path(syncd.__file__).parents[1]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_it_prints_the_version_and_the_checked_out_revision() -> None:
    if not (CHECKOUT / ".git").exists():
        pytest.skip("not run from a git checkout")
    result = CliRunner().invoke(app, ["--version"])

    assert result.exit_code == 0, result.output
    head = git("rev-parse", "--short=7", "HEAD", cwd=CHECKOUT)
    assert re.fullmatch(
        rf"syncd {re.escape(syncd.__version__)} \(rev {head}(-dirty)?\)\n", result.stdout
    ), result.stdout


def test_a_copy_outside_a_checkout_reads_the_revision_a_build_wrote(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "syncd"
    package.mkdir(parents=True)
    assert revision(package) != "0123abc"  # nothing baked yet
    (package / "REVISION").write_text("0123abc\n")

    assert revision(package) == "0123abc"


def test_a_checkout_wins_over_a_stale_revision_file(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "f").write_text("x")
    git("add", "f", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one", cwd=tmp_path)
    package = tmp_path / "syncd"
    package.mkdir()
    (package / "REVISION").write_text("0123abc\n")

    assert revision(package) == git("rev-parse", "--short=7", "HEAD", cwd=tmp_path)
    (tmp_path / "f").write_text("changed")
    assert revision(package) == git("rev-parse", "--short=7", "HEAD", cwd=tmp_path) + "-dirty"


@pytest.mark.integration
def test_it_still_answers_without_git(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # a PATH with no git on it

    shown = run_syncd("--version", env=env)

    assert shown.returncode == 0, shown.stderr
    assert re.fullmatch(r"syncd \S+( \(rev [0-9a-f]{7}\))?\n", shown.stdout), shown.stdout
