"""The vertex kind: URL, body, model ids, error mapping, and google-auth tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from google.oauth2.credentials import Credentials

from switchex.errors import SwitchableError, UpstreamRejected
from switchex.fakes.vertex import FakeVertex
from switchex.providers.base import TierSpec
from switchex.providers.vertex import VertexProvider, vertex_model, vertex_url
from switchex.providers.vertex.auth import TokenSource
from tests.providers.vertex.conftest import service_account_file

TIER = TierSpec("vertex", "", None, options={"project": "my-proj", "region": "us-east5"})
BETAS = "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14"


def request(**extra: object) -> dict[str, object]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64000,
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
        **extra,
    }


@pytest.mark.parametrize(
    ("region", "stream", "url"),
    [
        (
            "us-east5",
            True,
            "https://us-east5-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5"
            "/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict",
        ),
        (
            "global",
            False,
            "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global"
            "/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
        ),
    ],
)
def test_url_names_project_region_model_and_method(region: str, stream: bool, url: str) -> None:
    tier = TierSpec("v", "", None, options={"project": "my-proj", "region": region})
    assert vertex_url(tier, "claude-sonnet-4-5@20250929", stream) == url


def test_base_url_replaces_the_host_only() -> None:
    tier = TierSpec("v", "http://127.0.0.1:9/", None, options={"project": "p", "region": "r"})
    assert vertex_url(tier, "m@1", False) == (
        "http://127.0.0.1:9/v1/projects/p/locations/r/publishers/anthropic/models/m@1:rawPredict"
    )


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("claude-sonnet-4-5", "claude-sonnet-4-5@20250929"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5@20251001"),
        ("claude-opus-4-5@20251101", "claude-opus-4-5@20251101"),
        ("claude-opus-5-5", "claude-opus-5-5"),
    ],
)
def test_claude_code_names_become_vertex_ids(name: str, model_id: str) -> None:
    assert vertex_model(name) == model_id


def test_body_moves_model_to_url_and_betas_into_the_body() -> None:
    original = request(context_management={"edits": []}, output_config={"effort": "high"})
    frozen = orjson.dumps(original)
    call = VertexProvider().build_call(
        TIER, original, "claude-sonnet-4-5", {"anthropic-beta": BETAS}
    )
    body = orjson.loads(call.body)
    assert "model" not in body
    assert body["anthropic_version"] == "vertex-2023-10-16"
    assert body["anthropic_beta"] == ["interleaved-thinking-2025-05-14"]
    assert body["stream"] is True and call.stream
    assert "context_management" not in body and "output_config" not in body  # betas not sent
    assert call.url.endswith("claude-sonnet-4-5@20250929:streamRawPredict")
    assert "authorization" not in call.headers and "x-api-key" not in call.headers
    assert orjson.dumps(original) == frozen  # the next tier needs the request whole


def test_context_management_kept_with_its_beta_and_max_tokens_capped() -> None:
    tier = TierSpec("v", "", None, 32000, {}, {"project": "p"})
    beta = {"anthropic-beta": "context-management-2025-06-27"}
    call = VertexProvider().build_call(tier, request(context_management={"edits": []}), "m", beta)
    body = orjson.loads(call.body)
    assert body["context_management"] == {"edits": []}
    assert body["max_tokens"] == 32000


def test_quota_exhausted_cools_like_any_429() -> None:
    body = b'{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}'
    error = VertexProvider().error_from_response(429, {"retry-after": "30"}, body, 1000.0)
    assert isinstance(error, SwitchableError)
    assert (error.reason, error.cooldown_until, error.error_type) == (
        "rate_limit",
        1030.0,
        "rate_limit_error",
    )
    assert b"RESOURCE_EXHAUSTED" in error.body and orjson.loads(error.body)["type"] == "error"


def test_own_credentials_refused_takes_the_tier_out_not_the_user() -> None:
    body = b'{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}'
    error = VertexProvider().error_from_response(403, {}, body, 0.0)
    assert isinstance(error, SwitchableError) and error.reason == "auth_failed"


def test_model_rejection_is_relayed_as_anthropic_error() -> None:
    body = (
        b'{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}'
    )
    error = VertexProvider().error_from_response(400, {}, body, 0.0)
    assert isinstance(error, UpstreamRejected)
    assert (error.error_type, error.message) == ("invalid_request_error", "prompt is too long")


@pytest.fixture
def vertex() -> Iterator[FakeVertex]:
    with FakeVertex() as fake:
        yield fake  # type: ignore[misc]


def user_credentials(fake: FakeVertex) -> Credentials:
    return Credentials(
        token=None,
        refresh_token="1//refresh",
        client_id="cid",
        client_secret="cs",
        token_uri=fake.token_uri,
    )


async def test_token_is_refreshed_once_and_cached(vertex: FakeVertex) -> None:
    source = TokenSource(user_credentials(vertex))
    tokens = await asyncio.gather(*(source.token() for _ in range(5)))
    assert len(set(tokens)) == 1 and tokens[0] in vertex.tokens
    assert await source.token() == tokens[0]
    assert vertex.token_requests == 1


async def test_token_near_expiry_is_refreshed(vertex: FakeVertex) -> None:
    vertex.token_lifetime = 60  # inside google-auth's refresh margin: never "valid" for long
    source = TokenSource(user_credentials(vertex))
    first = await source.token()
    second = await source.token()
    assert first != second and vertex.token_requests == 2


async def test_application_default_credentials_file_is_found(
    vertex: FakeVertex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADC as a user deploys it: GOOGLE_APPLICATION_CREDENTIALS names a service-account key."""
    adc = service_account_file(tmp_path / "adc.json", vertex.token_uri)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    provider = VertexProvider()
    call = provider.build_call(TIER, request(), "claude-sonnet-4-5", {})
    authorized = await provider.authorize(call, TIER)
    token = authorized.headers["authorization"].removeprefix("Bearer ")
    assert token in vertex.tokens
    await provider.authorize(call, TIER)
    assert vertex.token_requests == 1


async def test_no_credentials_is_a_switchable_auth_failure(vertex: FakeVertex) -> None:
    broken = Credentials(
        token=None,
        refresh_token="x",
        client_id="c",
        client_secret="s",
        token_uri=vertex.base_url + "/nowhere",
    )
    with pytest.raises(SwitchableError) as caught:
        await TokenSource(broken).token()
    assert caught.value.reason == "auth_failed"
