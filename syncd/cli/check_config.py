"""``syncd check-config``: validate the configuration file, and say what is weak in it.

``syncd run`` loads its configuration through ``load_and_warn``, so that the weak
settings ``check-config`` prints are in the service's start-up log too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from syncd.cli.common import EXIT_CONFIG, ConfigOption, JsonOption, print_json

if TYPE_CHECKING:
    from syncd.config import Config

log = logging.getLogger("syncd.config")


def check_config(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Validate the configuration: exit 0, or list every problem and exit 78.

    Weak settings (TLS not verified, metrics beyond loopback, secrets readable by
    others, mail without a link…) are listed on stderr; they do not change the exit
    code. With --json, one object on stdout: ok, the problems or the warnings."""
    from syncd.config import ConfigError, read_config, resolve_path, weak_settings

    path = resolve_path(config)
    try:
        loaded, files = read_config(path)
    except ConfigError as exc:
        if as_json:
            problems = [{"key": key, "message": message} for key, message in exc.problems]
            print_json({"path": str(path), "ok": False, "problems": problems})
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from exc
    warnings = weak_settings(loaded, files)
    if as_json:
        print_json(
            {
                "path": str(path),
                "ok": True,
                "sources": len(loaded.sources),
                "warnings": [{"key": key, "message": message} for key, message in warnings],
            }
        )
        return
    for key, message in warnings:
        typer.echo(f"WARNING {key}: {message}", err=True)
    count = len(loaded.sources)
    summary = f"{count} source{'s' if count != 1 else ''}"
    if warnings:
        summary += f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    typer.echo(f"config OK: {path} ({summary})")


def load_and_warn(config: Path | None) -> Config:
    """The configuration, or exit 78 with every problem; each weak setting is logged
    at WARNING."""
    from syncd.config import ConfigError, read_config, resolve_path, weak_settings

    try:
        loaded, files = read_config(resolve_path(config))
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from exc
    for key, message in weak_settings(loaded, files):
        log.warning("weak setting: key=%s %s", key, message)
    return loaded
