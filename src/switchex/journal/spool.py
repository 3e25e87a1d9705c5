"""A bounded local spool (SQLite) for journal rows while PostgreSQL is unreachable.

Rows wait here in arrival order and leave only once PostgreSQL has committed them. Past
`limit` rows the newest are refused and counted; the count is reported (log + a
`journal_drops` row) so nothing is lost silently.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson

from switchex.journal.batch import Row


class Spool:
    def __init__(self, path: Path, limit: int = 200_000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.limit = limit
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY, tbl TEXT, row BLOB)"
        )
        self._db.commit()
        path.chmod(0o600)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM spool").fetchone()[0])

    def add(self, rows: list[Row]) -> int:
        """Keep what fits under the limit; returns how many rows were refused."""
        room = max(0, self.limit - len(self))
        kept = rows[:room]
        with self._db:
            self._db.executemany(
                "INSERT INTO spool (tbl, row) VALUES (?, ?)",
                [(table, orjson.dumps(row)) for table, row in kept],
            )
        return len(rows) - len(kept)

    def peek(self, count: int) -> tuple[int, list[Row]]:
        """The oldest rows and the id of the last one (0: empty)."""
        found = self._db.execute(
            "SELECT id, tbl, row FROM spool ORDER BY id LIMIT ?", (count,)
        ).fetchall()
        if not found:
            return 0, []
        return int(found[-1][0]), [(table, orjson.loads(row)) for _, table, row in found]

    def remove(self, upto: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM spool WHERE id <= ?", (upto,))

    def close(self) -> None:
        self._db.close()
