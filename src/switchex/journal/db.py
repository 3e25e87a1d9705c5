"""The journal: an embedded SQLite file (WAL) with one writer thread.

The gateway never waits on the disk: `record()` puts a row on a queue and returns; the writer
thread inserts rows in small transactions. Readers (the CLI, `/status`) open their own
connections. Keys never reach the journal: rows hold only what callers put in them.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from switchex.journal.schema import migrate

log = logging.getLogger("switchex.journal")

TABLES = frozenset({"requests", "switches", "snapshots", "reviews"})
_STOP = object()


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the journal's pragmas, migrated to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=10000")
    migrate(connection)
    return connection


def insert(connection: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> int:
    if table not in TABLES:
        raise ValueError(f"unknown journal table {table!r}")
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = connection.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values())
    )
    return int(cursor.lastrowid or 0)


class Journal:
    """Asynchronous writes through one thread; synchronous reads on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        connect(path).close()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="switchex-journal", daemon=True)
        self._thread.start()

    def record(self, table: str, row: Mapping[str, Any]) -> None:
        """Queue a row; never blocks."""
        self._queue.put((table, dict(row)))

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far is on disk."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(10)

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        connection = connect(self.path)
        try:
            yield connection
        finally:
            connection.close()

    def _run(self) -> None:
        connection = connect(self.path)
        try:
            while self._drain(connection):
                pass
        finally:
            connection.close()

    def _drain(self, connection: sqlite3.Connection) -> bool:
        """Write one batch: the first item waited for, then whatever else is queued."""
        items = [self._queue.get()]
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        rows = [item for item in items if isinstance(item, tuple)]
        try:
            with connection:
                for table, row in rows:
                    insert(connection, table, row)
        except sqlite3.Error:
            log.exception("journal: could not write %d rows", len(rows))
        for item in items:
            if isinstance(item, threading.Event):
                item.set()
        return _STOP not in items
