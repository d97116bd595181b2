"""The fixtures every test folder may use come from ``tests/support/``: an injected
clock, a mirror database on SQLite and PostgreSQL, a real SMTP server, the simulator.

A test that needs a server or another process is an integration test: those using
the database, SMTP or simulator fixtures are marked so here, and ``make test-fast``
runs the others alone.
"""

from __future__ import annotations

import pytest

from tests.support.clocks import FakeClock

pytest_plugins = ["tests.support.database", "tests.support.smtp", "tests.support.simulator"]

SERVER_FIXTURES = {"engine", "postgresql_engine", "smtp", "connectors"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
