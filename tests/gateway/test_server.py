from __future__ import annotations

import asyncio
import http.client
import threading
import time
from typing import Any

import uvicorn
import uvloop

from switchex.gateway.server import CoalescingHttpToolsProtocol, CoalescingTransport

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


class Spy:
    """Records every write to the socket transport it wraps."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.raw.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


async def _hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"11")]}
    )
    await send({"type": "http.response.body", "body": b'{"ok":true}'})


def test_the_installed_uvicorn_runs_the_coalescing_protocol() -> None:
    """On the uvicorn pinned in pyproject.toml, with `switchex up`'s settings (uvloop), the
    subclass is what serves connections, and a response head leaves in the same write as
    its body."""
    server = uvicorn.Server(
        uvicorn.Config(
            _hello,
            host="127.0.0.1",
            port=0,
            loop="uvloop",
            http=CoalescingHttpToolsProtocol,
            lifespan="off",
            log_level="error",
            access_log=False,
        )
    )
    runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    thread = threading.Thread(target=runner.run, args=(server.serve(),), daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        client.request("GET", "/")
        assert client.getresponse().read() == b'{"ok":true}'
        (protocol,) = server.server_state.connections
        assert type(protocol) is CoalescingHttpToolsProtocol
        assert isinstance(protocol.transport, CoalescingTransport)
        spy = Spy(protocol.transport._transport)
        protocol.transport._transport = spy  # between requests: the loop is idle
        client.request("GET", "/")
        assert client.getresponse().read() == b'{"ok":true}'
        assert len(spy.writes) == 1
        assert spy.writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
        assert spy.writes[0].endswith(b'\r\n\r\n{"ok":true}')
        client.close()
    finally:
        server.should_exit = True
        thread.join(10)
        runner.close()
