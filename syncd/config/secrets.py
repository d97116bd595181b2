"""Secrets given beside the file: ``x_file`` or ``SYNCD_<SECTION>_<NAME>_<X>``.

Each secret ``x`` (``api_key`` and ``token`` of a source, ``password`` of
``alerts.smtp``) is taken, in this order, from

1. ``x`` in the file;
2. ``x_file``: a file holding it. A relative path is
   relative to ``$CREDENTIALS_DIRECTORY`` (systemd ``LoadCredential=``) if set, else
   to the configuration file's directory;
3. the environment: ``SYNCD_SOURCES_<NAME>_API_KEY``, ``SYNCD_SOURCES_<NAME>_TOKEN``
   (the source name upper-cased, other than letters and digits as ``_``) and
   ``SYNCD_ALERTS_SMTP_PASSWORD``.

An empty string counts as not given, so ``password_file = ""`` means "none"; line
ends at the end of a file are dropped. Giving both ``x`` and ``x_file`` is a problem.
This runs on the parsed TOML before validation: it replaces ``x_file`` by ``x`` and
reports what it cannot read, never the secret itself. It notes what the weak-settings
check needs to know: each secret file's permission bits, and which secrets the
configuration file itself holds.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncd.config.errors import Problem

SOURCE_SECRETS = ("api_key", "token")
SMTP_SECRETS = ("password",)


def env_name(*parts: str) -> str:
    """``SYNCD_SOURCES_LAPOR_API_KEY`` from ``("sources", "lapor", "api_key")``."""
    return "_".join(["SYNCD", *(re.sub(r"[^A-Z0-9]", "_", part.upper()) for part in parts)])


@dataclass(frozen=True)
class FileRead:
    """A file the configuration was read from: the key that named it
    (``sources[0].token_file``; empty for the configuration file), and its permission
    bits (``0o600``)."""

    key: str
    path: Path
    mode: int


@dataclass(frozen=True)
class FilesRead:
    """What loading a configuration read besides its values, for the weak-settings
    check: the permission bits of the configuration file and of each secret file, and
    the key paths of the secrets written in the configuration file itself."""

    config_file: FileRead | None = None
    secret_files: tuple[FileRead, ...] = ()
    inline_secrets: tuple[str, ...] = ()


@dataclass
class SecretReader:
    environ: Mapping[str, str]
    config_dir: Path
    files: list[FileRead] = field(default_factory=list, init=False)
    """Each secret file read."""
    inline: list[str] = field(default_factory=list, init=False)
    """The key path of each secret given in the configuration file itself."""

    @property
    def base_dir(self) -> Path:
        credentials = self.environ.get("CREDENTIALS_DIRECTORY")
        return Path(credentials) if credentials else self.config_dir

    def resolve(self, data: dict[str, Any]) -> list[Problem]:
        """Fill in every secret of the parsed file ``data``, in place; the problems."""
        problems: list[Problem] = []
        sources = data.get("sources")
        if isinstance(sources, list):
            for index, source in enumerate(sources):
                if isinstance(source, dict):
                    name = source.get("name")
                    env = ("sources", name) if isinstance(name, str) and name else None
                    problems += self._table(source, f"sources[{index}]", SOURCE_SECRETS, env)
        # The environment may hold the SMTP password of a file without [alerts.smtp].
        alerts = data.setdefault("alerts", {})
        smtp = alerts.setdefault("smtp", {}) if isinstance(alerts, dict) else None
        if isinstance(smtp, dict):
            problems += self._table(smtp, "alerts.smtp", SMTP_SECRETS, ("alerts", "smtp"))
        return problems

    def _table(
        self,
        table: dict[str, Any],
        path: str,
        secrets: tuple[str, ...],
        env: tuple[str, ...] | None,
    ) -> list[Problem]:
        problems: list[Problem] = []
        for secret in secrets:
            file_key = f"{secret}_file"
            given = table.get(secret) not in (None, "")
            named = table.pop(file_key, None)
            if table.get(secret) == "":
                del table[secret]
            if given:
                self.inline.append(f"{path}.{secret}")
            if named not in (None, ""):
                if given:
                    problems.append((f"{path}.{secret}", f"give {secret} or {file_key}, not both"))
                elif not isinstance(named, str):
                    problems.append((f"{path}.{file_key}", "expected a file path (a string)"))
                else:
                    file = self.base_dir / Path(named).expanduser()
                    value, problem, mode = _read_secret(file)
                    if problem:
                        problems.append((f"{path}.{file_key}", problem))
                    else:
                        table[secret] = value
                        self.files.append(FileRead(f"{path}.{file_key}", file, mode))
            elif not given and env is not None:
                value = self.environ.get(env_name(*env, secret))
                if value:
                    table[secret] = value
        return problems


def read_secret_file(path: Path) -> tuple[str | None, str | None]:
    """A secret from a file (a systemd credential, say): the value, or the problem."""
    value, problem, _ = _read_secret(path)
    return value, problem


def _read_secret(path: Path) -> tuple[str | None, str | None, int]:
    """(value, problem, permission bits): the bits are those of the file read."""
    try:
        with path.open(encoding="utf-8") as file:
            mode = stat.S_IMODE(os.fstat(file.fileno()).st_mode)
            value = file.read().rstrip("\r\n")
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}", 0
    except UnicodeDecodeError:
        return None, f"cannot read {path}: not UTF-8 text", 0
    if not value:
        return None, f"{path} is empty", 0
    return value, None, mode
