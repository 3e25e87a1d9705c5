"""Every endpoint refuses what a web page could send (issue 9, item 1); hooks need a secret."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from switchex.secret import HOOK_SECRET_HEADER, hook_secret, settings_token
from tests.client import Answer, message
from tests.gateway.test_messages import journal_rows
from tests.helpers import GatewayServer, make_config, serve


def call(
    server: GatewayServer,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    connection.request(method, path, data, headers or {})
    response = connection.getresponse()
    answer = Answer(
        response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    )
    connection.close()
    return answer


class Hooks:
    """An observer that only records hook calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[tuple[str, str, bool, str, tuple[str, ...]]] = []

    def boundary(self, session: str, request: dict[str, Any], agent: str) -> str | None:
        return None

    def responded(
        self,
        session: str,
        model: str,
        tier: str,
        tool_use: bool,
        agent: str = "",
        tool_ids: Sequence[str] = (),
    ) -> None:
        self.answers.append((session, model, tool_use, agent, tuple(tool_ids)))

    def hook(self, event: str, payload: dict[str, Any]) -> None:
        self.calls.append((event, payload))


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
def gateway(tmp_path: Path, claude: FakeAnthropic, hooks: Hooks) -> Any:
    config = make_config([{"name": "t1", "provider": "anthropic", "base_url": claude.base_url}])
    server = serve(config, tmp_path / "state", observer=hooks)
    yield server
    server.stop()


JSON = {"content-type": "application/json", "x-api-key": "client-key"}


def is_anthropic_error(answer: Answer, error_type: str | None = None) -> bool:
    body = answer.json()
    return body["type"] == "error" and (error_type is None or body["error"]["type"] == error_type)


def test_a_cross_site_simple_post_never_reaches_the_upstream(
    gateway: GatewayServer, claude: FakeAnthropic, tmp_path: Path
) -> None:
    hostile = {
        "host": "evil.example",
        "origin": "http://evil.example",
        "content-type": "text/plain",
    }
    answer = call(gateway, "POST", "/v1/messages", message(), hostile)
    assert answer.status in (403, 421) and is_anthropic_error(answer)
    assert claude.model_requests() == []
    rows = journal_rows(tmp_path, "refusals")
    assert (rows[0]["path"], rows[0]["status"]) == ("/v1/messages", answer.status)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"content-type": "text/plain"}, 415),
        ({"content-type": "application/x-www-form-urlencoded"}, 415),
        ({"origin": "http://evil.example"}, 403),
        ({"host": "evil.example"}, 421),
    ],
)
def test_each_cross_site_trait_alone_is_refused(
    gateway: GatewayServer, claude: FakeAnthropic, headers: dict[str, str], status: int
) -> None:
    answer = call(gateway, "POST", "/v1/messages", message(), {**JSON, **headers})
    assert answer.status == status and is_anthropic_error(answer)
    assert claude.model_requests() == []


@pytest.mark.parametrize("path", ["/status", "/", "/metrics", "/v1/models", "/health"])
def test_dns_rebinding_cannot_read_any_page(gateway: GatewayServer, path: str) -> None:
    answer = call(gateway, "GET", path, headers={"host": f"rebind.example:{gateway.port}"})
    assert answer.status == 421 and is_anthropic_error(answer, "permission_error")


def test_claude_code_and_the_dashboard_keep_working(gateway: GatewayServer) -> None:
    headers = {**JSON, "content-type": "application/json; charset=utf-8"}
    assert call(gateway, "POST", "/v1/messages?beta=true", message(), headers).status == 200
    own = {"origin": f"http://127.0.0.1:{gateway.port}", "sec-fetch-site": "same-origin"}
    assert call(gateway, "GET", "/status", headers=own).status == 200
    assert call(gateway, "GET", "/", headers={"host": f"localhost:{gateway.port}"}).status == 200


def test_no_cors_anywhere(gateway: GatewayServer) -> None:
    preflight = {
        "origin": "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    for method, path in [("OPTIONS", "/v1/messages"), ("GET", "/status"), ("OPTIONS", "/")]:
        answer = call(gateway, method, path, headers=preflight)
        assert answer.status >= 400
        assert not [name for name in answer.headers if name.startswith("access-control-")]


def test_a_hook_without_the_secret_changes_nothing(
    gateway: GatewayServer, hooks: Hooks, tmp_path: Path
) -> None:
    payload = {"session_id": "e", "cwd": str(tmp_path)}
    for extra in ({}, {HOOK_SECRET_HEADER: "guess"}, {"authorization": "Bearer guess"}):
        answer = call(gateway, "POST", "/hook/SessionStart", payload, {**JSON, **extra})
        assert answer.status == 401 and is_anthropic_error(answer, "authentication_error")
    assert hooks.calls == []


def test_a_hook_with_the_secret_is_heard(
    gateway: GatewayServer, hooks: Hooks, tmp_path: Path
) -> None:
    secret = hook_secret(tmp_path / "state")
    payload = {"session_id": "e", "cwd": str(tmp_path)}
    for extra in ({HOOK_SECRET_HEADER: secret}, {"authorization": f"Bearer {secret}"}):
        answer = call(gateway, "POST", "/hook/Stop", payload, {**JSON, **extra})
        assert answer.status == 200
    assert hooks.calls == [("Stop", payload), ("Stop", payload)]


def test_a_hook_body_over_one_megabyte_is_413(
    gateway: GatewayServer, hooks: Hooks, tmp_path: Path
) -> None:
    secret = hook_secret(tmp_path / "state")
    body = json.dumps({"session_id": "e", "pad": "x" * (1024 * 1024)}).encode()
    answer = call(gateway, "POST", "/hook/Stop", body, {**JSON, HOOK_SECRET_HEADER: secret})
    assert answer.status == 413 and is_anthropic_error(answer, "request_too_large")
    assert hooks.calls == []


def test_beyond_loopback_messages_need_a_listed_client_key(
    tmp_path: Path, claude: FakeAnthropic
) -> None:
    config = make_config(
        [{"name": "t1", "provider": "anthropic", "base_url": claude.base_url}],
        server={
            "host": "0.0.0.0",
            "public_names": ["gw.example.com"],
            "keys": [{"name": "alice", "key": "alice-key-0123456789"}],
        },
    )
    server = serve(config, tmp_path / "state")
    try:
        public = {"content-type": "application/json", "host": "gw.example.com"}
        answer = call(server, "POST", "/v1/messages", message(), public)
        assert answer.status == 401 and is_anthropic_error(answer, "authentication_error")
        wrong = call(server, "POST", "/v1/messages", message(), {**public, "x-api-key": "nope"})
        assert wrong.status == 401
        assert claude.model_requests() == []
        keyed = {**public, "x-api-key": "alice-key-0123456789"}
        assert call(server, "POST", "/v1/messages", message(), keyed).status == 200
        assert call(server, "GET", "/health", headers={"host": "evil.example"}).status == 421
    finally:
        server.stop()


def test_keys_inside_base_urls_never_reach_status_or_config_check(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from switchex.cli.main import cli

    tier = {
        "name": "o",
        "provider": "openai",
        "base_url": "http://user:sk-secret@127.0.0.1:9/v1?key=sk-secret",
        "api_key": "tier-key",
        "models": {"default": "m"},
    }
    server = serve(make_config([tier]), None)
    try:
        answer = call(server, "GET", "/status", headers={"host": f"127.0.0.1:{server.port}"})
        assert answer.status == 200 and b"sk-secret" not in answer.body
        assert "127.0.0.1:9/v1" in answer.json()["tiers"][0]["base_url"]
        printed = CliRunner().invoke(cli, ["status", "--json", "--url", server.url])
        assert printed.exit_code == 0 and "127.0.0.1:9/v1" in printed.output
        assert "sk-secret" not in printed.output
    finally:
        server.stop()
    (tmp_path / "switchex.yaml").write_text(json.dumps({"tiers": [tier]}))
    result = CliRunner().invoke(
        cli, ["config", "check", "--config", str(tmp_path / "switchex.yaml")]
    )
    assert result.exit_code == 0 and "sk-secret" not in result.output


def test_the_tracker_hears_each_answers_agent_and_tool_ids(
    gateway: GatewayServer, hooks: Hooks, claude: FakeAnthropic
) -> None:
    claude.push(Reply(tool_calls=[ToolCall("Bash", {"command": "ls"}), ToolCall("Read", {})]))
    headers = {**JSON, "x-claude-code-session-id": "s1", "x-claude-code-agent-id": "a7"}
    answer = call(gateway, "POST", "/v1/messages", message(stream=True), headers)
    emitted = [
        json.loads(line[6:])["content_block"]["id"]
        for line in answer.body.decode().splitlines()
        if line.startswith("data: ") and '"tool_use"' in line and "content_block_start" in line
    ]
    assert len(emitted) == 2
    deadline = time.monotonic() + 5  # the tracker hears of it just after the answer left
    while not hooks.answers and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hooks.answers == [("s1", "claude-sonnet-4-5", True, "a7", tuple(emitted))]


def test_a_settings_token_opens_hooks_and_a_forged_one_does_not(
    gateway: GatewayServer, hooks: Hooks, tmp_path: Path
) -> None:
    token = settings_token(hook_secret(tmp_path / "state"), "/home/u/.claude/settings.json")
    forged = settings_token("guessed", "/home/u/.claude/settings.json")
    payload = {"session_id": "s", "hook_event_name": "Stop"}
    for given, status in [(token, 200), (forged, 401), (token[:-1], 401)]:
        headers = {**JSON, "authorization": f"Bearer {given}"}
        assert call(gateway, "POST", "/hook/Stop", payload, headers).status == status
    assert hooks.calls == [("Stop", payload)]
