"""``syncd db``: the mirror's schema."""

from __future__ import annotations

import typer

from syncd.cli.common import ConfigOption, load_or_exit

db_app = typer.Typer(help="The mirror's database.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply schema migrations up to the newest."""
    from syncd.store import make_engine, upgrade
    from syncd.store.migrate import current_revision, head_revision

    engine = make_engine(load_or_exit(config).database.url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    engine.dispose()
    if before == after:
        typer.echo(f"schema already at {after}")
    else:
        typer.echo(
            f"schema upgraded: {before or 'empty'} -> {after} (head {head_revision(engine)})"
        )
