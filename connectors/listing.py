"""Reading a change listing ahead: the next page is asked for before this one is parsed.

Where the next listing request starts depends on the newest ``updated_at`` of the
page before it, which is known for sure only once that page is parsed and validated.
A regular expression over the raw body gives a guess first; the guessed request is
sent at once, so the platform prepares the next page while this one is parsed. The
listing then asks for the request it really needs: the guess is used only if it is
exactly that, and is otherwise dropped. A wrong guess costs one request, never a
record.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.base import ChangePage

_UPDATED_AT = re.compile(rb'"updated_at"\s*:\s*"([0-9 :-]{19})"')
_LAST_PAGE = re.compile(rb'"next_page_url"\s*:\s*null')

Key = tuple[datetime | None, int]
Fetch = Callable[[datetime | None, int, Callable[[bytes | bytearray], None]], dict[str, Any]]


def next_request(anchor: datetime | None, page: int, newest: datetime | None) -> Key:
    """The (anchor, page) to ask for after a page whose newest record is ``newest``.

    A newer record moves the anchor there and starts again at page 1; a page that
    is one crowded second from end to end steps to the next page under the anchor.
    """
    if newest is not None and (anchor is None or newest > anchor):
        return newest, 1
    return anchor, page + 1


@dataclass
class ListingState:
    """Where a change listing stands between two requests."""

    anchor: datetime | None
    page: int = 1
    high_water: datetime | None = None
    # Records listed at or after the anchor, with the updated_at listed. Older ones
    # cannot come back under this anchor, so the map stays as small as one second.
    seen: dict[int, datetime] = field(default_factory=dict)
    # Malformed records already reported in this listing, by (id, reason).
    quarantined: set[tuple[int | None, str]] = field(default_factory=set)


def advance(state: ListingState, newest: datetime | None) -> None:
    anchor, page = next_request(state.anchor, state.page, newest)
    if anchor != state.anchor:
        # Every record listed at the new anchor second comes back on page 1; older
        # ones cannot come back under it.
        state.seen = {i: t for i, t in state.seen.items() if anchor is None or t >= anchor}
    state.anchor, state.page = anchor, page


def merge_reread(page: ChangePage, extra: ChangePage) -> ChangePage:
    """The page with what re-reading the page before it found (``extra``)."""
    if not extra.summaries and not extra.quarantined:
        return page
    return ChangePage(
        page.summaries + extra.summaries, page.quarantined + extra.quarantined, extra.cursor
    )


class ReadAhead:
    """Listing requests, each possibly sent already on a guess from the page before.

    ``fetch(anchor, page, peek)`` performs one listing request and calls ``peek`` with
    each raw body before parsing it; ``instant`` turns a raw ``updated_at`` into the
    instant the listing anchors on. At most one guessed request is outstanding
    beyond the one asked for, so a slow consumer never has pages piling up.
    """

    def __init__(self, fetch: Fetch, instant: Callable[[str], datetime]) -> None:
        self._fetch = fetch
        self._instant = instant
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lapor-listing")
        self._lock = threading.Lock()
        self._asked: Key | None = None
        self._guesses: dict[Key, Future[dict[str, Any]]] = {}
        self._hints: dict[Key, Key] = {}  # the request each page's raw body points to

    def get(self, anchor: datetime | None, page: int) -> dict[str, Any]:
        """The answer to this listing request, from a guess made earlier if it was right."""
        key = (anchor, page)
        with self._lock:
            self._asked = key
            future = self._guesses.pop(key, None)
            self._guesses.clear()  # any other guess was wrong; its answer is dropped
        if future is None:
            future = self._submit(key)
        results = future.result()
        with self._lock:
            hint = self._hints.pop(key, None)
            self._hints.clear()
            if hint is not None and hint not in self._guesses:
                # This page had arrived before it was asked for: guess on from it now.
                self._guesses[hint] = self._submit(hint)
        return results

    def close(self) -> None:
        # A request still running finishes in the background; nobody waits for it.
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, key: Key, started: threading.Event | None = None) -> Future[dict[str, Any]]:
        anchor, page = key

        def request() -> dict[str, Any]:
            if started is not None:
                started.set()
            return self._fetch(anchor, page, lambda body: self._peek(key, body))

        return self._pool.submit(request)

    def _peek(self, key: Key, body: bytes | bytearray) -> None:
        hint = self._hint(key, body)
        if hint is None:
            return
        started = threading.Event()
        with self._lock:
            self._hints[key] = hint
            if self._asked != key or hint in self._guesses:
                return
            self._guesses[hint] = self._submit(hint, started)
        # Parsing this body next would hold the GIL for milliseconds, and the guessed
        # request would wait for it: let that request get under way first.
        started.wait(timeout=0.05)

    def _hint(self, key: Key, body: bytes | bytearray) -> Key | None:
        if _LAST_PAGE.search(body):
            return None
        # Pages are sorted by updated_at: the last one in the body is the newest. An
        # unsorted page only makes a wrong guess, which is dropped.
        at = body.rfind(b'"updated_at"')
        match = _UPDATED_AT.match(body, at) if at >= 0 else None
        if match is None:
            return None
        try:
            return next_request(*key, self._instant(match.group(1).decode()))
        except ValueError:
            return None
