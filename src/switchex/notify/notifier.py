"""Notifications on every switch and recovery, through apprise, off the request path.

Any apprise URL works (`discord://…`, `json://…`, `mailto://…`); a Discord webhook URL as the
seed's DISCORD_WEBHOOK_URL holds it (https://discord.com/api/webhooks/…) is understood by
apprise as is. Sending happens in one background thread: a slow or failing target never
delays a request, and apprise is imported only when the first message goes out.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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


class Notifier:
    """Sends switch notifications to apprise URLs in a background thread."""

    def __init__(self, urls: Sequence[str], timeout: float = 10.0) -> None:
        self.urls = list(urls)
        self.timeout = timeout
        self.sent = 0
        self.failed = 0
        self._queue: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self._work: dict[str, Work] = {}
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
        with self._lock:
            work = self._work.pop(event.from_tier or "", Work())
        self._queue.put(message_for(event, work))

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        sender: Any = None
        while (item := self._queue.get()) is not None:
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
