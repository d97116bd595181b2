"""What ``syncd --version`` prints: ``syncd 0.1.0 (rev abc1234)``.

The version is the installed package's metadata. The revision, when known, is the
first that answers of:

1. git, when the package runs from a checkout (``pip install -e .``, ``make``): the
   commit checked out now, with ``-dirty`` when tracked files changed;
2. ``syncd/REVISION``, a file a build writes before packaging
   (``git rev-parse --short HEAD > syncd/REVISION``);
3. the commit pip recorded when it installed from a git URL (PEP 610
   ``direct_url.json``).

None of them is needed: without git, a checkout or a record, the line has no
revision, and ``--version`` still exits 0.
"""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import syncd

PACKAGE = Path(syncd.__file__).parent
GIT = ["git"]
"""Found on PATH: an operator's git, whichever it is (its answer is only shown)."""
GIT_TIMEOUT = 5.0
SHORT = 7


def version_line() -> str:
    rev = revision(PACKAGE)
    return f"syncd {syncd.__version__}" + (f" (rev {rev})" if rev else "")


def revision(package: Path) -> str | None:
    """The revision the code in ``package`` was built from, or ``None``."""
    return _from_git(package.parent) or _from_file(package / "REVISION") or _from_pip()


def _from_git(root: Path) -> str | None:
    if not (root / ".git").exists():
        return None  # an installed copy: git would answer for whatever repository holds it
    try:
        described = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            # the commit's hash, never a tag's name; -dirty when tracked files changed
            [
                *GIT,
                "-C",
                str(root),
                "describe",
                "--always",
                "--exclude=*",
                f"--abbrev={SHORT}",
                "--dirty",
            ],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git, not a repository git can read, or too slow
    return described.stdout.strip() or None


def _from_file(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text[:40] or None


def _from_pip() -> str | None:
    try:
        recorded = distribution("syncd").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    try:
        commit = json.loads(recorded or "{}").get("vcs_info", {}).get("commit_id")
    except (ValueError, AttributeError):
        return None
    return commit[:SHORT] if isinstance(commit, str) and commit else None
