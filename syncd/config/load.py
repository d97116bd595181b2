"""Finding and reading the configuration file.

``resolve_path`` picks the file (``-c FILE``, else ``$SYNCD_CONFIG``, else
``/etc/syncd/syncd.toml``); ``load_config`` reads it, fills in the secrets kept beside
it (``syncd.config.secrets``), validates it, and raises one ``ConfigError`` listing
every problem found. ``read_config`` does the same and also tells what it read
(``FilesRead``: the files' permission bits), for ``syncd.config.weak``.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from syncd.config.errors import ConfigError, Problem, problems_of
from syncd.config.model import Config
from syncd.config.secrets import FileRead, FilesRead, SecretReader

DEFAULT_PATH = Path("/etc/syncd/syncd.toml")
ENV_PATH = "SYNCD_CONFIG"


def resolve_path(option: Path | None, *, environ: Mapping[str, str] | None = None) -> Path:
    """The file to read: ``option``, else ``$SYNCD_CONFIG``, else the default."""
    if option is not None:
        return option
    from_env = (os.environ if environ is None else environ).get(ENV_PATH)
    return Path(from_env) if from_env else DEFAULT_PATH


def load_config(path: Path, *, environ: Mapping[str, str] | None = None) -> Config:
    """The validated configuration in ``path``; ``ConfigError`` with every problem if not.

    ``environ`` (default ``os.environ``) supplies ``$CREDENTIALS_DIRECTORY`` and the
    ``SYNCD_…`` secrets.
    """
    return read_config(path, environ=environ)[0]


def read_config(
    path: Path, *, environ: Mapping[str, str] | None = None
) -> tuple[Config, FilesRead]:
    """``load_config``, and what it read: the files' permission bits and the secrets
    written in the file itself (``syncd.config.weak`` warns about them)."""
    data, mode = _read_toml(path)
    reader = SecretReader(
        environ=os.environ if environ is None else environ, config_dir=path.parent
    )
    problems = reader.resolve(data) + _name_only_keys(data)
    unreadable = {key.removesuffix("_file") for key, _ in problems if key.endswith("_file")}
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        # A secret whose file cannot be read is reported once, at the _file key.
        problems += [problem for problem in problems_of(exc) if problem[0] not in unreadable]
    if problems:
        raise ConfigError(path, sorted(problems, key=_file_order(data)))
    return config, FilesRead(
        config_file=FileRead("", path, mode),
        secret_files=tuple(reader.files),
        inline_secrets=tuple(reader.inline),
    )


def _read_toml(path: Path) -> tuple[dict[str, Any], int]:
    """The parsed file and its permission bits."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file), stat.S_IMODE(os.fstat(file.fileno()).st_mode)
    except FileNotFoundError:
        problem = f"no such file (give -c FILE or set ${ENV_PATH}; default {DEFAULT_PATH})"
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or exc}"
    except tomllib.TOMLDecodeError as exc:
        problem = f"not valid TOML: {exc}"
    except UnicodeDecodeError:
        problem = "not valid TOML: not UTF-8 text"
    raise ConfigError(path, [("", problem)])


def _name_only_keys(data: dict[str, Any]) -> list[Problem]:
    """``alerts.from`` is ``from_`` in Python; the file must not say ``from_``."""
    alerts = data.get("alerts")
    if isinstance(alerts, dict) and "from_" in alerts:
        del alerts["from_"]
        return [("alerts.from_", 'unknown key (did you mean "from"?)')]
    return []


def _file_order(data: dict[str, Any]) -> Callable[[Problem], int]:
    """Problems by the section they are in, in the file's order (the sort is stable)."""
    sections = {name: index for index, name in enumerate(data)}

    def key(problem: Problem) -> int:
        return sections.get(problem[0].split(".", 1)[0].split("[", 1)[0], len(sections))

    return key
