"""What the bedrock kind's event-stream → Anthropic SSE translation adds, against a direct call.

    python bench/bedrock_stream.py [--requests 300] [--kb 30] [--delta 60]

Serves one streamed answer of about `--kb` KB of text (`--delta` bytes per delta event, 60 by
default; event-stream framed with CRCs, base64 chunk payloads) from a loopback server. Each
round reads the answer directly, then again while feeding every chunk read through
BedrockStreamTranslator and encoding the events as Anthropic SSE, as the gateway's relay does.
Prints p50/p99 of both, the added p50 and its ratio to the direct call, and the translation
time alone (in socket-sized chunks and, worst case, one frame per feed). Goal: added p50 ≤ 1 ms.
A benchmark, not a test: figures vary with the machine; the ratios matter.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import statistics
import threading
import time
from collections.abc import Callable

from aiohttp import web

from switchex.fakes.anthropic import message_for
from switchex.fakes.base import Reply
from switchex.fakes.bedrock import chunk_frame
from switchex.providers.base import Json
from switchex.providers.bedrock import BedrockStreamTranslator
from switchex.sse import encode_event


def answer_events(kb: int, delta: int) -> list[Json]:
    """message_start … one text block in `delta`-byte deltas … message_stop."""
    text = ("The quick brown fox jumps over the lazy dog; " * (kb * 1024 // 45 + 1))[: kb * 1024]
    message = message_for(Reply(text=text, output_tokens=kb * 256), "us.anthropic.claude-x")
    start = {**message, "content": [], "stop_reason": None}
    events: list[Json] = [{"type": "message_start", "message": start}]
    events.append(
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    )
    for at in range(0, len(text), delta):
        piece = {"type": "text_delta", "text": text[at : at + delta]}
        events.append({"type": "content_block_delta", "index": 0, "delta": piece})
    events.append({"type": "content_block_stop", "index": 0})
    stop = {"stop_reason": "end_turn", "stop_sequence": None}
    events.append({"type": "message_delta", "delta": stop, "usage": {"output_tokens": kb * 256}})
    events.append({"type": "message_stop"})
    return events


def serve(frames: list[bytes]) -> int:
    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"content-type": "application/vnd.amazon.eventstream"}
        )
        await response.prepare(request)
        for at in range(0, len(frames), 32):  # written as an upstream flushes: a few KB at a time
            await response.write(b"".join(frames[at : at + 32]))
        await response.write_eof()
        return response

    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/stream", stream)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return port[0]


def translate(chunks: list[bytes]) -> bytes:
    translator = BedrockStreamTranslator()
    out = [encode_event(e) for chunk in chunks for e in translator.feed(chunk)]
    out += [encode_event(e) for e in translator.finish()]
    return b"".join(out)


def fetch(connection: http.client.HTTPConnection, on_chunk: Callable[[bytes], None]) -> float:
    started = time.perf_counter()
    connection.request("GET", "/stream")
    response = connection.getresponse()
    while chunk := response.read1(65536):
        on_chunk(chunk)
    return (time.perf_counter() - started) * 1000


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--kb", type=int, default=30)
    parser.add_argument("--delta", type=int, default=60, help="bytes of text per delta event")
    args = parser.parse_args()
    events = answer_events(args.kb, args.delta)
    frames = [chunk_frame(e) for e in events]
    assert translate(frames) == b"".join(encode_event(e) for e in events)
    port = serve(frames)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    direct: list[float] = []
    through: list[float] = []
    alone: list[float] = []
    for _ in range(args.requests):
        direct.append(fetch(connection, lambda chunk: None))
        translator = BedrockStreamTranslator()
        spent = [0.0]

        def feed(
            chunk: bytes,
            translator: BedrockStreamTranslator = translator,
            spent: list[float] = spent,
        ) -> None:
            started = time.perf_counter()
            for event in translator.feed(chunk):
                encode_event(event)
            spent[0] += time.perf_counter() - started

        through.append(fetch(connection, feed))
        alone.append(spent[0] * 1000)
    per_frame = []
    for _ in range(min(args.requests, 100)):
        started = time.perf_counter()
        translate(frames)
        per_frame.append((time.perf_counter() - started) * 1000)
    size = sum(map(len, frames)) / 1024
    d50, t50 = statistics.median(direct), statistics.median(through)
    print(f"answer: {len(events)} events, {size:.1f} KB event-stream, {args.requests} rounds")
    print(f"direct read          p50 {d50:.3f} ms  p99 {p(direct, 0.99):.3f} ms")
    print(
        f"read + translate     p50 {t50:.3f} ms  p99 {p(through, 0.99):.3f} ms  (x{t50 / d50:.2f})"
    )
    print(f"added p50            {t50 - d50:.3f} ms  (goal <= 1 ms)")
    print(
        f"translation alone    p50 {statistics.median(alone):.3f} ms  p99 {p(alone, 0.99):.3f} ms"
    )
    print(f"one frame per feed   p50 {statistics.median(per_frame):.3f} ms (worst-case chunking)")


if __name__ == "__main__":
    main()
