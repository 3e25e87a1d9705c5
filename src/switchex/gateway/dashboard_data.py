"""The dashboard's read-only queries over the journal (SQLite, opened read-only per call).

These run in a worker thread (`asyncio.to_thread`), never on the event loop. Without a
journal the gateway's in-memory recent requests answer instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REQUEST_COLUMNS = (
    "time",
    "tier",
    "requested_model",
    "served_model",
    "status",
    "latency_ms",
    "ttfb_ms",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "cost",
    "session",
    "repo",
    "error_type",
    "attempts",
)
FILTERS = ("tier", "served_model", "status", "session", "repo")


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    connection.row_factory = sqlite3.Row
    try:
        yield connection
    finally:
        connection.close()


def _where(filters: Mapping[str, str]) -> tuple[str, list[Any]]:
    clauses, values = [], []
    for key in FILTERS:
        value = filters.get(key)
        if value:
            clauses.append(f"{key} = ?")
            values.append(int(value) if key == "status" and value.isdigit() else value)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


def requests(path: Path, filters: Mapping[str, str], limit: int = 200) -> list[dict[str, Any]]:
    """The latest requests matching `filters` (exact values), newest first."""
    where, values = _where(filters)
    columns = ", ".join(REQUEST_COLUMNS)
    with reading(path) as db:
        rows = db.execute(
            f"SELECT {columns} FROM requests{where} ORDER BY id DESC LIMIT ?", (*values, limit)
        ).fetchall()
    return [dict(row) for row in rows]


def filter_rows(
    rows: list[dict[str, Any]], filters: Mapping[str, str], limit: int = 200
) -> list[dict[str, Any]]:
    """The same filters over in-memory rows (no journal), newest first."""
    chosen = [
        {key: row.get(key) for key in REQUEST_COLUMNS}
        for row in reversed(rows)
        if all(not filters.get(k) or str(row.get(k)) == filters[k] for k in FILTERS)
    ]
    return chosen[:limit]


def models(path: Path) -> list[dict[str, Any]]:
    """Per served model: requests, tokens, known cost, unpriced answers, and per hour."""
    with reading(path) as db:
        totals = db.execute(
            """SELECT served_model AS model, COUNT(*) AS requests,
                      SUM(input_tokens) AS input, SUM(output_tokens) AS output,
                      SUM(cache_read_tokens) AS cache_read,
                      SUM(cache_creation_tokens) AS cache_write,
                      SUM(cost) AS cost, COUNT(*) - COUNT(cost) AS unpriced
               FROM requests WHERE status = 200 GROUP BY served_model ORDER BY requests DESC"""
        ).fetchall()
        hours = db.execute(
            """SELECT served_model, CAST(time / 3600 AS INTEGER) * 3600 AS hour, COUNT(*),
                      SUM(input_tokens + output_tokens), SUM(cost)
               FROM requests WHERE status = 200 AND time > strftime('%s', 'now') - 86400
               GROUP BY served_model, hour ORDER BY hour"""
        ).fetchall()
    series: dict[str, list[list[Any]]] = {}
    for model, hour, count, tokens, cost in hours:
        series.setdefault(model, []).append([hour, count, tokens, cost])
    return [{**dict(row), "hours": series.get(row["model"], [])} for row in totals]


def switches(path: Path, limit: int = 200) -> list[dict[str, Any]]:
    with reading(path) as db:
        rows = db.execute(
            """SELECT time, from_tier AS "from", to_tier AS "to", reason, until
               FROM switches ORDER BY id DESC LIMIT ?""",
            (limit,),
        ).fetchall()
    return [dict(row) for row in rows]


def tracked_repos(path: Path) -> list[str]:
    """Repositories the tracker snapshotted: the only ones the dashboard runs git in."""
    with reading(path) as db:
        rows = db.execute(
            "SELECT DISTINCT repo FROM snapshots WHERE commit_id IS NOT NULL ORDER BY repo"
        ).fetchall()
    return [row[0] for row in rows]


def snapshots(path: Path, repo: str, limit: int = 200) -> list[dict[str, Any]]:
    """The repository's snapshot chain from the journal, newest first."""
    with reading(path) as db:
        rows = db.execute(
            """SELECT time, ref, commit_id, model, tier, session, kind, files, added, removed,
                      seconds FROM snapshots
               WHERE repo = ? AND commit_id IS NOT NULL ORDER BY id DESC LIMIT ?""",
            (repo, limit),
        ).fetchall()
    return [dict(row) for row in rows]
