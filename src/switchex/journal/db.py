"""The journal: an embedded SQLite file (WAL) with one writer thread.

The gateway never waits on the disk: `record()` puts a row on a queue and returns; the writer
thread inserts rows in small transactions. Readers (the CLI, `/status`) open their own
connections. Keys never reach the journal: rows hold only what callers put in them.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from switchex.journal.batch import BatchWriter, Row
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


class Journal(BatchWriter):
    """Asynchronous writes through one thread (`BatchWriter`), each batch in one transaction;
    synchronous reads on demand."""

    def __init__(self, path: Path, interval: float = 0.1) -> None:
        super().__init__(interval, "switchex-journal")
        self.path = path
        connect(path).close()
        self._connection: sqlite3.Connection | None = None
        self.start()

    def close(self) -> None:
        self.stop(10)

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        connection = connect(self.path)
        try:
            yield connection
        finally:
            connection.close()

    def opened(self) -> None:
        self._connection = connect(self.path)

    def closing(self) -> None:
        if self._connection is not None:
            self._connection.close()

    def write_batch(self, rows: list[Row]) -> None:
        if not rows or self._connection is None:
            return
        try:
            with self._connection:
                for table, row in rows:
                    insert(self._connection, table, row)
        except sqlite3.Error:
            log.exception("journal: could not write %d rows", len(rows))
