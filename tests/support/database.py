"""A fresh mirror database per test: SQLite in a temp file, or PostgreSQL (the real
server on 127.0.0.1:5432) in a schema of its own; ``engine`` runs a test on both."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text

from syncd.store import make_engine, upgrade

POSTGRES_URL = os.environ.get(
    "SYNCD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'mirror.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgresql_engine() -> Iterator[Engine]:
    """A schema of its own on the real server, dropped afterwards."""
    schema = f"syncd_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on both databases syncd supports."""
    fixture: Engine = request.getfixturevalue(f"{request.param}_engine")
    return fixture


def database_url(engine: Engine) -> str:
    """The URL of the ``engine`` fixture's database, its PostgreSQL schema included,
    for a configuration file that another process reads."""
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
