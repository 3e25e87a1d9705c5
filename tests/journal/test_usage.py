"""Usage per model from the journal: an unknown price stays unknown, through the migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from switchex.journal.db import Journal
from switchex.journal.schema import MIGRATIONS, migrate
from switchex.journal.usage import usage_by_model


def row(model: str, cost: float | None, repo: str) -> dict[str, object]:
    return {
        "time": 1.0,
        "status": 200,
        "served_model": model,
        "repo": repo,
        "cost": cost,
        "input_tokens": 10,
        "output_tokens": 5,
    }


def test_unknown_cost_is_none_and_known_costs_add_up(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    for item in (row("local-7b", None, "/r"), row("claude", 0.5, "/r"), row("claude", 0.25, "/r")):
        journal.record("requests", item)
    journal.close()
    usage = usage_by_model(path, Path("/r"))
    assert usage["local-7b"].cost is None and usage["local-7b"].unpriced == 1
    assert usage["claude"].cost == 0.75 and usage["claude"].unpriced == 0


def test_migration_keeps_old_rows_and_allows_unknown_cost(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "old.sqlite3")
    connection.executescript(
        "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied REAL);"
        + MIGRATIONS[0][1]
        + "; INSERT INTO schema_migrations VALUES ('0001_initial', 0);"
        "INSERT INTO requests (time, status, served_model, cost) VALUES (1, 200, 'm', 0.1);"
    )
    assert migrate(connection)[:3] == ["0002_team", "0003_refusals", "0004_cost_unknown"]
    connection.execute("INSERT INTO requests (time, status, cost) VALUES (2, 200, NULL)")
    rows = connection.execute("SELECT served_model, cost FROM requests ORDER BY id").fetchall()
    assert rows == [("m", 0.1), ("", None)]
    connection.close()
