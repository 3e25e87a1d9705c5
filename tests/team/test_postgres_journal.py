"""The team journal on a real PostgreSQL: schema, batching, the spool, the readers."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg

from switchex.fakes.anthropic import FakeAnthropic
from switchex.journal.postgres import PostgresJournal
from switchex.journal.reader import recent_switches
from switchex.journal.schema import MIGRATIONS
from switchex.journal.usage import usage_by_model
from tests.client import post
from tests.helpers import make_config, serve
from tests.team.servers import PostgresServer
from tests.team.test_shared_state import BODY, wait_for


def count(dsn: str, table: str = "requests") -> int:
    with psycopg.connect(dsn) as connection:
        row = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def row(i: int) -> dict[str, object]:
    return {
        "time": time.time(),
        "session": f"s{i}",
        "status": 200,
        "served_model": "m",
        "cost": 0.5,
    }


def test_three_replicas_journal_into_one_postgres_with_the_sqlite_schema(
    postgres: PostgresServer, tmp_path: Path, claude: FakeAnthropic
) -> None:
    tiers = [{"name": "org", "provider": "anthropic", "base_url": claude.base_url, "api_key": "k"}]
    config = make_config(tiers, journal=postgres.dsn)
    replicas = [serve(config, tmp_path / f"r{i}") for i in range(3)]
    try:
        for server in replicas * 4:
            assert post(server.url + "/v1/messages", BODY).status == 200
        for server in replicas:
            assert server.gateway.journal is not None and server.gateway.journal.flush()
    finally:
        for server in replicas:
            server.stop()
    assert count(postgres.dsn) == 12
    with psycopg.connect(postgres.dsn) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM schema_migrations ORDER BY 1")]
        kinds = dict(
            connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'requests'"
            ).fetchall()
        )
    assert names == [name for name, _ in MIGRATIONS]
    assert kinds["time"] == "double precision"  # epoch seconds keep their fraction
    assert not (tmp_path / "r0" / "journal.sqlite3").exists()


def test_postgres_killed_and_restarted_loses_no_row(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    journal = PostgresJournal(postgres.dsn, tmp_path / "spool.sqlite3", interval=0.05)
    try:
        for i in range(300):
            journal.record("requests", row(i))
        assert journal.flush()
        postgres.kill()
        for i in range(300, 900):
            journal.record("requests", row(i))
        started = time.perf_counter()
        assert journal.flush(timeout=20)  # into the spool, without waiting for PostgreSQL
        assert journal.down and journal.pending() == 600
        assert time.perf_counter() - started < 10
        postgres.start()
        for i in range(900, 1000):
            journal.record("requests", row(i))
        wait_for(lambda: journal.pending() == 0 and not journal.down, timeout=30)
        assert journal.flush()
    finally:
        journal.close()
    with psycopg.connect(postgres.dsn) as connection:
        sessions = [r[0] for r in connection.execute("SELECT session FROM requests ORDER BY id")]
    assert sessions == [f"s{i}" for i in range(1000)]  # every row, in order


def test_a_full_spool_drops_rows_and_says_how_many(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    journal = PostgresJournal(postgres.dsn, tmp_path / "spool.sqlite3", 0.05, spool_limit=50)
    try:
        journal.record("requests", row(0))
        assert journal.flush()
        postgres.kill()
        for i in range(1, 81):
            journal.record("requests", row(i))
        assert journal.flush(timeout=20)
        assert journal.pending() == 50 and journal.dropped == 30
        postgres.start()
        wait_for(lambda: journal.pending() == 0 and journal.dropped == 0, timeout=30)
    finally:
        journal.close()
    assert count(postgres.dsn) == 51
    with psycopg.connect(postgres.dsn) as connection:
        drops = connection.execute("SELECT dropped, reason FROM journal_drops").fetchall()
    assert drops == [(30, "spool full")]


def test_the_readers_read_the_teams_rows(postgres: PostgresServer, tmp_path: Path) -> None:
    journal = PostgresJournal(postgres.dsn, tmp_path / "spool.sqlite3", interval=0.05)
    try:
        for repo, model in [("/w/app", "opus"), ("/w/app/sub", "opus"), ("/w/other", "haiku")]:
            journal.record("requests", {**row(0), "repo": repo, "served_model": model})
        journal.record(
            "switches", {"time": 5.0, "from_tier": "org", "to_tier": "b", "reason": "rate_limit"}
        )
        assert journal.flush()
    finally:
        journal.close()
    usage = usage_by_model(postgres.dsn, Path("/w/app"))
    assert list(usage) == ["opus"] and usage["opus"].requests == 2 and usage["opus"].cost == 1.0
    assert recent_switches(postgres.dsn, 5) == [(5.0, "org", "b", "rate_limit")]
