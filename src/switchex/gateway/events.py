"""The gateway's live event bus, fed to dashboards over Server-Sent Events (`GET /events`).

Invariants: publishing never blocks and never raises; with no subscriber it is one length
check, so the request path pays nothing for a dashboard nobody has open. A slow subscriber
loses events (its queue is bounded) instead of holding memory; the page re-reads the state
on every event anyway. Publishing from another thread (the tracker's) hops onto the loop.
Events are coalesced for FLUSH_SECONDS, so a busy gateway writes to each listener ten times a
second at most, whatever its request rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import orjson

from switchex.gateway import asgi

QUEUE_SIZE = 256
KEEPALIVE_SECONDS = 15.0
FLUSH_SECONDS = 0.1


class EventBus:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[bytes | None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._pending: list[bytes] = []

    @property
    def listeners(self) -> int:
        return len(self._queues)

    def publish(self, kind: str, data: Any) -> None:
        """Queue one event for every subscriber (from any thread)."""
        if not self._queues:
            return
        frame = b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"
        if threading.get_ident() == self._thread:
            self._batch(frame)
        elif self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._batch, frame)

    def _batch(self, frame: bytes) -> None:
        """Coalesce: listeners get one write per FLUSH_SECONDS, not one per request."""
        self._pending.append(frame)
        if len(self._pending) == 1 and self._loop is not None:
            self._loop.call_later(FLUSH_SECONDS, self._flush)

    def _flush(self) -> None:
        frames, self._pending = b"".join(self._pending), []
        self._deliver(frames)

    def _deliver(self, frame: bytes | None) -> None:
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(frame)

    def close(self) -> None:
        """End every stream (at shutdown), from any thread."""
        if self._loop is not None and self._queues:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._deliver, None)

    def subscribe(self) -> asyncio.Queue[bytes | None]:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[bytes | None]) -> None:
        self._queues.discard(queue)

    async def stream(self, receive: asgi.Receive, send: asgi.Send) -> None:
        """Serve one `text/event-stream` until the client leaves or the gateway stops."""
        queue = self.subscribe()
        headers = [
            (b"content-type", b"text/event-stream"),
            (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),
        ]
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send(
                {"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True}
            )
            while not gone.done():
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait(
                    {getter, gone}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if getter not in done:
                    getter.cancel()
                    frame: bytes | None = b": keepalive\n\n"
                else:
                    frame = getter.result()
                if frame is None or gone.done():
                    break
                await send({"type": "http.response.body", "body": frame, "more_body": True})
            if not gone.done():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass
        finally:
            gone.cancel()
            self.unsubscribe(queue)


async def _disconnected(receive: asgi.Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
