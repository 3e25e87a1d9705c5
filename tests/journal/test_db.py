from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from switchex.journal.db import Journal, connect
from switchex.journal.schema import MIGRATIONS, migrate
from switchex.journal.usage import usage_by_model


def test_migrations_apply_once_from_an_empty_database(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "j.sqlite3")
    assert migrate(connection) == [name for name, _ in MIGRATIONS]
    assert migrate(connection) == []
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"requests", "switches", "snapshots", "reviews", "schema_migrations"} <= tables


def test_rows_written_off_thread_are_all_there_after_flush(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3", interval=0.05)
    writers = [
        threading.Thread(
            target=lambda: [
                journal.record(
                    "switches", {"time": 1.0, "from_tier": "a", "to_tier": "b", "reason": "r"}
                )
                for _ in range(250)
            ]
        )
        for _ in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert journal.flush()
    with journal.reader() as reader:
        assert reader.execute("SELECT COUNT(*) FROM switches").fetchone()[0] == 1000
    journal.close()


def test_close_writes_what_is_still_queued(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3", interval=60)
    journal.record("reviews", {"time": 1.0, "repo": "/r", "model": "m", "action": "accept"})
    journal.close()
    rows = connect(tmp_path / "j.sqlite3").execute("SELECT model FROM reviews").fetchall()
    assert [tuple(row) for row in rows] == [("m",)]


def test_usage_counts_answered_requests_of_the_repo_and_below(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    rows = [
        ("/srv/p", "gemini-2.5-flash", 200, 100, 10, 0.5),
        ("/srv/p/sub", "gemini-2.5-flash", 200, 50, 5, 0.25),
        ("/srv/p", "gemini-2.5-flash", 429, 0, 0, 0.0),
        ("/srv/pother", "gemini-2.5-flash", 200, 999, 999, 9.0),
        ("/srv/p", "claude-opus-5-5", 200, 7, 3, 1.0),
    ]
    for repo, model, status, tokens_in, tokens_out, cost in rows:
        journal.record(
            "requests",
            {
                "time": 1.0,
                "repo": repo,
                "served_model": model,
                "status": status,
                "input_tokens": tokens_in,
                "output_tokens": tokens_out,
                "cost": cost,
            },
        )
    journal.close()
    usage = usage_by_model(tmp_path / "j.sqlite3", Path("/srv/p"))
    assert usage["gemini-2.5-flash"].requests == 2
    assert usage["gemini-2.5-flash"].input_tokens == 150
    assert usage["gemini-2.5-flash"].cost == 0.75
    assert usage["claude-opus-5-5"].output_tokens == 3
    assert usage_by_model(tmp_path / "missing.sqlite3", Path("/srv/p")) == {}


def test_refusals_migrate_onto_a_journal_of_the_first_schema(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "j.sqlite3")
    connection.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied REAL)")
    name, script = MIGRATIONS[0]
    for statement in filter(str.strip, script.split(";")):
        connection.execute(statement)
    connection.execute("INSERT INTO schema_migrations VALUES (?, 0)", (name,))
    connection.commit()
    assert migrate(connection) == [name for name, _ in MIGRATIONS[1:]]
    connection.execute(
        "INSERT INTO refusals (time, status, error_type) VALUES (1, 421, 'permission_error')"
    )


def test_a_new_journal_and_its_wal_files_are_private_from_the_start(tmp_path: Path) -> None:
    state = tmp_path / "state"
    journal = Journal(state / "journal.sqlite3", interval=0.05)
    journal.record("switches", {"time": 1.0, "from_tier": "a", "to_tier": "b", "reason": "r"})
    assert journal.flush()
    with journal.reader() as reader:
        assert reader.execute("SELECT COUNT(*) FROM switches").fetchone()[0] == 1
        files = sorted(state.iterdir())
        assert {p.name for p in files} >= {
            "journal.sqlite3",
            "journal.sqlite3-wal",
            "journal.sqlite3-shm",
        }
        assert {p.name: p.stat().st_mode & 0o777 for p in files} == {p.name: 0o600 for p in files}
    assert state.stat().st_mode & 0o777 == 0o700
    journal.close()
