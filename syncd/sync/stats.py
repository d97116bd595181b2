"""What a pass did, and the hooks a caller follows while it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from connectors.errors import ConnectorError
from syncd.store.transaction import StoreError
from syncd.vocabulary import RunResult


class UnexpectedError(Exception):
    """Anything else a pass raised: a defect, or an input nobody foresaw.

    It is still a failed run, never a silent ok. Its message names the exception's
    type and where it was raised, never the exception's own text: that can quote
    the upstream record, and a confidential complaint's title must not reach the
    run record or the logs.
    """

    kind = "internal"

    def __init__(self, cause: BaseException) -> None:
        frame = cause.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = ""
        if frame is not None:
            code = frame.tb_frame.f_code
            where = f" in {code.co_name} ({code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno})"
        super().__init__(f"unexpected {type(cause).__name__}{where}")


PassError = ConnectorError | StoreError | UnexpectedError


@dataclass
class PassStats:
    """What a pass did; ``error`` is set when it failed."""

    source: str
    full: bool
    listed: int = 0
    unchanged: int = 0
    fetched: int = 0
    written: int = 0
    quarantined: int = 0
    vanished: int = 0
    pages: int = 0
    seconds: float = 0.0
    error: PassError | None = None
    cursor: datetime | None = None
    tracked: bool = False
    """A pass of tracked checks (``listed``: the ids checked), not of the listing."""
    stopped: bool = False
    """Asked to stop: it ended after the page it was writing, and resumes from there."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def result(self) -> RunResult:
        return RunResult.of(ok=self.ok, stopped=self.stopped)


@dataclass
class Progress:
    """Hooks a caller (the CLI's progress bar, the daemon's logs) can follow."""

    listing_total: Callable[[int], None] = lambda total: None
    listed: Callable[[int], None] = lambda n: None
    to_fetch: Callable[[int], None] = lambda n: None
    """More complaints changed, whose details are now to be fetched."""
    fetched: Callable[[int], None] = lambda n: None
