"""The journal: an embedded SQLite file (WAL) with one writer thread.

The gateway never waits on the disk: `record()` puts a row on a queue and returns; the writer
thread inserts rows in small transactions. Readers (the CLI, `/status`) open their own
connections. Keys never reach the journal: rows hold only what callers put in them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from switchex.journal.schema import migrate
from switchex.secret import private_dir, private_file

log = logging.getLogger("switchex.journal")

TABLES = frozenset({"requests", "switches", "snapshots", "reviews", "journal_drops", "refusals"})


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the journal's pragmas, migrated to the current schema.

    A new journal is created 0600 in a 0700 directory; SQLite gives its -wal and -shm files
    the database file's mode.
    """
    private_file(private_dir(path.parent) / path.name)
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


class JournalWriter(Protocol):
    """What the gateway writes through: the SQLite `Journal` or `PostgresJournal`.

    `path` is the SQLite file readers may open (None for PostgreSQL: read it through
    `journal.reader` with its DSN).
    """

    @property
    def path(self) -> Path | None: ...

    def record(self, table: str, row: Mapping[str, Any]) -> None: ...

    def flush(self, timeout: float = 10.0) -> bool: ...

    def close(self) -> None: ...


class Journal:
    """Asynchronous writes through one thread; synchronous reads on demand.

    `record()` only appends to a deque: waking the writer per row would cost the event loop a
    GIL hand-off on every request. The writer wakes every `interval` seconds (or on `flush`)
    and writes what has gathered in one transaction.
    """

    def __init__(self, path: Path, interval: float = 0.1) -> None:
        self.path = path
        self.interval = interval
        connect(path).close()
        self._rows: deque[tuple[str, dict[str, Any]]] = deque()
        self._wake = threading.Event()
        self._flushed = threading.Condition()
        self._written = 0
        self._queued = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="switchex-journal", daemon=True)
        self._thread.start()

    def record(self, table: str, row: Mapping[str, Any]) -> None:
        """Queue a row; never blocks."""
        self._rows.append((table, dict(row)))
        self._queued += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is on disk."""
        target = self._queued
        self._wake.set()
        with self._flushed:
            return self._flushed.wait_for(lambda: self._written >= target, timeout)

    def close(self) -> None:
        self._stopping = True
        self._wake.set()
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
            while not self._stopping:
                self._wake.wait(self.interval)
                self._wake.clear()
                self._drain(connection)
            self._drain(connection)
        finally:
            connection.close()

    def _drain(self, connection: sqlite3.Connection) -> None:
        rows = []
        while self._rows:
            rows.append(self._rows.popleft())
        if rows:
            try:
                with connection:
                    for table, row in rows:
                        insert(connection, table, row)
            except sqlite3.Error:
                log.exception("journal: could not write %d rows", len(rows))
        with self._flushed:
            self._written += len(rows)
            self._flushed.notify_all()
