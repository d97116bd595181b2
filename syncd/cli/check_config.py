"""``syncd check-config``: validate the configuration file."""

from __future__ import annotations

import typer

from syncd.cli.common import EXIT_CONFIG, ConfigOption


def check_config(config: ConfigOption = None) -> None:
    """Validate the configuration: exit 0, or list every problem and exit 78."""
    from syncd.config import ConfigError, load_config, resolve_path

    path = resolve_path(config)
    try:
        loaded = load_config(path)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from exc
    count = len(loaded.sources)
    typer.echo(f"config OK: {path} ({count} source{'s' if count != 1 else ''})")
