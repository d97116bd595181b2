"""``syncd db``: the mirror's schema."""

from __future__ import annotations

import typer

from syncd.cli.common import ConfigOption, JsonOption, load_or_exit, print_json

db_app = typer.Typer(help="The mirror's database.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Apply schema migrations up to the newest (with --json: the revisions before and
    after, as one object)."""
    from syncd.store import make_engine, upgrade
    from syncd.store.migrate import current_revision, head_revision

    engine = make_engine(load_or_exit(config).database.url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    head = head_revision(engine)
    engine.dispose()
    if as_json:
        print_json({"before": before, "after": after, "head": head})
        return
    if before == after:
        typer.echo(f"schema already at {after}")
    else:
        typer.echo(f"schema upgraded: {before or 'empty'} -> {after} (head {head})")
