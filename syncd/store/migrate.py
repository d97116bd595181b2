"""Schema migrations with Alembic, run from code (``syncd db upgrade``, ``syncd run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


TALLIES_FROM = "0004"
"""The revision that introduced the running totals the metrics read."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is there already.

    An upgrade that introduces the running totals fills them from the mirror, with
    the code of this version: a migration script would have to freeze its own copy.
    """
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), revision)
    after = current_revision(engine)
    if before is not None and after is not None and before < TALLIES_FROM <= after:
        from syncd.store.tally import rebuild

        with engine.begin() as connection:
            rebuild(connection)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
