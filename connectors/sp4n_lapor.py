"""The SP4N-LAPOR! V3 integration API connector (CONTRACT.md section 1).

Listing changes over offset pages of data that moves while it is read is the hard
part. Instead of walking ``page=1, 2, 3`` under one ``updated_from`` (where a
complaint updated meanwhile jumps to the end and shifts every later page, so one
record is silently skipped), each request re-anchors ``updated_from`` at the newest
``updated_at`` read so far and asks for page 1 again. Only when a whole page shares
one second does it step to page 2, 3 … under the same anchor, and then it re-reads
the previous page after each step to catch a record the shift pushed back.
Records already listed at the anchor second are not listed twice. The next request
is sent while a page is parsed (``connectors.listing``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from connectors.base import ChangePage, DetailResult, InstitutionResult
from connectors.budget import RequestBudget
from connectors.envelope import GONE, page_of, results_of
from connectors.errors import BadResponse, ClientRequestError
from connectors.http import JsonGetter, ResponseObserver
from connectors.listing import ListingState, ReadAhead, advance, merge_reread
from connectors.quarantine import quarantine
from connectors.records import (
    PRESENT_SKEW,
    ComplaintSummary,
    Followup,
    QuarantineItem,
    Vanished,
)
from connectors.sp4n_lapor_settings import MAX_PAGE_SIZE, LaporSettings, build_client
from connectors.sp4n_lapor_shapes import platform_timestamp
from connectors.sp4n_lapor_wire import WireTranslator

log = logging.getLogger(__name__)

MAX_LISTING_PAGES = 20_000
"""Listing requests in one pass: ten million changes at 500 a page. A listing whose
``next_page_url`` never ends fails the pass there (what was committed stays)."""
MAX_PAGES_IN_ONE_SECOND = 200
"""Pages stepped through under one anchor second: far more than any real second
holds, and the bound on what a listing keeps in memory to skip repeats."""
MAX_PAGES = 200
"""Pages of one complaint's followups, or of the institutions."""
MAX_FOLLOWUPS = 10_000
"""Followups of one complaint; a real one has tens."""

__all__ = ["MAX_PAGE_SIZE", "LaporConnector", "LaporSettings", "build_client"]


class LaporConnector:
    """Reads one agency's (or one credential's) view of SP4N-LAPOR!.

    The ``client`` is passed in, so tests can point it at a fake or at the simulator;
    its ``base_url`` must be the platform's base URL. The connector sets its
    credential headers on that client: give each connector a client of its own.
    """

    def __init__(
        self,
        settings: LaporSettings,
        client: httpx.Client,
        *,
        observe: ResponseObserver | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._client = client
        self._clock = clock
        self._translate = WireTranslator(
            ZoneInfo(settings.timezone), settings.status_map, settings.status_names
        )
        self._zone = ZoneInfo(settings.timezone)
        # The credentials go on the client once, not merged into every request: at
        # thousands of requests a second, httpx's header handling is a real cost.
        client.headers.update(
            {
                settings.auth_header: f"Bearer {settings.api_key}",
                "token": settings.token,
                "Accept": "application/json",
                "Accept-Encoding": "gzip, deflate",  # what `_decoded` inflates in bounded steps
            }
        )
        budget = None
        if settings.max_requests_per_second is not None or settings.max_concurrency is not None:
            budget = RequestBudget(
                settings.max_requests_per_second,
                settings.max_concurrency,
                # The wall clock may be set back; spacing requests wants one that is not.
                clock=time.monotonic if clock is time.time else clock,
                sleep=sleep,
            )
        self._http = JsonGetter(
            client=client,
            retry=settings.retry,
            observe=observe,
            sleep=sleep,
            clock=clock,
            budget=budget,
            max_response_bytes=settings.max_response_bytes,
        )

    @property
    def unknown_status_codes(self) -> Mapping[int | None, int]:
        """Status codes seen that the mapping does not know, with how often."""
        return self._translate.unknown_status_codes

    def close(self) -> None:
        self._client.close()

    def probe_listing(self) -> bool:
        """Whether the gateway offers the change listing: False when it answers 404 or
        405 (as real gateways do), True when it lists; other errors are raised."""
        try:
            self._http.get("/complaints", {"page": 1, "page_size": 1}, shape=page_of)
        except ClientRequestError as exc:
            if exc.status_code in (404, 405):
                return False
            raise
        return True

    # -- the change listing ---------------------------------------------------------

    def list_changes(self, since: datetime | None) -> Iterator[ChangePage]:
        start = since - self.settings.lookback if since is not None else None
        state = ListingState(anchor=start, high_water=since)
        ahead = ReadAhead(
            self._listing_page, lambda raw: self._translate.instant(platform_timestamp(raw))
        )
        requests = 0
        try:
            while True:
                requests += 1
                if requests > MAX_LISTING_PAGES or state.page > MAX_PAGES_IN_ONE_SECOND:
                    raise BadResponse(
                        f"the listing does not end: {requests - 1} pages read, "
                        f"{state.page - 1} of them under one second; this pass stops here"
                    )
                results = ahead.get(state.anchor, state.page)
                records: list[Any] = results["data"]
                newest = self._newest(records)
                page = self._take(records, state, newest)
                total = results.get("total")
                if isinstance(total, int):
                    page = replace(page, matching=total)
                if state.page > 1:
                    # Stepping through one crowded second: re-read the page before,
                    # in case an update moved a record out of it and shifted this one.
                    previous = self._listing_page(state.anchor, state.page - 1)["data"]
                    extra = self._take(previous, state, newest)
                    if extra.summaries or extra.quarantined:
                        log.info(
                            "listing: re-read found %d record(s) shifted by updates",
                            len(extra.summaries),
                        )
                    page = merge_reread(page, extra)
                if results.get("next_page_url") is None:
                    yield page
                    return
                advance(state, newest)
                yield page
        finally:
            ahead.close()

    def _listing_page(
        self,
        anchor: datetime | None,
        page: int,
        peek: Callable[[bytes | bytearray], None] | None = None,
    ) -> dict[str, Any]:
        params: dict[str, str | int] = {"page": page, "page_size": self.settings.page_size}
        if anchor is not None:
            params["updated_from"] = self._wall_time(anchor)
        return self._http.get("/complaints", params, shape=page_of, peek=peek)

    def _newest(self, records: list[Any]) -> datetime | None:
        """The newest readable ``updated_at`` on a page, malformed records included.

        Any record's true ``updated_at`` is a safe anchor, whatever else is wrong
        with it. The usual fixed-width form sorts as text, so one parse is enough;
        a page in other forms is parsed whole.
        """
        stamps: list[str] = []
        for record in records:
            stamp = record.get("updated_at") if isinstance(record, dict) else None
            if isinstance(stamp, str):
                stamps.append(stamp)
        horizon = self._horizon()
        if not all(len(s) == 19 and s[4] == "-" and s[10] == " " for s in stamps):
            instants = []
            for stamp in stamps:
                try:
                    instant = self._translate.instant(platform_timestamp(stamp))
                except (OverflowError, ValueError):
                    continue
                if instant <= horizon:
                    instants.append(instant)
            return max(instants, default=None)
        while stamps:
            stamp = max(stamps)
            try:
                newest = self._translate.instant(platform_timestamp(stamp))
            except (OverflowError, ValueError):
                newest = None
            if newest is not None and newest <= horizon:
                return newest
            stamps.remove(stamp)
        return None

    def _horizon(self) -> datetime:
        """The latest instant a record may be dated and believed (``PRESENT_SKEW``)."""
        return datetime.fromtimestamp(self._clock(), UTC) + PRESENT_SKEW

    def _take(self, records: list[Any], state: ListingState, newest: datetime | None) -> ChangePage:
        """The page's records not listed before, and the cursor once it is committed."""
        summaries: list[ComplaintSummary] = []
        quarantined: list[QuarantineItem] = []
        horizon = self._horizon()
        for read in self._translate.summaries(records):
            item = read
            if isinstance(read, ComplaintSummary) and read.updated_at > horizon:
                item = quarantine(
                    "summary",
                    _listed_copy(read),
                    f"updated_at {read.updated_at.isoformat()} is later than the present",
                    upstream_id=read.id,
                )
            if isinstance(item, QuarantineItem):
                if (item.upstream_id, item.reason) not in state.quarantined:
                    state.quarantined.add((item.upstream_id, item.reason))
                    quarantined.append(item)
                continue
            listed = state.seen.get(item.id)
            if listed is not None and listed >= item.updated_at:
                continue  # listed twice, or an older copy of what was listed
            state.seen[item.id] = item.updated_at
            summaries.append(item)
        if newest is not None and (state.high_water is None or newest > state.high_water):
            state.high_water = newest
        return ChangePage(tuple(summaries), tuple(quarantined), state.high_water)

    def _wall_time(self, instant: datetime) -> str:
        return instant.astimezone(self._zone).strftime("%Y-%m-%d %H:%M:%S")

    # -- details ----------------------------------------------------------------------

    def fetch_details(self, ids: Iterable[int]) -> Iterator[DetailResult]:
        """Details as they complete (not in the order asked), ``concurrency`` at once.

        One slow complaint (a retry waiting out its backoff) does not hold up the
        others. The first error that survives its retries stops the whole fetch.
        """
        window = self.settings.concurrency * 4
        pending: set[Future[DetailResult]] = set()
        with ThreadPoolExecutor(
            max_workers=self.settings.concurrency, thread_name_prefix="lapor-detail"
        ) as pool:
            try:
                for complaint_id in ids:
                    pending.add(pool.submit(self.fetch_detail, complaint_id))
                    if len(pending) >= window:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        yield from (future.result() for future in done)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (future.result() for future in done)
            finally:
                for future in pending:
                    future.cancel()

    def fetch_detail(self, complaint_id: int) -> DetailResult:
        """One complaint's detail with all its followups, or why there is none.

        Only the detail's own 404 or 410 means the complaint vanished. A complaint
        whose answer stays unreadable after the retries (a body too large, not JSON,
        of the wrong shape, followups that never end) is quarantined with the reason,
        so the complaints after it are still read; a platform that is down (5xx,
        timeouts) or refuses us still fails the pass.
        """
        detail = self._detail_of(complaint_id)
        if not isinstance(detail, dict):
            return detail
        try:
            followups = self._followups(complaint_id, detail)
        except BadResponse as exc:
            followups = quarantine(
                "detail", detail, f"the followups cannot be read: {exc}", upstream_id=complaint_id
            )
        except ClientRequestError as exc:
            if exc.status_code not in GONE:
                raise
            # The complaint is there (its detail answered): its followups are not.
            followups = quarantine(
                "detail",
                detail,
                f"the followups answered HTTP {exc.status_code}",
                upstream_id=complaint_id,
            )
        if isinstance(followups, QuarantineItem):
            return followups
        followups.sort(key=lambda f: (f.created_at, f.id))
        return self._translate.detail(complaint_id, detail, followups)

    def _detail_of(self, complaint_id: int) -> dict[str, Any] | DetailResult:
        """The detail's ``results``, or what stands for the complaint without them."""
        try:
            detail = self._http.get(f"/complaints/{complaint_id}/complaint", shape=results_of)
        except ClientRequestError as exc:
            if exc.status_code in GONE:
                return Vanished(complaint_id)
            raise
        except BadResponse as exc:
            reason = f"the detail cannot be read: {exc}"
            return quarantine("detail", {}, reason, upstream_id=complaint_id)
        data = detail.get("data")
        answered = data.get("id") if isinstance(data, dict) else None
        if (
            isinstance(answered, int)
            and not isinstance(answered, bool)
            and answered != complaint_id
        ):
            reason = f"asked for complaint {complaint_id}, the platform answered with {answered}"
            return quarantine("detail", detail, reason, upstream_id=complaint_id)
        return detail

    def _followups(
        self, complaint_id: int, detail: dict[str, Any]
    ) -> list[Followup] | QuarantineItem:
        followups: list[Followup] = []
        for results in self._pages(f"/complaints/{complaint_id}/followups", {}):
            if len(followups) + len(results["data"]) > MAX_FOLLOWUPS:
                raise BadResponse(
                    f"complaint {complaint_id} has more than {MAX_FOLLOWUPS} followups"
                )
            for payload in results["data"]:
                item = self._translate.followup(payload)
                if isinstance(item, QuarantineItem):
                    # A complaint missing one followup would show a false breach:
                    # keep the whole complaint out until the platform sends it whole.
                    return quarantine(
                        "followup",
                        {"complaint": detail, "followup": payload},
                        f"followup {item.upstream_id}: {item.reason}",
                        upstream_id=complaint_id,
                    )
                if item is not None:  # None: a platform entry, no agency's answer
                    followups.append(item)
        # A page repeated (its offset shifted by a new followup) lists some twice.
        return list({f.id: f for f in followups}.values())

    # -- institutions ---------------------------------------------------------------

    def list_institutions(self) -> Iterator[InstitutionResult]:
        for results in self._pages("/masters/institutions/external", {"page_size": MAX_PAGE_SIZE}):
            records = results["data"]
            for payload in records:
                yield self._translate.institution(payload)
            if not records:
                return

    def _pages(self, path: str, params: dict[str, str | int]) -> Iterator[dict[str, Any]]:
        """Each page's ``results`` of a paged path, from page 1 while ``next_page_url``
        says there is more."""
        page = 1
        while True:
            if page > MAX_PAGES:
                raise BadResponse(f"{path} does not end: {MAX_PAGES} pages read")
            results = self._http.get(path, {"page": page, **params}, shape=page_of)
            yield results
            if results.get("next_page_url") is None:
                return
            page += 1


def _listed_copy(summary: ComplaintSummary) -> dict[str, Any]:
    """What quarantine keeps of a listed record it refused: a confidential one's
    title not at all."""
    copy: dict[str, Any] = {
        "id": summary.id,
        "tracking_id": summary.tracking_id,
        "is_secret": summary.is_secret,
        "updated_at": summary.updated_at.isoformat(),
    }
    if not summary.is_secret:
        copy["title"] = summary.title
    return copy
