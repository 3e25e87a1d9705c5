"""The bedrock kind: URL, body, model ids, error mapping, SigV4 through botocore."""

from __future__ import annotations

import http.client
from pathlib import Path

import orjson
import pytest

from switchex.errors import SwitchableError, UpstreamRejected
from switchex.fakes.bedrock import FakeBedrock
from switchex.providers.base import TierSpec, UpstreamCall
from switchex.providers.bedrock import BedrockProvider, bedrock_model
from tests.providers.bedrock.conftest import aws_env

TIER = TierSpec("bedrock", "", None, options={"region": "eu-west-1"})
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def request(stream: bool = True) -> dict[str, object]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "stream": stream,
        "messages": [{"role": "user", "content": "hi"}],
    }


@pytest.mark.parametrize(
    ("name", "region", "model_id"),
    [
        ("claude-sonnet-4-5", "us-west-2", "us." + SONNET),
        ("claude-sonnet-4-5", "eu-central-1", "eu." + SONNET),
        ("claude-haiku-4-5", "ap-northeast-1", "apac.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("claude-opus-4-1-20250805", "us-east-1", "us.anthropic.claude-opus-4-1-20250805-v1:0"),
        (SONNET, "us-east-1", SONNET),
        ("global." + SONNET, "us-east-1", "global." + SONNET),
        (
            "arn:aws:bedrock:us-east-1:1:inference-profile/x",
            "us-east-1",
            "arn:aws:bedrock:us-east-1:1:inference-profile/x",
        ),
    ],
)
def test_claude_code_names_become_bedrock_ids(name: str, region: str, model_id: str) -> None:
    assert bedrock_model(name, region) == model_id


def test_call_moves_model_and_stream_out_of_the_body() -> None:
    headers = {"anthropic-beta": "oauth-2025-04-20,fine-grained-tool-streaming-2025-05-14"}
    call = BedrockProvider().build_call(TIER, request(), "claude-sonnet-4-5", headers)
    assert call.url == (
        f"https://bedrock-runtime.eu-west-1.amazonaws.com/model/eu.{SONNET}"
        "/invoke-with-response-stream"
    )
    assert call.stream and call.headers["accept"] == "application/vnd.amazon.eventstream"
    body = orjson.loads(call.body)
    assert "model" not in body and "stream" not in body
    assert body["anthropic_version"] == "bedrock-2023-05-31"
    assert body["anthropic_beta"] == ["fine-grained-tool-streaming-2025-05-14"]
    whole = BedrockProvider().build_call(TIER, request(False), "claude-sonnet-4-5", {})
    assert whole.url.endswith(f"/model/eu.{SONNET}/invoke") and not whole.stream
    assert "anthropic_beta" not in orjson.loads(whole.body)


@pytest.mark.parametrize(
    ("status", "name", "kind", "reason"),
    [
        (429, "ThrottlingException", SwitchableError, "rate_limit"),
        (503, "ServiceUnavailableException", SwitchableError, "overloaded"),
        (403, "AccessDeniedException", SwitchableError, "auth_failed"),
        (400, "ValidationException", UpstreamRejected, "invalid_request"),
        (404, "ResourceNotFoundException", UpstreamRejected, "not_found"),
    ],
)
def test_errors_map_into_the_hierarchy(
    status: int, name: str, kind: type, reason: str | None
) -> None:
    headers = {"x-amzn-ErrorType": f"{name}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    error = BedrockProvider().error_from_response(status, headers, b'{"message":"nope"}', 0.0)
    assert type(error) is kind
    assert error.kind == reason
    body = orjson.loads(error.body)
    assert body["type"] == "error" and body["error"]["message"] == f"Bedrock {name}: nope"


def send(call: UpstreamCall) -> tuple[int, bytes]:
    host = call.url.split("/")[2]
    connection = http.client.HTTPConnection(host, timeout=10)
    path = "/" + call.url.split("/", 3)[3]
    connection.request(call.method, path, call.body, dict(call.headers))
    try:
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


async def test_signed_call_passes_the_fakes_signature_check(
    aws: None, bedrock: FakeBedrock
) -> None:
    tier = TierSpec("bedrock", bedrock.base_url, None, options={"region": "us-east-1"})
    provider = BedrockProvider()
    call = provider.build_call(tier, request(False), "claude-sonnet-4-5", {})
    signed = await provider.authorize(call, tier)
    assert signed.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIA")
    status, body = send(signed)
    assert status == 200, body
    assert orjson.loads(body)["model"] == "us." + SONNET
    tampered = UpstreamCall(signed.method, signed.url, signed.headers, signed.body + b" ", False)
    status, body = send(tampered)
    assert status == 403 and b"signature we calculated does not match" in body


async def test_region_comes_from_the_aws_configuration_when_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    aws_env(monkeypatch, tmp_path, region="eu-west-3")
    tier = TierSpec("bedrock", "", None)
    provider = BedrockProvider()
    call = await provider.authorize(
        provider.build_call(tier, request(), "claude-sonnet-4-5", {}), tier
    )
    assert call.url.startswith(f"https://bedrock-runtime.eu-west-3.amazonaws.com/model/eu.{SONNET}")
    assert "/eu-west-3/bedrock/aws4_request" in call.headers["Authorization"]


async def test_missing_credentials_take_the_tier_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    aws_env(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    provider = BedrockProvider()
    call = provider.build_call(TIER, request(), "claude-sonnet-4-5", {})
    with pytest.raises(SwitchableError) as caught:
        await provider.authorize(call, TIER)
    assert caught.value.reason == "auth_failed"


async def test_a_named_profile_supplies_region_and_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    aws_env(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (tmp_path / "no-aws-config").write_text("[profile work]\nregion = ap-southeast-2\n")
    (tmp_path / "no-aws-credentials").write_text(
        "[work]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = s\n"
    )
    tier = TierSpec("bedrock", "", None, options={"profile": "work"})
    provider = BedrockProvider()
    built = provider.build_call(tier, request(), "claude-haiku-4-5", {})
    call = await provider.authorize(built, tier)
    assert call.url.startswith(
        "https://bedrock-runtime.ap-southeast-2.amazonaws.com/model/apac.anthropic.claude-haiku"
    )
    assert call.headers["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIAPROFILEKEY000001/"
    )
    assert "/ap-southeast-2/bedrock/aws4_request" in call.headers["Authorization"]
