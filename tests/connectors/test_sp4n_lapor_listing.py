"""The change listing over offset pages of data that moves while it is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import respx

from connectors.sp4n_lapor import LaporConnector
from tests.connectors.fake_upstream import BASE, FakeListing, fake_connector, summary
from tests.support.clocks import FakeClock

LISTING = f"{BASE}/complaints"


def connector(clock: FakeClock, **settings: object) -> LaporConnector:
    return fake_connector(clock, **{**{"page_size": 2}, **settings})


def at(second: int) -> str:
    return f"2025-03-27 10:00:{second:02d}"


def listed(c: LaporConnector, since: datetime | None = None) -> list[int]:
    return [s.id for page in c.list_changes(since) for s in page.summaries]


@respx.mock
def test_each_request_reanchors_at_the_newest_updated_at_read(clock: FakeClock) -> None:
    upstream = FakeListing([summary(i, at(i)) for i in range(1, 6)])
    respx.get(LISTING).mock(side_effect=upstream)
    assert listed(connector(clock)) == [1, 2, 3, 4, 5]
    asked = [(r.get("updated_from"), r["page"]) for r in upstream.requests]
    # updated_from is inclusive: each page repeats the anchor second's records, which
    # are not listed again. (With real page sizes the repeat is a small fraction.)
    assert asked == [(None, "1"), (at(2), "1"), (at(3), "1"), (at(4), "1")]


@respx.mock
def test_an_update_during_paging_does_not_shift_a_record_out_of_sight(clock: FakeClock) -> None:
    upstream = FakeListing([summary(i, at(i)) for i in range(1, 7)])

    def update_first_after_page_one(n: int, listing: FakeListing) -> None:
        if n == 1:  # complaint 1 is updated: it jumps to the end of the listing
            listing.touch(1, at(30))

    upstream.before_each = update_first_after_page_one
    respx.get(LISTING).mock(side_effect=upstream)
    ids = listed(connector(clock))
    # Walking page=2, 3 under one filter would have skipped complaint 3 here.
    assert sorted(set(ids)) == [1, 2, 3, 4, 5, 6]
    assert ids.count(1) == 2, "listed again with its new updated_at"


@respx.mock
def test_a_complaint_listed_twice_on_a_page_comes_through_once(clock: FakeClock) -> None:
    upstream = FakeListing([summary(1, at(1)), summary(1, at(1)), summary(2, at(2))])
    respx.get(LISTING).mock(side_effect=upstream)
    assert listed(connector(clock, page_size=10)) == [1, 2]


@respx.mock
def test_a_second_more_crowded_than_a_page_is_walked_whole(clock: FakeClock) -> None:
    crowd = [summary(i, at(5)) for i in range(10, 17)]  # seven in one second
    upstream = FakeListing([summary(1, at(1)), *crowd, summary(2, at(9))])
    respx.get(LISTING).mock(side_effect=upstream)
    ids = listed(connector(clock, page_size=3))
    assert sorted(ids) == [1, 2, *range(10, 17)]
    assert len(ids) == len(set(ids)), "nothing listed twice"


@respx.mock
def test_an_update_inside_a_crowded_second_does_not_skip_a_record(clock: FakeClock) -> None:
    crowd = [summary(i, at(5)) for i in range(10, 20)]
    upstream = FakeListing(crowd)

    def update_one_of_the_crowd(n: int, listing: FakeListing) -> None:
        if n == 2:  # while the crowd is walked by page number
            listing.touch(11, at(40))

    upstream.before_each = update_one_of_the_crowd
    respx.get(LISTING).mock(side_effect=upstream)
    assert set(listed(connector(clock, page_size=3))) == set(range(10, 20))


@respx.mock
def test_the_listing_starts_a_lookback_before_the_cursor(clock: FakeClock) -> None:
    upstream = FakeListing([summary(1, at(1))])
    respx.get(LISTING).mock(side_effect=upstream)
    since = datetime(2025, 3, 27, 3, 10, tzinfo=UTC)  # 10:10 WIB
    listed(connector(clock, lookback=timedelta(minutes=10)), since)
    assert upstream.requests[0]["updated_from"] == "2025-03-27 10:00:00"


@respx.mock
def test_a_late_write_within_the_lookback_is_listed_next_time(clock: FakeClock) -> None:
    upstream = FakeListing([summary(1, "2025-03-27 10:00:00"), summary(2, "2025-03-27 10:05:00")])
    respx.get(LISTING).mock(side_effect=upstream)
    c = connector(clock, page_size=10)
    cursor = list(c.list_changes(None))[-1].cursor
    # A transaction that began at 10:02 commits only now.
    upstream.records.append(summary(3, "2025-03-27 10:02:00"))
    assert 3 in listed(c, cursor)


@respx.mock
def test_the_cursor_is_the_newest_updated_at_listed_so_far(clock: FakeClock) -> None:
    upstream = FakeListing([summary(i, at(i)) for i in range(1, 6)])
    respx.get(LISTING).mock(side_effect=upstream)
    cursors = [page.cursor for page in connector(clock).list_changes(None)]
    wib = timedelta(hours=7)
    assert cursors == [
        datetime(2025, 3, 27, 10, 0, second, tzinfo=UTC) - wib for second in (2, 3, 4, 5)
    ]


@respx.mock
def test_the_cursor_stays_put_when_nothing_changed(clock: FakeClock) -> None:
    respx.get(LISTING).mock(side_effect=FakeListing([]))
    since = datetime(2025, 3, 27, 3, 0, tzinfo=UTC)
    pages = list(connector(clock).list_changes(since))
    assert [p.cursor for p in pages] == [since]
    assert pages[0].summaries == ()


@respx.mock
def test_a_wrong_read_ahead_guess_costs_a_request_never_a_record(clock: FakeClock) -> None:
    upstream = FakeListing([summary(i, at(i)) for i in range(1, 9)])

    def with_an_older_copy_last(request: httpx.Request) -> httpx.Response:
        # The platform repeats an older record at the end of the page: the raw body's
        # last updated_at is not the page's newest, so the guess made from it is wrong.
        response = upstream(request)
        body = response.json()
        data = body["results"]["data"]
        if data:
            data.append(dict(data[0]))
        return httpx.Response(200, json=body)

    respx.get(LISTING).mock(side_effect=with_an_older_copy_last)
    ids = listed(connector(clock, page_size=3))
    assert sorted(ids) == list(range(1, 9))
    wanted = [(None, "1"), (at(3), "1"), (at(5), "1"), (at(7), "1")]
    asked = [(r.get("updated_from"), r["page"]) for r in upstream.requests]
    assert [a for a in asked if a in wanted] == wanted
    assert len(asked) > len(wanted), "the wrong guesses were sent, and dropped"
