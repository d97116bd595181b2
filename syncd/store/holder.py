"""One ``syncd run`` per database: a lock taken at start and held for the process's life.

- SQLite: an exclusive ``flock`` on ``<database>.lock`` beside the database file, with
  the holder's host, pid and start written in it. The kernel frees it when the
  process ends, however it ends (SIGKILL, the OOM killer). The file is never deleted:
  a process that had opened it meanwhile would lock a file nobody else looks at.
- PostgreSQL: a session-level advisory lock on a connection of its own, its key
  derived from the database and schema; the server frees it when the session ends.
  The holder records itself in ``database_holder`` so that a second process can name
  it. (Standbys sharing a database are the high-availability issue's, CONTRACT.md
  section 8; until then the second process stops.)
- An in-memory SQLite database is its process's alone: there is nothing to lock.

A second process gets ``DatabaseInUse``, which names the holder (host, pid, since).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlalchemy.exc import DBAPIError

from syncd.store.tables import HOLDER

_MAX_LOCK_FILE = 4096


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    started_at: datetime

    @classmethod
    def this_process(cls, now: datetime) -> Holder:
        return cls(socket.gethostname(), os.getpid(), now)

    def __str__(self) -> str:
        since = self.started_at.astimezone(UTC)
        return f"pid {self.pid} on {self.host} (since {since:%Y-%m-%d %H:%M:%S} UTC)"

    def to_json(self) -> str:
        started = self.started_at.isoformat()
        return json.dumps({"host": self.host, "pid": self.pid, "started_at": started}) + "\n"

    @classmethod
    def from_json(cls, data: bytes) -> Holder | None:
        """The holder a lock file names; None when it is empty or unreadable."""
        try:
            found: Any = json.loads(data)
            return cls(
                str(found["host"]), int(found["pid"]), datetime.fromisoformat(found["started_at"])
            )
        except (ValueError, TypeError, KeyError):
            return None


class DatabaseInUse(Exception):
    """Another process holds the database."""

    def __init__(self, database: str, holder: Holder | None) -> None:
        self.database = database
        self.holder = holder
        who = f"syncd {holder}" if holder else "another syncd process (not named yet)"
        super().__init__(f"{database} is in use by {who}: only one `syncd run` may use a database")


class DatabaseLock:
    """Held until ``release`` (or the end of its with-block)."""

    def __init__(self, database: str, holder: Holder) -> None:
        self.database = database
        self.holder = holder

    def release(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_path(database: Path) -> Path:
    """Where the lock of the SQLite database ``database`` lives: beside it."""
    resolved = database.resolve()
    return resolved.with_name(resolved.name + ".lock")


class FileLock(DatabaseLock):
    """``flock`` on the SQLite database's lock file."""

    def __init__(self, database: Path, holder: Holder) -> None:
        super().__init__(str(database.resolve()), holder)
        self.path = lock_path(database)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            named = Holder.from_json(os.pread(fd, _MAX_LOCK_FILE, 0))
            os.close(fd)
            raise DatabaseInUse(self.database, named) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.to_json().encode(), 0)
        self._fd: int | None = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # the lock goes with the descriptor


def advisory_key(database: str, schema: str) -> int:
    """The advisory lock's key for a mirror: one per database and schema."""
    digest = hashlib.blake2b(f"syncd run:{database}:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLock(DatabaseLock):
    """A PostgreSQL session-level advisory lock, on a connection kept for the purpose.

    The connection is discarded at release rather than returned to the pool: a pooled
    session would keep the lock.
    """

    def __init__(self, engine: Engine, holder: Holder) -> None:
        connection = engine.connect()
        try:
            name, schema = connection.execute(
                text("SELECT current_database(), current_schema()")
            ).one()
            super().__init__(f"PostgreSQL database {name!r} (schema {schema!r})", holder)
            key = advisory_key(name, schema)
            locked = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
            ).scalar_one()
            connection.commit()
            if not locked:
                raise DatabaseInUse(self.database, _recorded_holder(connection))
            with connection.begin():
                connection.execute(delete(HOLDER))
                connection.execute(
                    insert(HOLDER).values(
                        host=holder.host, pid=holder.pid, started_at=holder.started_at
                    )
                )
        except BaseException:
            connection.invalidate()
            connection.close()
            raise
        self._connection: Connection | None = connection

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        h = HOLDER.c
        try:
            with connection.begin():
                connection.execute(
                    delete(HOLDER).where(h.host == self.holder.host, h.pid == self.holder.pid)
                )
        except DBAPIError:
            pass  # the session is gone already, and the lock with it
        finally:
            connection.invalidate()  # ends the session: the lock goes with it
            connection.close()


def _recorded_holder(connection: Connection) -> Holder | None:
    h = HOLDER.c
    try:
        row = connection.execute(
            select(h.host, h.pid, h.started_at).order_by(h.id.desc()).limit(1)
        ).first()
    except DBAPIError:  # a holder from before the table existed
        connection.rollback()
        return None
    return None if row is None else Holder(row.host, row.pid, row.started_at)


def hold_database(engine: Engine, holder: Holder) -> DatabaseLock:
    """Takes the database of ``engine`` (at its newest schema) for ``holder``; raises
    ``DatabaseInUse`` when another process holds it."""
    if engine.dialect.name != "sqlite":
        return AdvisoryLock(engine, holder)
    database = engine.url.database
    if not database or database == ":memory:":
        return DatabaseLock(":memory:", holder)
    return FileLock(Path(database), holder)
