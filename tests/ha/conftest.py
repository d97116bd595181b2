"""Each test's cluster gets a PostgreSQL schema of its own (``postgresql_engine``),
with the ledger of commits installed; its sessions are named after the schema."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from tests.ha.scenario import HaDatabase
from tests.support.database import database_url
from tests.support.ledger import install_ledger


@pytest.fixture
def ha_database(postgresql_engine: Engine) -> HaDatabase:
    install_ledger(postgresql_engine)
    with postgresql_engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return HaDatabase(postgresql_engine, database_url(postgresql_engine), str(schema))
