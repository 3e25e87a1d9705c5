"""The event bus behind `GET /events`: nothing to do without listeners, coalesced writes."""

from __future__ import annotations

import asyncio
import threading

from switchex.gateway.events import FLUSH_SECONDS, EventBus


async def test_events_reach_every_listener_coalesced_in_one_write() -> None:
    bus = EventBus()
    first, second = bus.subscribe(), bus.subscribe()
    for n in range(3):
        bus.publish("request", {"n": n})
    await asyncio.sleep(FLUSH_SECONDS * 2)
    for queue in (first, second):
        frame = queue.get_nowait()
        assert frame is not None
        assert frame.count(b"event: request\n") == 3 and b'data: {"n":2}' in frame
        assert queue.empty()


async def test_events_from_another_thread_hop_onto_the_loop() -> None:
    bus = EventBus()
    queue = bus.subscribe()
    thread = threading.Thread(target=bus.publish, args=("snapshot", {"repo": "/r"}))
    thread.start()
    thread.join()
    frame = await asyncio.wait_for(queue.get(), 2)
    assert frame is not None and b"event: snapshot" in frame


async def test_without_listeners_publishing_keeps_nothing() -> None:
    bus = EventBus()
    bus.publish("request", {"n": 1})
    queue = bus.subscribe()
    await asyncio.sleep(FLUSH_SECONDS * 2)
    assert queue.empty()
    bus.unsubscribe(queue)
    assert bus.listeners == 0


async def test_close_ends_the_streams() -> None:
    bus = EventBus()
    queue = bus.subscribe()
    bus.close()
    assert await asyncio.wait_for(queue.get(), 2) is None
