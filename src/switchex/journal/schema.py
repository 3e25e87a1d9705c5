"""The journal's schema as named, append-only migrations.

Each migration runs once, in order, inside a transaction, and is recorded in
`schema_migrations`. Never edit a released migration: add a new one.
"""

from __future__ import annotations

import sqlite3
import time

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            session TEXT NOT NULL DEFAULT '',
            agent TEXT NOT NULL DEFAULT '',
            repo TEXT NOT NULL DEFAULT '',
            requested_model TEXT NOT NULL DEFAULT '',
            tier TEXT NOT NULL DEFAULT '',
            served_model TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL,
            stream INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL NOT NULL DEFAULT 0,
            ttfb_ms REAL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
            cost REAL NOT NULL DEFAULT 0,
            stop_reason TEXT,
            tool_use INTEGER NOT NULL DEFAULT 0,
            error_type TEXT,
            attempts TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX requests_time ON requests(time);
        CREATE INDEX requests_model ON requests(served_model);
        CREATE TABLE switches (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            from_tier TEXT,
            to_tier TEXT,
            reason TEXT NOT NULL,
            until REAL
        );
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            repo TEXT NOT NULL,
            ref TEXT NOT NULL DEFAULT '',
            commit_id TEXT,
            model TEXT NOT NULL DEFAULT '',
            tier TEXT NOT NULL DEFAULT '',
            session TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',
            files INTEGER NOT NULL DEFAULT 0,
            added INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            skipped TEXT,
            seconds REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            repo TEXT NOT NULL,
            model TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        """,
    ),
    (
        "0002_team",
        """
        ALTER TABLE requests ADD COLUMN client_key TEXT NOT NULL DEFAULT '';
        CREATE TABLE journal_drops (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            dropped INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE api_keys (
            name TEXT PRIMARY KEY,
            key_sha256 TEXT NOT NULL UNIQUE
        );
        """,
    ),
    (
        "0003_refusals",
        """
        CREATE TABLE refusals (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            method TEXT NOT NULL DEFAULT '',
            path TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL,
            error_type TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX refusals_time ON refusals(time);
        """,
    ),
    (
        # cost becomes NULL-able: an unknown model's cost is unknown, not 0.
        "0004_cost_unknown",
        """
        CREATE TABLE requests_new (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            session TEXT NOT NULL DEFAULT '',
            agent TEXT NOT NULL DEFAULT '',
            repo TEXT NOT NULL DEFAULT '',
            requested_model TEXT NOT NULL DEFAULT '',
            tier TEXT NOT NULL DEFAULT '',
            served_model TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL,
            stream INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL NOT NULL DEFAULT 0,
            ttfb_ms REAL,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
            cost REAL,
            stop_reason TEXT,
            tool_use INTEGER NOT NULL DEFAULT 0,
            error_type TEXT,
            attempts TEXT NOT NULL DEFAULT '',
            client_key TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO requests_new SELECT * FROM requests;
        DROP TABLE requests;
        ALTER TABLE requests_new RENAME TO requests;
        CREATE INDEX requests_time ON requests(time);
        CREATE INDEX requests_model ON requests(served_model)
        """,
    ),
    (
        "0005_request_notes",
        """
        ALTER TABLE requests ADD COLUMN notes TEXT NOT NULL DEFAULT ''
        """,
    ),
]


def migrate(connection: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet applied; returns their names."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied REAL)"
    )
    done = {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
    applied: list[str] = []
    for name, script in MIGRATIONS:
        if name in done:
            continue
        with connection:
            for statement in filter(str.strip, script.split(";")):
                connection.execute(statement)
            connection.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, time.time()))
        applied.append(name)
    return applied
