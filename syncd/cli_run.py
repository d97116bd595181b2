"""``syncd run``: the daemon in the foreground, until SIGTERM or SIGINT."""

from __future__ import annotations

import typer

from syncd.cli_support import ConfigOption, load_or_exit, open_engine


def run(config: ConfigOption = None) -> None:
    """Run the service: sync every source, keep the clocks, send the mail, serve metrics.

    Speaks systemd's notification protocol when run as a Type=notify service.
    """
    from syncd.daemon.foreground import Foreground
    from syncd.daemon.notify import Notifier

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    try:
        code = Foreground(loaded, engine, Notifier()).run()
    finally:
        engine.dispose()
    raise typer.Exit(code)
