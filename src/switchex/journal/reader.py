"""Reading the journal on either engine: the SQLite file or the team's PostgreSQL.

A journal target is a `Path` (SQLite, opened read-only) or a `postgresql://` DSN. Queries are
written once, with `?` placeholders, in the SQL both engines share.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from switchex.errors import ConfigError

Target = Path | str


def journal_target(state_dir: Path, config_path: str | None = None) -> Target:
    """Where this machine's journal is: `journal:` of the configuration, else the state dir."""
    from switchex.config import load_config

    try:
        dsn = load_config(config_path).journal
    except ConfigError:
        dsn = None
    return dsn or state_dir / "journal.sqlite3"


def query(target: Target, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one read-only query; an absent or unreachable journal has none."""
    if isinstance(target, str):
        return _query_postgres(target, sql, params)
    if not target.exists():
        return []
    try:
        connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return []
    try:
        return [tuple(row) for row in connection.execute(sql, params).fetchall()]
    except sqlite3.Error:
        return []
    finally:
        connection.close()


def _query_postgres(dsn: str, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=3) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return [tuple(row) for row in cursor.fetchall()]
    except psycopg.Error:
        return []


def exists(target: Target) -> bool:
    return isinstance(target, str) or target.exists()


def recent_switches(target: Target, limit: int) -> list[tuple[Any, ...]]:
    """(time, from_tier, to_tier, reason), newest first."""
    return query(
        target,
        "SELECT time, from_tier, to_tier, reason FROM switches ORDER BY id DESC LIMIT ?",
        (limit,),
    )
