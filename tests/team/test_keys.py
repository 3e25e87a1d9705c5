"""A served gateway needs client keys; each request is journaled with its key's name."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path

import psycopg
from click.testing import CliRunner

from switchex.cli.main import cli
from switchex.fakes.anthropic import FakeAnthropic
from switchex.keys import KeyRing
from tests.client import get, post
from tests.helpers import make_config, serve
from tests.team.servers import PostgresServer
from tests.team.test_shared_state import BODY

ALICE = "alice-key-0123456789abcdef"


def keyed_config(claude: FakeAnthropic, **extra: object) -> object:
    tiers = [
        {"name": "org", "provider": "anthropic", "base_url": claude.base_url, "api_key": "org"}
    ]
    return make_config(tiers, server={"keys": [{"name": "alice", "key": ALICE}]}, **extra)


def test_messages_need_a_key_and_rows_carry_its_name(tmp_path: Path, claude: FakeAnthropic) -> None:
    server = serve(keyed_config(claude), tmp_path / "state")  # type: ignore[arg-type]
    try:
        refused = post(server.url + "/v1/messages", BODY, {"x-api-key": "wrong-key-0123456789"})
        assert refused.status == 401
        assert refused.json()["error"]["type"] == "authentication_error"
        assert "x-switchex-key" in refused.json()["error"]["message"]
        assert claude.model_requests() == []
        answer = post(server.url + "/v1/messages", BODY, {"x-switchex-key": ALICE})
        assert answer.status == 200
        assert "x-switchex-key" not in claude.model_requests()[0].headers  # never sent upstream
        assert server.gateway.journal is not None and server.gateway.journal.flush()
    finally:
        server.stop()
    with sqlite3.connect(tmp_path / "state" / "journal.sqlite3") as connection:
        rows = connection.execute("SELECT status, client_key FROM requests").fetchall()
    assert rows == [(200, "alice")]
    assert ALICE not in (tmp_path / "state" / "journal.sqlite3").read_bytes().decode("latin-1")


def test_the_dashboard_needs_a_key_too(tmp_path: Path, claude: FakeAnthropic) -> None:
    server = serve(keyed_config(claude), None)  # type: ignore[arg-type]
    try:
        for path in ("/", "/status", "/metrics"):
            refused = get(server.url + path)
            assert refused.status == 401
            assert refused.headers["www-authenticate"] == 'Basic realm="switchex"'
        assert get(server.url + "/health").status == 200
        basic = base64.b64encode(f"me:{ALICE}".encode()).decode()
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/status", headers={"Authorization": f"Basic {basic}"})
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        server.stop()


def test_keys_from_the_postgres_table(
    postgres: PostgresServer, tmp_path: Path, claude: FakeAnthropic
) -> None:
    tiers = [{"name": "org", "provider": "anthropic", "base_url": claude.base_url, "api_key": "o"}]
    config = make_config(tiers, journal=postgres.dsn)
    warmup = serve(config, tmp_path / "w")  # creates the schema
    assert warmup.gateway.journal is not None
    post(warmup.url + "/v1/messages", BODY)
    assert warmup.gateway.journal.flush()
    warmup.stop()
    with psycopg.connect(postgres.dsn) as connection:
        digest = hashlib.sha256(b"bob-key-from-the-table").hexdigest()
        connection.execute("INSERT INTO api_keys VALUES ('bob', %s)", (digest,))
    server = serve(config, tmp_path / "s")
    try:
        assert server.app.keys.required
        assert post(server.url + "/v1/messages", BODY, {"x-api-key": "nope"}).status == 401
        answer = post(
            server.url + "/v1/messages", BODY, {"authorization": "Bearer bob-key-from-the-table"}
        )
        assert answer.status == 200
        assert server.gateway.journal is not None and server.gateway.journal.flush()
    finally:
        server.stop()
    with psycopg.connect(postgres.dsn) as connection:
        names = connection.execute("SELECT client_key FROM requests ORDER BY id").fetchall()
    assert names == [("",), ("bob",)]


def test_up_beyond_loopback_without_keys_refuses_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["up", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code != 0
    assert "needs client keys" in result.output and "server.keys" in result.output


def test_up_rejects_a_state_url_that_is_not_redis() -> None:
    result = CliRunner().invoke(cli, ["up", "--state", "http://example.com"])
    assert result.exit_code != 0
    assert "--state" in result.output


def test_a_key_ring_holds_digests_only() -> None:
    ring = KeyRing({"alice": ALICE})
    assert ring.key_name({"x-api-key": ALICE}) == "alice"
    assert ring.key_name({"authorization": f"Bearer {ALICE}"}) == "alice"
    assert ring.key_name({"x-api-key": ALICE[:-1]}) is None
    assert ALICE not in repr(vars(ring))


def test_up_state_and_journal_options_override_the_file() -> None:
    from switchex.cli.up import team_options

    config = make_config([{"name": "org", "provider": "anthropic"}], state="redis://a:1/0")
    changed = team_options(config, "redis://b:2/0", "postgresql://u@h/db")
    assert (changed.state, changed.journal) == ("redis://b:2/0", "postgresql://u@h/db")
    assert team_options(config, None, None) is config
