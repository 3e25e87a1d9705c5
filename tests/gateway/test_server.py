from __future__ import annotations

import asyncio
from typing import Any

from switchex.gateway.server import CoalescingTransport


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


async def test_writes_of_one_loop_turn_leave_in_one_system_call() -> None:
    raw = Recorder()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b"body")
    assert raw.writes == []
    await asyncio.sleep(0)
    assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
    transport.write(b"more")
    await asyncio.sleep(0)
    assert raw.writes[-1] == b"more"


async def test_close_flushes_first_and_other_calls_pass_through() -> None:
    raw = Recorder()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"last words")
    transport.close()
    assert raw.writes == [b"last words"] and raw.closed
    assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
    await asyncio.sleep(0)
    assert raw.writes == [b"last words"]  # the scheduled flush found nothing more
