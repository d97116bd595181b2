"""Whatever a pass raises, it is a failed run: recorded with its kind, never ok, and
the last success does not move (so ``/readyz`` turns 503 when it is stale)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from connectors.base import ChangePage
from syncd.metrics.server import Readiness
from syncd.metrics.snapshot import last_success_at
from syncd.store.tables import RUNS
from syncd.sync import SyncPass

NOW = datetime(2025, 4, 1, 3, 0, tzinfo=UTC)
SECRET = "Pungli kepala desa"


class Exploding:
    """A connector whose listing raises what nobody foresaw, quoting a record."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def list_changes(self, since: datetime | None) -> Iterator[ChangePage]:
        raise self.error
        yield  # pragma: no cover - a generator, as a listing is


@pytest.mark.parametrize(
    "error",
    [OverflowError("date value out of range"), KeyError(SECRET), TypeError(f"bad {SECRET}")],
)
def test_an_unforeseen_exception_is_a_failed_run_that_quotes_nothing(
    engine: Engine, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    stats = SyncPass(engine, Exploding(error), "lapor", clock=lambda: NOW).run()  # type: ignore[arg-type]

    assert not stats.ok
    assert stats.error is not None and stats.error.kind == "internal"
    with engine.connect() as connection:
        run = connection.execute(select(RUNS)).one()
        assert last_success_at(connection, "lapor") is None
    assert run.result == "error" and run.error_kind == "internal"
    assert type(error).__name__ in run.error_message
    assert "list_changes" in run.error_message  # where it was raised, for the operator
    assert SECRET not in run.error_message and SECRET not in caplog.text


def test_readiness_says_the_source_failed_and_how(engine: Engine) -> None:
    SyncPass(engine, Exploding(OverflowError("x")), "lapor", clock=lambda: NOW).run()  # type: ignore[arg-type]

    readiness = Readiness(engine, {"lapor": timedelta(minutes=2)}, clock=lambda: NOW)
    reasons = readiness.check()

    assert reasons == {
        "sources": {"lapor": "no successful sync yet; the last run failed (internal)"}
    }
