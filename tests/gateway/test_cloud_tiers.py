"""Claude on Vertex AI and Bedrock as tiers of a real gateway: served, cooled, failed over."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.bedrock import FakeBedrock
from switchex.fakes.vertex import FakeVertex
from switchex.providers.vertex import VertexProvider
from tests.client import message, post
from tests.helpers import GatewayServer, make_config, serve
from tests.providers.bedrock.conftest import ACCESS_KEY, SECRET_KEY, aws_env

SONNET_BEDROCK = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
LIMITED = Reply(
    status=429,
    headers={
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-reset": "4102444800",
    },
)


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeBedrock]:
    aws_env(monkeypatch, tmp_path)
    with FakeBedrock(access_key=ACCESS_KEY, secret_key=SECRET_KEY) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def vertex() -> Iterator[FakeVertex]:
    with FakeVertex() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def servers() -> Iterator[list[GatewayServer]]:
    started: list[GatewayServer] = []
    yield started
    for server in started:
        server.stop()


def gateway(
    servers: list[GatewayServer], tmp_path: Path, tiers: list[dict[str, Any]], **kw: Any
) -> GatewayServer:
    server = serve(make_config(tiers, ping_interval=0.3), tmp_path / "state", **kw)
    servers.append(server)
    return server


def bedrock_tier(fake: FakeBedrock) -> dict[str, Any]:
    return {
        "name": "bedrock",
        "provider": "bedrock",
        "region": "us-east-1",
        "base_url": fake.base_url,
    }


def vertex_tier(fake: FakeVertex) -> dict[str, Any]:
    return {
        "name": "vertex",
        "provider": "vertex",
        "project": fake.project,
        "region": fake.region,
        "base_url": fake.base_url,
    }


def test_rate_limited_subscription_continues_on_bedrock_with_the_same_model(
    claude: FakeAnthropic, bedrock: FakeBedrock, servers: list[GatewayServer], tmp_path: Path
) -> None:
    claude.push(LIMITED)
    bedrock.push(Reply(tool_calls=[ToolCall("Write", {"file_path": "a.txt", "content": "x"})]))
    claude_tier = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    server = gateway(servers, tmp_path, [claude_tier, bedrock_tier(bedrock)])

    answer = post(f"{server.url}/v1/messages", message("write a.txt", stream=True))

    assert answer.status == 200 and answer.headers["x-switchex-tier"] == "bedrock"
    events = answer.events()
    assert events[0]["message"]["model"] == SONNET_BEDROCK
    tool = next(e for e in events if e["type"] == "content_block_start")["content_block"]
    assert tool["type"] == "tool_use" and tool["name"] == "Write"
    assert events[-1]["type"] == "message_stop"
    (sent,) = bedrock.model_requests()
    assert sent.path == f"/model/{SONNET_BEDROCK}/invoke-with-response-stream"
    assert "model" not in sent.json() and "stream" not in sent.json()
    whole = post(f"{server.url}/v1/messages", message("again"))
    assert whole.status == 200 and whole.json()["content"][0]["text"] == "ok"


def test_bedrock_throttled_inside_the_stream_fails_over_before_the_first_byte(
    claude: FakeAnthropic, bedrock: FakeBedrock, servers: list[GatewayServer], tmp_path: Path
) -> None:
    bedrock.stream_exceptions.append("throttlingException")
    claude.push(Reply(text="claude served"))
    claude_tier = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    server = gateway(servers, tmp_path, [bedrock_tier(bedrock), claude_tier])

    answer = post(f"{server.url}/v1/messages", message(stream=True))

    assert answer.headers["x-switchex-tier"] == "claude"
    assert "".join(e["delta"].get("text", "") for e in answer.events() if "delta" in e) == (
        "claude served"
    )
    status = server.gateway.router.states["bedrock"]
    assert status.reason == "rate_limit"


def test_vertex_serves_with_a_refreshed_token_and_cools_on_resource_exhausted(
    claude: FakeAnthropic, vertex: FakeVertex, servers: list[GatewayServer], tmp_path: Path
) -> None:
    credentials = Credentials(
        token=None,
        refresh_token="1//r",
        client_id="c",
        client_secret="s",
        token_uri=vertex.token_uri,
    )
    dialects = {"vertex": VertexProvider(credentials)}
    claude_tier = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    server = gateway(servers, tmp_path, [vertex_tier(vertex), claude_tier], dialects=dialects)
    vertex.push(Reply(text="from vertex"), Reply(text="again"), Reply(status=429))
    claude.push(Reply(text="claude after vertex"))

    first = post(f"{server.url}/v1/messages", message(stream=True))
    second = post(f"{server.url}/v1/messages", message())
    third = post(f"{server.url}/v1/messages", message())

    assert first.headers["x-switchex-tier"] == "vertex"
    assert first.events()[0]["message"]["model"] == "claude-sonnet-4-5@20250929"
    assert second.json()["content"][0]["text"] == "again"
    assert third.json()["content"][0]["text"] == "claude after vertex"
    assert vertex.token_requests == 1  # cached between requests
    assert server.gateway.router.states["vertex"].reason == "rate_limit"
    paths = [r.path for r in vertex.model_requests()]
    assert paths[0].endswith("/models/claude-sonnet-4-5@20250929:streamRawPredict")
    assert paths[1].endswith(":rawPredict")
