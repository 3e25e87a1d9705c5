"""Choosing the journal from the configuration: SQLite in the state dir, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from switchex.config import Config
from switchex.errors import ConfigError
from switchex.journal.db import Journal, JournalWriter

SQLITE_NAME = "journal.sqlite3"
SPOOL_NAME = "journal-spool.sqlite3"


def open_journal(config: Config, state_dir: Path | None) -> JournalWriter | None:
    """`journal: postgresql://…` → the team journal (spooling in `state_dir`); else SQLite.

    `state_dir` None keeps no journal (benchmarks).
    """
    if state_dir is None:
        return None
    if config.journal:
        try:
            from switchex.journal.postgres import PostgresJournal
        except ImportError:
            raise ConfigError(
                "journal: postgresql:// needs the team extra: pip install 'switchex[team]'"
            ) from None

        return PostgresJournal(config.journal, state_dir / SPOOL_NAME)
    return Journal(state_dir / SQLITE_NAME)
