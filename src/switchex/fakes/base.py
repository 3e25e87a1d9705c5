"""A scriptable loopback server that each fake provider builds on.

Tests push `Reply` objects; each incoming model request takes the next one (or the default
when the script is empty) and the fake renders it in its own wire format. Every request the
fake receives is recorded, so tests can assert what reached the upstream (and what did not).
The server runs on its own event loop in a thread, so sync tests, benchmarks and a Claude Code
subprocess can all talk to it.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

Json = dict[str, Any]


@dataclass
class ToolCall:
    name: str
    input: Json


@dataclass
class Reply:
    """What the fake answers to one request.

    A 200 answer is made of optional `thinking`, `text` and `tool_calls`. A non-200 `status`
    answers an error in the provider's format (or `error_body` verbatim) with `headers`.
    `delay` waits before the headers; `hang` never answers; `stall` waits between stream
    events; `drop_after` closes a stream after that many events; `garbage` answers bytes
    that are not the wire format. `tool_call_text` (openai fake) prints the tool calls into
    the text in that shape, as local models do (fakes/openai_quirks.py).
    """

    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    thinking: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_body: bytes | None = None
    error_message: str = "fake error"
    delay: float = 0.0
    hang: bool = False
    stall: float = 0.0
    drop_after: int | None = None
    garbage: bool = False
    stop_reason: str | None = None
    input_tokens: int = 10
    output_tokens: int = 5
    tool_call_text: str | None = None

    @classmethod
    def from_json(cls, data: Json) -> Reply:
        calls = [ToolCall(c["name"], c.get("input", {})) for c in data.pop("tool_calls", [])]
        if "error_body" in data and isinstance(data["error_body"], str):
            data["error_body"] = data["error_body"].encode()
        return cls(tool_calls=calls, **data)


@dataclass
class Received:
    """One request as the fake saw it."""

    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    time: float

    def json(self) -> Any:
        return orjson.loads(self.body)


class FakeServer:
    """Base of the fakes: routing, script queue, request log, thread lifecycle."""

    name = "fake"

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply(text="ok")
        self.script: deque[Reply] = deque()
        self.received: list[Received] = []
        self.broken_streams = 0  # streams whose reader went away before the end
        self.port = 0
        self.tls: ssl.SSLContext | None = None  # serve https with this server context
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------
    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self.script.popleft() if self.script else self.default

    def model_requests(self) -> list[Received]:
        """Requests that asked the model for an answer (not count_tokens or probes)."""
        return [r for r in self.received if self.is_model_path(r.path)]

    def is_model_path(self, path: str) -> bool:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    # -- subclasses ------------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def record(self, request: web.Request) -> Received:
        body = await request.read()
        received = Received(
            request.path, request.query_string, dict(request.headers), body, time.time()
        )
        with self._lock:
            self.received.append(received)
        return received

    # -- lifecycle -------------------------------------------------------------------------
    def _app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/_fake/script", self._push_json)
        app.router.add_get("/_fake/received", self._received_json)
        self.routes(app)
        return app

    async def _push_json(self, request: web.Request) -> web.Response:
        for item in orjson.loads(await request.read()):
            self.push(Reply.from_json(item))
        return web.json_response({"queued": len(self.script)})

    async def _received_json(self, request: web.Request) -> web.Response:
        rows = [{"path": r.path, "time": r.time} for r in self.received]
        return web.Response(body=orjson.dumps(rows), content_type="application/json")

    async def serve(self, port: int = 0) -> None:
        """Start on the running loop (for `python -m switchex.fakes`)."""
        self._runner = web.AppRunner(
            self._app(), access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, ssl_context=self.tls)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def start(self, port: int = 0) -> FakeServer:
        """Start in a background thread; returns once the port is known."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self.serve(port))
            ready.set()
            loop.run_forever()
            assert self._runner is not None
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"fake-{self.name}", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def hold(reply: Reply) -> None:
    """Wait as the reply says before answering (delay, or forever for `hang`)."""
    if reply.hang:
        await asyncio.sleep(3600)
    if reply.delay:
        await asyncio.sleep(reply.delay)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


async def start_stream(request: web.Request, headers: dict[str, str]) -> web.StreamResponse:
    response = web.StreamResponse(
        status=200, headers={"content-type": "text/event-stream", "cache-control": "no-cache"}
    )
    for key, value in headers.items():
        response.headers[key] = value
    await response.prepare(request)
    return response


async def send_events(
    response: web.StreamResponse, chunks: list[bytes], reply: Reply, fake: FakeServer | None = None
) -> web.StreamResponse:
    """Write stream chunks as the reply says (stall between, drop after N)."""
    try:
        for index, chunk in enumerate(chunks):
            if reply.drop_after is not None and index >= reply.drop_after:
                transport = response._req.transport if response._req else None
                if transport:
                    transport.close()
                return response
            if reply.stall and index:
                await asyncio.sleep(reply.stall)
            await response.write(chunk)
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        if fake is not None:
            fake.broken_streams += 1
    return response
