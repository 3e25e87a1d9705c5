from __future__ import annotations

import asyncio
from typing import Any

from switchex.gateway.server import CoalescingTransport

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n"


class Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else None


def coalescing() -> tuple[CoalescingTransport, Recorder]:
    raw = Recorder()
    return CoalescingTransport(raw, asyncio.get_running_loop()), raw  # type: ignore[arg-type]


async def test_the_head_leaves_with_the_first_body_write_at_once() -> None:
    transport, raw = coalescing()
    transport.write(HEAD)
    assert raw.writes == []
    transport.write(b"{}")
    assert raw.writes == [HEAD + b"{}"]
    transport.write(b"more")
    assert raw.writes[-1] == b"more"


async def test_a_head_alone_is_written_at_the_end_of_the_loop_turn() -> None:
    transport, raw = coalescing()
    transport.write(HEAD)
    await asyncio.sleep(0)
    assert raw.writes == [HEAD]


async def test_close_flushes_first_and_other_calls_pass_through() -> None:
    transport, raw = coalescing()
    transport.write(HEAD)
    transport.close()
    assert raw.writes == [HEAD] and raw.closed
    assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
