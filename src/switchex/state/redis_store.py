"""Router state shared through Redis: cooldowns, the probe claim, switch events.

Invariants:
- The request path reads only the router's memory. Redis is written off the hot path (a task
  per change) and read by one subscriber task that applies other replicas' changes.
- A cooldown in Redis only grows: the Lua script refuses an `until` not later than the stored
  one and a clear meant for an older cooldown, and publishes only what it accepted.
- The probe after an expiry is claimed with `SET NX PX` on a key naming the cooldown, so one
  request in the whole team probes it.
- Redis unreachable: the replica keeps serving from memory (logged once), claims probes
  locally, and on reconnection pushes its own cooldowns and pulls everyone's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from switchex.gateway.router import Router, SwitchEvent, TierState
from switchex.state.base import probe_claimed

log = logging.getLogger("switchex.state")

PREFIX = "switchex:"
CHANNEL = PREFIX + "events"
COOLDOWN = PREFIX + "cooldown:"
PROBE = PREFIX + "probe:"
RETRY_SECONDS = 0.5
KEEP_SECONDS = 86400  # a cooldown record outlives its expiry by a day (failure counts)

# KEYS[1] cooldown hash. ARGV: op, until (set) or cleared until (clear), reason, failures,
# channel, message. Returns 1 when applied, else the stored {until, reason, failures}.
UPDATE = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local wanted = tonumber(ARGV[2])
if ARGV[1] == 'set' then
  if stored >= wanted then
    return redis.call('HMGET', KEYS[1], 'until', 'reason', 'failures')
  end
  redis.call('HSET', KEYS[1], 'until', ARGV[2], 'reason', ARGV[3], 'failures', ARGV[4])
  redis.call('EXPIREAT', KEYS[1], math.ceil(wanted) + KEEP)
else
  if stored > wanted then
    return redis.call('HMGET', KEYS[1], 'until', 'reason', 'failures')
  end
  redis.call('DEL', KEYS[1])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
""".replace("KEEP", str(KEEP_SECONDS))


class RedisStore:
    """A `StateStore` on one Redis server (`state: redis://…`)."""

    shared = True

    def __init__(self, url: str, claim_ttl: float = 120.0) -> None:
        self.url = url
        self.claim_ttl = claim_ttl
        self.origin = secrets.token_hex(6)
        self.down = False
        self._router: Router | None = None
        self._on_remote_switch: Callable[[SwitchEvent], None] = lambda event: None
        self._client: redis.Redis | None = None
        self._task: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Task[None]] = set()
        self._synced = asyncio.Event()

    # -- wiring ---------------------------------------------------------------------------
    def bind(self, router: Router, on_remote_switch: Callable[[SwitchEvent], None]) -> None:
        self._router = router
        self._on_remote_switch = on_remote_switch
        router.on_change = self._changed

    async def start(self, wait: float = 2.0) -> None:
        """Connect and subscribe; waits (bounded) for the first sync, never fails."""
        self._synced = asyncio.Event()
        self._client = redis.Redis.from_url(
            self.url, socket_timeout=1.0, socket_connect_timeout=1.0, decode_responses=True
        )
        self._task = asyncio.create_task(self._listen(), name="switchex-state")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._synced.wait(), wait)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
                await self._task
        if self._writes:
            await asyncio.wait(self._writes, timeout=2.0)
        if self._client is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._client.aclose()

    # -- the request path -----------------------------------------------------------------
    async def claim(self, router: Router, plan: list[str], scope: str | None) -> list[str]:
        kept: list[str] = []
        for name in plan:
            state = router.state(name, scope)
            if not probe_claimed(state) or await self._claim(state):
                kept.append(name)
        return kept

    async def _claim(self, state: TierState) -> bool:
        """SET NX on the probe key of this very cooldown; Redis down → the local claim holds."""
        if self.down or self._client is None:
            return True
        key = f"{PROBE}{state.name}:{state.cooling_until!r}"
        try:
            won = await self._client.set(key, self.origin, nx=True, px=int(self.claim_ttl * 1000))
        except (RedisError, OSError) as error:
            self._lost(error)
            return True
        if won:
            return True
        # Another replica probes: leave `probing` set until its outcome arrives (or the TTL).
        until = state.cooling_until
        asyncio.get_running_loop().call_later(self.claim_ttl, self._unblock, state, until)
        return False

    @staticmethod
    def _unblock(state: TierState, until: float | None) -> None:
        if state.cooling_until == until:
            state.probing = False

    def switched(self, event: SwitchEvent) -> None:
        message = {"op": "switch", "origin": self.origin, **_event_json(event)}
        self._spawn(self._publish(message))

    # -- writes (off the hot path) --------------------------------------------------------
    def _changed(self, state: TierState, previous: float | None) -> None:
        if self.down or self._client is None:
            return  # pushed by the resync when Redis is back
        self._spawn(self._write(state, previous))

    def _spawn(self, coroutine: Any) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coroutine)
        except RuntimeError:  # no loop (a synchronous caller): the next resync carries it
            coroutine.close()
            return
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, state: TierState, previous: float | None) -> None:
        try:
            await self._update(state, previous)
        except (RedisError, OSError) as error:
            self._lost(error)

    async def _update(self, state: TierState, previous: float | None) -> None:
        """The monotonic update script; adopts the stored cooldown when it refuses ours."""
        assert self._client is not None
        if state.cooling_until is not None:
            op, until = "set", state.cooling_until
        else:
            op, until = "clear", previous or 0.0
        message = {
            "op": op,
            "origin": self.origin,
            "key": state.name,
            "until": until,
            "reason": state.reason or "",
            "failures": state.failures,
        }
        args = (op, repr(until), state.reason or "", state.failures, CHANNEL, _dumps(message))
        result = await self._client.eval(UPDATE, 1, COOLDOWN + state.name, *args)
        if isinstance(result, list) and result[0] is not None:
            self._apply_set(state.name, float(result[0]), result[1] or "", int(result[2] or 0))

    async def _publish(self, message: dict[str, Any]) -> None:
        if self.down or self._client is None:
            return
        try:
            await self._client.publish(CHANNEL, _dumps(message))
        except (RedisError, OSError) as error:
            self._lost(error)

    # -- reads: the subscriber ------------------------------------------------------------
    async def _listen(self) -> None:
        assert self._client is not None
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    await self._resync()
                    while True:
                        if self.down:  # a write failed while subscribed: resync
                            await self._resync()
                        message = await pubsub.get_message(True, timeout=RETRY_SECONDS)
                        if message is not None:
                            self._received(message["data"])
            except (RedisError, OSError) as error:
                self._lost(error)
                self._synced.set()
                await asyncio.sleep(RETRY_SECONDS)

    async def _resync(self) -> None:
        """Push this replica's live cooldowns, then adopt every stored one (raises if down)."""
        assert self._client is not None and self._router is not None
        router = self._router
        now = router.clock()
        for state in [*router.states.values(), *router.scoped_states.values()]:
            if state.cooling_until is not None and state.cooling(now):
                await self._update(state, None)
        async for key in self._client.scan_iter(match=COOLDOWN + "*", count=200):
            stored = await self._client.hgetall(key)
            if stored.get("until"):
                name = key.removeprefix(COOLDOWN)
                self._apply_set(name, *_cooldown(stored))
        if self.down:
            log.warning("state: Redis is back; cooldowns resynced")
        self.down = False
        self._synced.set()

    def _received(self, data: str) -> None:
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        if not isinstance(message, dict) or message.get("origin") == self.origin:
            return
        op = message.get("op")
        if op == "set":
            self._apply_set(message["key"], *_cooldown(message))
        elif op == "clear":
            self._apply_clear(message["key"], float(message["until"]))
        elif op == "switch":
            self._on_remote_switch(_event(message))

    def _state(self, key: str) -> TierState | None:
        assert self._router is not None
        name, _, scope = key.partition("@")
        if name not in self._router.states:
            return None  # a tier this replica does not have
        return self._router.state(name, scope or None)

    def _apply_set(self, key: str, until: float, reason: str, failures: int) -> None:
        state = self._state(key)
        if state is None or (state.cooling_until is not None and state.cooling_until >= until):
            return
        state.cooling_until, state.reason, state.probing = until, reason or None, False
        state.failures = max(state.failures, failures)

    def _apply_clear(self, key: str, cleared: float) -> None:
        state = self._state(key)
        if state is None or (state.cooling_until is not None and state.cooling_until > cleared):
            return
        state.cooling_until, state.reason, state.failures, state.probing = None, None, 0, False

    def _lost(self, error: BaseException) -> None:
        if not self.down:
            log.warning("state: Redis unreachable (%s); serving from local state", error)
        self.down = True


def _cooldown(stored: Mapping[Any, Any]) -> tuple[float, str, int]:
    """(until, reason, failures) of a stored hash or a published message."""
    return float(stored["until"]), str(stored.get("reason") or ""), int(stored.get("failures") or 0)


def _dumps(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


def _event_json(event: SwitchEvent) -> dict[str, Any]:
    return {
        "time": event.time,
        "from": event.from_tier,
        "to": event.to_tier,
        "reason": event.reason,
        "until": event.until,
    }


def _event(message: dict[str, Any]) -> SwitchEvent:
    return SwitchEvent(
        float(message["time"]), message["from"], message["to"], message["reason"], message["until"]
    )
