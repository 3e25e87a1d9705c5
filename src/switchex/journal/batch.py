"""One writer thread that takes rows in batches: the shape of every journal.

`record()` only appends to a deque and returns: waking a thread per row would cost the event
loop a GIL hand-off on every request. The writer wakes every `interval` seconds (or on
`flush`) and hands what has gathered to `write_batch` in one go; `flush()` waits until every
row queued before it has been handed over. Subclasses say how a batch is written (and where
it goes when it cannot be) and what the thread opens and closes around its loop.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

Row = tuple[str, dict[str, Any]]


class BatchWriter:
    def __init__(self, interval: float, name: str) -> None:
        self.interval = interval
        self._rows: deque[Row] = deque()
        self._wake = threading.Event()
        self._flushed = threading.Condition()
        self._written = 0
        self._queued = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def record(self, table: str, row: Mapping[str, Any]) -> None:
        """Queue a row; never blocks."""
        self._rows.append((table, dict(row)))
        self._queued += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued so far has been written (or kept for later)."""
        target = self._queued
        self._wake.set()
        with self._flushed:
            return self._flushed.wait_for(lambda: self._written >= target, timeout)

    def stop(self, timeout: float) -> None:
        """Write what is queued, then end the thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)

    # -- the writer thread -----------------------------------------------------------------
    def opened(self) -> None:
        """Runs first on the writer thread."""

    def closing(self) -> None:
        """Runs last on the writer thread."""

    def write_batch(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        self.opened()
        try:
            while not self._stopping:
                self._wake.wait(self.interval)
                self._wake.clear()
                self._cycle()
            self._cycle()
        finally:
            self.closing()

    def _cycle(self) -> None:
        rows: list[Row] = []
        while self._rows:
            rows.append(self._rows.popleft())
        self.write_batch(rows)
        with self._flushed:
            self._written += len(rows)
            self._flushed.notify_all()
