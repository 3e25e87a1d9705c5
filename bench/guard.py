"""What the Host/Origin/content-type checks and the inbound limits cost per request.

    python bench/guard.py [--requests 20000]

Three figures, each against the same work without the check, same run:
1. the app's guard (`App._check`: Host, Origin, Sec-Fetch, content type) on Claude Code's
   real header set, against building the header dict alone (which the endpoints do anyway);
2. the HTTP protocol with limits (head and header counts, the watchdog timer) against the
   same protocol without them (uvicorn's httptools one with joined response heads), both
   parsing the same Claude Code request and answering it with a trivial app;
3. the request shape check (`validate_request`) on a Claude-Code-shaped body, for scale.
Target (issue 9): the checks add at most 20 µs p50 per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from uvicorn.config import Config as UvicornConfig
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import claude_code_body

from switchex.config import parse_config
from switchex.gateway import asgi
from switchex.gateway.app import App, create_gateway
from switchex.gateway.server import CoalescingHttpToolsProtocol, CoalescingTransport
from switchex.gateway.validate import validate_request

PORT = 8000
HEADERS = {  # what Claude Code 2.1.332 sends (observed), minus nothing
    "accept": "application/json",
    "content-type": "application/json",
    "user-agent": "claude-cli/2.1.332 (external, sdk-cli)",
    "x-claude-code-session-id": "1f4f7d4c-1630-43e8-8311-72a59f0d0981",
    "x-stainless-arch": "x64",
    "x-stainless-lang": "js",
    "x-stainless-os": "Linux",
    "x-stainless-package-version": "0.128.0",
    "x-stainless-retry-count": "0",
    "x-stainless-runtime": "node",
    "x-stainless-runtime-version": "v26.12.1",
    "x-stainless-timeout": "600",
    "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
    "anthropic-dangerous-direct-browser-access": "true",
    "anthropic-version": "2023-06-01",
    "x-api-key": "test",
    "x-app": "cli",
    "connection": "keep-alive",
    "host": f"127.0.0.1:{PORT}",
    "accept-encoding": "gzip, deflate, br, zstd",
}


def p50_us(run: Callable[[], Any], n: int) -> float:
    samples = []
    for _ in range(n):
        began = time.perf_counter_ns()
        run()
        samples.append(time.perf_counter_ns() - began)
    return statistics.median(samples) / 1000


def guard_cost(n: int) -> tuple[float, float]:
    config = parse_config({"tiers": [{"name": "c", "provider": "anthropic"}]}, {}, "bench")
    app = App(create_gateway(config, None))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/messages",
        "server": ("127.0.0.1", PORT),
        "headers": [(k.encode(), v.encode()) for k, v in HEADERS.items()],
    }
    assert app._check("POST", "/v1/messages", scope) is None
    base = p50_us(lambda: asgi.request_headers(scope), n)
    checked = p50_us(lambda: app._check("POST", "/v1/messages", scope), n)
    return base, checked


class Sink(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()

    def write(self, data: Any) -> None:
        self.out += data

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", PORT) if name in ("peername", "sockname") else default

    def pause_reading(self) -> None:
        pass

    def close(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class CoalescingOnly(HttpToolsProtocol):
    """The gateway's protocol before limits: the joined response head alone."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]


async def trivial(scope: Any, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"{}"})


async def protocol_cost(cls: type[HttpToolsProtocol], request: bytes, n: int) -> float:
    config = UvicornConfig(trivial, lifespan="off", log_level="error", proxy_headers=False)
    config.load()
    protocol = cls(config=config, server_state=ServerState(), app_state={})
    sink = Sink()
    protocol.connection_made(sink)
    samples = []
    for _ in range(n):
        began = time.perf_counter_ns()
        protocol.data_received(request)
        while not sink.out.endswith(b"{}"):
            await asyncio.sleep(0)
        samples.append(time.perf_counter_ns() - began)
        sink.out.clear()
    protocol.connection_lost(None)
    return statistics.median(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    n = parser.parse_args().requests
    body = orjson.dumps(claude_code_body(stream=True))
    head = "".join(f"{k}: {v}\r\n" for k, v in {**HEADERS, "content-length": len(body)}.items())
    request = f"POST /v1/messages?beta=true HTTP/1.1\r\n{head}\r\n".encode() + body

    base, checked = guard_cost(n)
    plain = asyncio.run(protocol_cost(CoalescingOnly, request, n // 4))
    limited = asyncio.run(protocol_cost(CoalescingHttpToolsProtocol, request, n // 4))
    shape = p50_us(lambda: validate_request(orjson.loads(body)), n // 20)
    parse = p50_us(lambda: orjson.loads(body), n // 20)
    added = (checked - base) + (limited - plain)
    print(f"guard: headers dict {base:.2f} µs, + checks {checked:.2f} µs ({checked - base:+.2f})")
    print(
        f"protocol p50: plain {plain:.1f} µs, with limits {limited:.1f} µs ({limited - plain:+.1f})"
    )
    print(f"Host/Origin/limit checks added per request: {added:.1f} µs p50 (target ≤ 20)")
    print(
        f"request shape check on a {len(body) // 1024} KB Claude Code body: parse {parse:.1f} µs,"
    )
    print(f"  parse + validate {shape:.1f} µs ({shape - parse:+.1f})")


if __name__ == "__main__":
    main()
