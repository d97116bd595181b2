"""What is read of one response: at most ``max_response_bytes`` after decompression,
inflated a bounded step at a time; beyond it the response is a bad one."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
import pytest
import respx

from connectors.errors import BadResponse
from connectors.retry import RetryPolicy
from tests.connectors.fake_upstream import BASE, envelope, fake_connector, summary
from tests.support.clocks import FakeClock

LISTING = f"{BASE}/complaints"
PAGE = json.dumps(envelope({"data": [summary(1)], "next_page_url": None})).encode()
CAP = 64 * 1024


def listed(clock: FakeClock) -> list[int]:
    connector = fake_connector(clock, retry=RetryPolicy(attempts=2), max_response_bytes=CAP)
    return [s.id for page in connector.list_changes(None) for s in page.summaries]


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),  # zlib-wrapped, as the RFC says
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some servers send
        ("", PAGE),
    ],
)
@respx.mock
def test_an_ordinary_body_is_read_in_each_encoding(
    clock: FakeClock, encoding: str, body: bytes
) -> None:
    headers = {"Content-Encoding": encoding} if encoding else {}
    respx.get(LISTING).mock(return_value=httpx.Response(200, content=body, headers=headers))
    assert listed(clock) == [1]


@respx.mock
def test_a_compression_bomb_is_refused_once_it_expands_past_the_cap(clock: FakeClock) -> None:
    bomb = gzip.compress(b'{"results": {"data": [], "pad": "' + b"a" * (50 * CAP) + b'"}}')
    assert len(bomb) < CAP // 4  # small on the wire
    respx.get(LISTING).mock(
        return_value=httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(BadResponse, match=f"larger than {CAP} bytes"):
        listed(clock)


@respx.mock
def test_a_body_over_the_cap_is_refused_whether_or_not_its_length_is_declared(
    clock: FakeClock,
) -> None:
    big = b" " * (CAP + 1) + PAGE
    respx.get(LISTING).mock(
        side_effect=[
            httpx.Response(200, content=big),  # Content-Length declared: refused unread
            httpx.Response(200, content=iter([big[:CAP], big[CAP:]])),  # streamed
        ]
    )
    with pytest.raises(BadResponse, match="larger than"):
        listed(clock)
    assert respx.calls.call_count == 2  # both were tried, as retries
