"""StreamHead: what of a relayed stream's head is content, and what is a failure."""

from __future__ import annotations

import pytest

from switchex.errors import FailureKind, SwitchableError
from switchex.fakes.anthropic import message_for, stream_events
from switchex.fakes.base import Reply
from switchex.gateway.hold import MAX_HELD, StreamHead

EVENTS = stream_events(message_for(Reply(text="hi"), "claude-x"))
OVERLOADED = (
    b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
    b'"message":"Overloaded"}}\n\n'
)


def feed_bytewise(data: bytes) -> tuple[StreamHead, int | None]:
    """Feed one byte at a time; the offset at which the head said "commit" (None: never)."""
    head = StreamHead()
    for index in range(len(data)):
        if head.feed(data[index : index + 1]):
            return head, index + 1
    return head, None


def test_a_normal_stream_commits_at_the_first_content_block_whatever_the_split() -> None:
    data = b"".join(EVENTS)
    _, at = feed_bytewise(data)
    assert at == len(b"".join(EVENTS[:3]))  # message_start, ping, content_block_start


def test_the_common_case_commits_on_one_chunk() -> None:
    assert StreamHead().feed(b"".join(EVENTS[:3]))


def test_a_content_less_answer_commits_at_message_stop() -> None:
    assert StreamHead().feed(EVENTS[0] + EVENTS[-2] + EVENTS[-1])


def test_an_error_event_after_message_start_is_overloaded() -> None:
    head = StreamHead()
    assert not head.feed(EVENTS[0] + EVENTS[1])
    with pytest.raises(SwitchableError) as raised:
        head.feed(OVERLOADED)
    assert raised.value.kind is FailureKind.OVERLOADED
    assert raised.value.status == 529


@pytest.mark.parametrize(
    "body", [b"<!DOCTYPE html><html>", b'{"type":"error"}', b"\n\n  Bad gateway", b"\x00\xff"]
)
def test_a_body_that_is_not_sse_is_a_bad_response(body: bytes) -> None:
    with pytest.raises(SwitchableError) as raised:
        feed_bytewise(body)
    assert raised.value.kind is FailureKind.BAD_RESPONSE


def test_a_field_name_split_over_chunks_is_waited_for() -> None:
    head = StreamHead()
    assert not head.feed(b"\nev")
    assert not head.feed(b"ent: message_start\ndata: {}\n\n")
    assert head.feed(EVENTS[2])


def test_a_stream_that_ends_before_content_is_a_server_error() -> None:
    head = StreamHead()
    head.feed(EVENTS[0])
    assert head.ended().kind is FailureKind.SERVER_ERROR
    assert StreamHead().ended().kind is FailureKind.SERVER_ERROR


def test_an_error_event_without_its_blank_line_is_still_the_error() -> None:
    head = StreamHead()
    assert not head.feed(OVERLOADED.rstrip(b"\n"))
    assert head.ended().kind is FailureKind.OVERLOADED


def test_a_huge_head_without_content_is_committed_rather_than_held_forever() -> None:
    head = StreamHead()
    pings = b": keepalive\n\n" * (MAX_HELD // 13 + 2)
    assert head.feed(EVENTS[0] + pings)
