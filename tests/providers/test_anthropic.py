"""The anthropic kind: pass-through bytes, conversation repair, cooldown and error mapping."""

from __future__ import annotations

import orjson
import pytest

from switchex.errors import FailureKind
from switchex.providers.anthropic import (
    AnthropicProvider,
    cooldown_until,
    forward_headers,
    prepare_body,
    repair_conversation,
)
from switchex.providers.base import TierSpec
from switchex.providers.common import foreign_signature

TIER = TierSpec("claude", "https://api.anthropic.com", None, forward_client_headers=True)
NOW = 1_000_000.0


def conversation(signature: str, tool_id: str = "toolu_01") -> dict[str, object]:
    return {
        "model": "claude-opus-5-5",
        "max_tokens": 64000,
        "thinking": {"type": "adaptive"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "messages": [
            {"role": "user", "content": "fix it"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": signature},
                    {"type": "tool_use", "id": tool_id, "name": "Bash", "input": {"command": "ls"}},
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool_id, "content": "a.py"}],
            },
        ],
    }


def test_untouched_conversation_goes_out_byte_for_byte() -> None:
    request = conversation("EqRealSignature")
    raw = orjson.dumps(request) + b"  "
    assert prepare_body(request, "claude-opus-5-5", TIER, raw) == raw


def test_foreign_thinking_is_dropped_and_thinking_turned_off() -> None:
    request = conversation(foreign_signature("openai"))
    body = orjson.loads(prepare_body(request, "claude-opus-5-5", TIER, orjson.dumps(request)))
    assistant = body["messages"][1]["content"]
    assert [block["type"] for block in assistant] == ["tool_use"]
    assert "thinking" not in body and "context_management" not in body
    assert request["thinking"] == {"type": "adaptive"}  # the next tier still gets it whole


def test_foreign_thinking_in_an_earlier_turn_keeps_thinking_on() -> None:
    request = conversation(foreign_signature("gemini"))
    messages = request["messages"]
    assert isinstance(messages, list)
    messages += [
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "ok", "signature": "EqReal"},
                {"type": "text", "text": "done"},
            ],
        },
        {"role": "user", "content": "thanks"},
    ]
    repaired = repair_conversation(request)
    assert repaired is not None and repaired["thinking"] == {"type": "adaptive"}


def test_tool_ids_outside_anthropics_pattern_are_mapped_in_call_and_result() -> None:
    repaired = repair_conversation(conversation("EqReal", tool_id="functions.Bash:0"))
    assert repaired is not None
    call = repaired["messages"][1]["content"][1]["id"]
    result = repaired["messages"][2]["content"][0]["tool_use_id"]
    assert call == result and call.replace("_", "").replace("-", "").isalnum()


@pytest.mark.parametrize(
    ("cap", "model", "expected"),
    [(8192, "claude-opus-5-5", 8192), (None, "claude-sonnet-4-5", 64000)],
)
def test_model_map_and_token_cap_rewrite_the_body(
    cap: int | None, model: str, expected: int
) -> None:
    request = conversation("EqReal")
    tier = TierSpec("t", "https://x", None, cap)
    body = orjson.loads(prepare_body(request, model, tier, orjson.dumps(request)))
    assert (body["model"], body["max_tokens"]) == (model, expected)


def test_headers_forward_beta_verbatim_and_drop_hop_by_hop() -> None:
    client = {
        "x-api-key": "client",
        "anthropic-beta": "oauth-2025-04-20",
        "host": "127.0.0.1",
        "connection": "keep-alive",
        "accept-encoding": "gzip",
        "content-length": "9",
    }
    headers = forward_headers(client, TIER)
    assert headers["x-api-key"] == "client" and headers["anthropic-beta"] == "oauth-2025-04-20"
    assert not {"host", "connection", "accept-encoding", "content-length"} & set(headers)


def test_tier_key_replaces_any_client_credential() -> None:
    tier = TierSpec("t", "https://x", "tier-key")
    headers = forward_headers({"authorization": "Bearer oat", "x-api-key": "c"}, tier)
    assert headers["x-api-key"] == "tier-key" and "authorization" not in headers


def test_a_tier_not_allowed_the_clients_headers_gets_no_credential_beta_or_cookie() -> None:
    client = {
        "authorization": "Bearer sk-ant-oat01-x",
        "x-api-key": "sk-ant-client",
        "anthropic-beta": "oauth-2025-04-20",
        "cookie": "session=1",
        "anthropic-version": "2023-06-01",
    }
    headers = forward_headers(client, TierSpec("litellm", "https://llm.example", None))
    assert not {"authorization", "x-api-key", "anthropic-beta", "cookie"} & set(headers)
    assert headers["anthropic-version"] == "2023-06-01"
    assert "cookie" not in forward_headers(client, TIER)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {
                "anthropic-ratelimit-unified-status": "rejected",
                "anthropic-ratelimit-unified-reset": "1000500",
                "retry-after": "5",
            },
            1_000_500.0,
        ),
        ({"retry-after": "30"}, NOW + 30),
        (
            {
                "anthropic-ratelimit-requests-remaining": "5",
                "anthropic-ratelimit-requests-reset": "1970-01-12T13:48:20Z",
                "anthropic-ratelimit-tokens-remaining": "0",
                "anthropic-ratelimit-tokens-reset": "1970-01-12T13:50:00Z",
            },
            1_000_200.0,
        ),
        ({}, None),
    ],
)
def test_cooldown_prefers_the_most_specific_signal(
    headers: dict[str, str], expected: float | None
) -> None:
    assert cooldown_until(headers, NOW) == expected


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, FailureKind.RATE_LIMITED),
        (500, FailureKind.SERVER_ERROR),
        (502, FailureKind.SERVER_ERROR),
        (503, FailureKind.OVERLOADED),
        (504, FailureKind.TIMEOUT),
        (529, FailureKind.OVERLOADED),
        (402, FailureKind.BILLING),
    ],
)
def test_limits_and_outages_are_classified_by_status(status: int, kind: FailureKind) -> None:
    assert AnthropicProvider().error_from_response(status, {}, b"{}", NOW).kind == kind


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, FailureKind.INVALID_REQUEST),
        (401, FailureKind.AUTH_FAILED),
        (403, FailureKind.AUTH_FAILED),
        (404, FailureKind.NOT_FOUND),
        (413, FailureKind.TOO_LARGE),
    ],
)
def test_client_errors_keep_anthropics_body_byte_for_byte(status: int, kind: FailureKind) -> None:
    body = b'{"type":"error","error":{"type":"invalid_request_error","message":"exact"}}'
    error = AnthropicProvider().error_from_response(status, {"request-id": "r"}, body, NOW)
    assert error.kind == kind
    assert (error.status, error.body, dict(error.headers)) == (status, body, {"request-id": "r"})


@pytest.mark.parametrize(
    ("status", "error_type", "message", "kind"),
    [
        (400, "invalid_request_error", "prompt is too long: 210000 tokens", "context_too_long"),
        (400, "invalid_request_error", "Your credit balance is too low", "billing"),
        (529, "overloaded_error", "Overloaded", "overloaded"),
        (403, "permission_error", "no access", "auth_failed"),
        (400, "billing_error", "pay up", "billing"),
    ],
)
def test_the_body_error_type_refines_the_kind(
    status: int, error_type: str, message: str, kind: str
) -> None:
    body = orjson.dumps({"type": "error", "error": {"type": error_type, "message": message}})
    assert AnthropicProvider().error_from_response(status, {}, body, NOW).kind == kind


def test_the_stream_translator_reads_anthropic_sse_as_events() -> None:
    translator = AnthropicProvider().stream_translator("claude-sonnet-4-5")
    first = translator.feed(b'event: ping\ndata: {"type":"ping"}\n\nevent: message_st')
    rest = translator.feed(b'op\ndata: {"type":"message_stop"}\n\n') + translator.finish()
    assert (first, rest) == ([{"type": "ping"}], [{"type": "message_stop"}])
