"""Notifications on every switch and recovery, through apprise, off the request path.

Any apprise URL works (`discord://…`, `json://…`, `mailto://…`); a Discord webhook URL as the
seed's DISCORD_WEBHOOK_URL holds it (https://discord.com/api/webhooks/…) is understood by
apprise as is. Sending happens in one background thread: a slow or failing target never
delays a request, and apprise is imported only when the first message goes out.

Coalescing: at most one notification per tier per `min_interval` seconds (the tier an event
is about: the one that failed, or the one that is back). Events inside the interval are held;
when it ends, the latest goes out with the count of what was folded into it and the work of
all of them. `close()` sends what is still held.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from switchex.gateway.router import SwitchEvent

log = logging.getLogger("switchex.notify")


@dataclass
class Work:
    """What a tier's model did while it served: files touched and lines changed."""

    files: set[str] = field(default_factory=set)
    added: int = 0
    removed: int = 0

    def describe(self) -> str:
        if not self.files:
            return "no file changes recorded"
        return f"{len(self.files)} file(s), +{self.added}/-{self.removed} lines"


@dataclass
class Held:
    """The latest event of a tier inside its interval, and how many it stands for."""

    event: SwitchEvent
    work: Work
    folded: int = 0

    def fold(self, event: SwitchEvent, work: Work) -> None:
        self.event = event
        self.folded += 1
        self.work.files.update(work.files)
        self.work.added += work.added
        self.work.removed += work.removed

    def message(self) -> tuple[str, str]:
        title, body = message_for(self.event, self.work)
        if self.folded:
            body += f" ({self.folded} earlier change(s) of this tier were folded into this one.)"
        return title, body


def tier_of(event: SwitchEvent) -> str:
    """The tier a notification is about: the one back, else the one that failed."""
    if event.reason == "recovered":
        return event.to_tier or ""
    return event.from_tier or event.to_tier or ""


def message_for(event: SwitchEvent, work: Work | None) -> tuple[str, str]:
    """The (title, body) of the notification for a switch."""
    if event.reason == "recovered":
        title = f"switchex: back on {event.to_tier}"
        body = f"{event.to_tier} serves again (was {event.from_tier})."
    else:
        title = f"switchex: {event.from_tier} -> {event.to_tier}"
        until = time.strftime("%H:%M", time.localtime(event.until)) if event.until else "unknown"
        body = (
            f"{event.from_tier} is limited ({event.reason}) until {until}; "
            f"Claude Code now runs on {event.to_tier}."
        )
    if work is not None:
        body += f" Work by {event.from_tier} in its turn: {work.describe()}."
    return title, body


Item = tuple[str, str] | Literal["wake"] | None


class Notifier:
    """Sends switch notifications to apprise URLs in a background thread, coalesced per tier."""

    def __init__(
        self,
        urls: Sequence[str],
        min_interval: float = 60.0,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.urls = list(urls)
        self.min_interval = min_interval
        self.timeout = timeout
        self.clock = clock
        self.sent = 0
        self.failed = 0
        self._queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._work: dict[str, Work] = {}
        self._last: dict[str, float] = {}  # tier -> when its last notification was queued
        self._held: dict[str, Held] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="switchex-notify", daemon=True)
        self._thread.start()

    def worked(self, tier: str, files: Sequence[str], added: int, removed: int) -> None:
        """Count a snapshot's changes toward the tier that made them."""
        with self._lock:
            work = self._work.setdefault(tier, Work())
            work.files.update(files)
            work.added += added
            work.removed += removed

    def switched(self, event: SwitchEvent) -> None:
        tier = tier_of(event)
        with self._lock:
            work = self._work.pop(event.from_tier or "", Work())
            held = self._held.get(tier)
            if held is not None:
                held.fold(event, work)
                return
            last = self._last.get(tier)
            if last is None or self.clock() - last >= self.min_interval:
                self._last[tier] = self.clock()
                self._queue.put(message_for(event, work))
                return
            self._held[tier] = Held(event, work)
        self._queue.put("wake")

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            for held in self._held.values():
                self._queue.put(held.message())
            self._held.clear()
        self._queue.put(None)
        self._thread.join(timeout)

    def _due(self) -> float | None:
        """Queue the held events whose interval is over; seconds until the next one is due."""
        now = self.clock()
        waits: list[float] = []
        with self._lock:
            for tier, held in list(self._held.items()):
                wait = self._last.get(tier, now) + self.min_interval - now
                if wait > 0:
                    waits.append(wait)
                    continue
                self._last[tier] = now
                del self._held[tier]
                self._queue.put(held.message())
        return min(waits) if waits else None

    def _next(self) -> Item:
        try:
            return self._queue.get(timeout=self._due())
        except queue.Empty:
            return "wake"

    def _run(self) -> None:
        sender: Any = None
        while (item := self._next()) is not None:
            if item == "wake":
                continue
            try:
                if sender is None:
                    sender = self._apprise()
                ok = sender.notify(title=item[0], body=item[1])
            except Exception:
                log.exception("notification failed")
                ok = False
            if ok:
                self.sent += 1
            else:
                self.failed += 1
                log.warning("a switch notification could not be delivered")

    def _apprise(self) -> Any:
        import apprise

        asset = apprise.AppriseAsset(async_mode=False)
        sender = apprise.Apprise(asset=asset)
        for url in self.urls:
            if not sender.add(url):
                log.warning("notify: apprise does not understand one of the URLs")
        return sender
