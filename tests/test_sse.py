from __future__ import annotations

import time
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from switchex.gateway.summary import ResponseSummary, StreamObserver
from switchex.sse import SSEParser, encode_event

STREAM = (
    b": comment\n"
    b'event: message_start\ndata: {"a": 1}\n\n'
    b"data: first line\ndata: second line\n\n"
    b"event: ping\r\ndata: {}\r\n\r\n"
    b"data: caf\xc3\xa9\n\n"
)
EXPECTED = [
    ("message_start", '{"a": 1}'),
    ("", "first line\nsecond line"),
    ("ping", "{}"),
    ("", "café"),
]


def parse(chunks: list[bytes]) -> list[tuple[str, str]]:
    parser = SSEParser()
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return events + parser.finish()


def test_events_comments_multiline_data_and_crlf() -> None:
    assert parse([STREAM]) == EXPECTED


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert parse(chunks) == EXPECTED


def test_a_stream_without_its_final_blank_line_still_yields_its_last_event() -> None:
    assert parse([b"data: last"]) == [("", "last")]


def test_encoded_events_parse_back() -> None:
    event = {"type": "content_block_delta", "delta": {"text": "ü\n"}}
    assert parse([encode_event(event)]) == [
        ("content_block_delta", '{"type":"content_block_delta","delta":{"text":"ü\\n"}}')
    ]


def _feed_seconds(feed: Callable[[bytes], object], size: int) -> float:
    """Seconds spent taking in a `size`-byte SSE line, 64 KB at a time, before its end
    arrives (best of 5): what buffering an unfinished line costs."""
    chunk = b"x" * 65536
    best = float("inf")
    for _ in range(5):
        feed(b"data: ")
        began = time.perf_counter()
        for _ in range(size // len(chunk)):
            feed(chunk)
        best = min(best, time.perf_counter() - began)
        feed(b"\n\n")
    return best


SMALL, LARGE = 5 * 1024 * 1024, 20 * 1024 * 1024  # 4x


def test_a_huge_line_costs_linear_time() -> None:
    """4x the line, about 4x the time (quadratic buffering: about 16x, measured 12-26x)."""
    small = _feed_seconds(SSEParser().feed, SMALL)
    large = _feed_seconds(SSEParser().feed, LARGE)
    assert large / small < 8


def test_the_relay_observer_is_linear_on_a_huge_event_too() -> None:
    small = _feed_seconds(StreamObserver(ResponseSummary()).feed, SMALL)
    large = _feed_seconds(StreamObserver(ResponseSummary()).feed, LARGE)
    assert large / small < 8


def test_a_huge_line_still_parses() -> None:
    parser = SSEParser()
    pieces = [b"event: big\ndata: ", b"y" * 70000, b"z" * 70000, b"\n", b"\n"]
    events = [event for piece in pieces for event in parser.feed(piece)]
    assert events == [("big", "y" * 70000 + "z" * 70000)]
