"""One process holds a mirror at a time, on SQLite (a lock file beside the database)
and PostgreSQL (an advisory lock): a second is refused with the holder's name, and
the lock goes with the holder, however it ends."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from syncd.store.holder import DatabaseInUse, Holder, hold_database, lock_path
from tests.support.waiting import wait_for

FIRST = Holder("host-a", 4242, datetime(2026, 3, 2, 3, 4, 5, tzinfo=UTC))
SECOND = Holder("host-b", 5151, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

HOLD_AND_WAIT = """
import sys
from datetime import UTC, datetime
from syncd.store import make_engine
from syncd.store.holder import Holder, hold_database
url, schema = sys.argv[1], sys.argv[2]
options = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
engine = make_engine(url, **options)
lock = hold_database(engine, Holder.this_process(datetime.now(UTC)))
print("held", flush=True)
sys.stdin.read()
"""


def test_a_second_holder_is_refused_and_told_who_holds_it(engine: Engine) -> None:
    with hold_database(engine, FIRST), pytest.raises(DatabaseInUse) as refused:
        hold_database(engine, SECOND)
    assert refused.value.holder == FIRST
    assert "in use by syncd pid 4242 on host-a (since 2026-03-02 03:04:05 UTC)" in str(
        refused.value
    )
    with hold_database(engine, SECOND) as lock:  # released at the end of the block
        assert lock.holder == SECOND


def test_the_lock_goes_with_a_killed_holder(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    schema = ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, url, schema],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(DatabaseInUse) as refused:
                hold_database(engine, SECOND)
            assert refused.value.holder is not None
            assert refused.value.holder.pid == holder.pid
        finally:
            holder.send_signal(signal.SIGKILL)  # no chance to release anything
            holder.wait(30)

    def free() -> bool:
        try:
            hold_database(engine, SECOND).release()
        except DatabaseInUse:
            return False  # PostgreSQL may take a moment to see the session gone
        return True

    wait_for("the killed holder's lock freed", free, 30)


def test_the_sqlite_lock_file_sits_beside_the_database_and_names_its_holder(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    database = Path(str(sqlite_engine.url.database))
    with hold_database(sqlite_engine, FIRST):
        written = lock_path(database).read_bytes()
    assert lock_path(database) == database.resolve().with_name(database.name + ".lock")
    assert Holder.from_json(written) == FIRST
    assert lock_path(database).read_bytes() == b""  # released: nobody named
