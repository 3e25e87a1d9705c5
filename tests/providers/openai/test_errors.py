import json

import orjson
import pytest

from switchex.errors import SwitchableError, UpstreamRejected
from switchex.providers.openai.errors import error_from_response, parse_duration, stream_error_event

from .wire import fixture

NOW = 1_741_569_000.0


def from_fixture(name: str) -> SwitchableError | UpstreamRejected:
    case = fixture(name)
    error = error_from_response(case["status"], case["headers"], orjson.dumps(case["body"]), NOW)
    assert isinstance(error, SwitchableError | UpstreamRejected)
    return error


@pytest.mark.parametrize(
    ("name", "kind", "status", "error_type", "reason", "cooldown"),
    [
        (
            "error_rate_limit.json",
            SwitchableError,
            429,
            "rate_limit_error",
            "rate_limit",
            NOW + 360,
        ),
        (
            "error_openrouter_429.json",
            SwitchableError,
            429,
            "rate_limit_error",
            "rate_limit",
            1_741_570_000.0,
        ),
        ("error_overloaded.json", SwitchableError, 503, "overloaded_error", "overloaded", NOW + 30),
        ("error_context_length.json", UpstreamRejected, 400, "invalid_request_error", None, None),
        ("error_invalid_key.json", UpstreamRejected, 401, "authentication_error", None, None),
        ("error_ollama_not_found.json", UpstreamRejected, 404, "not_found_error", None, None),
        (
            "error_deepseek_reasoning.json",
            UpstreamRejected,
            400,
            "invalid_request_error",
            None,
            None,
        ),
    ],
)
def test_error_fixtures_map_into_the_hierarchy(
    name: str, kind: type, status: int, error_type: str, reason: str | None, cooldown: float | None
) -> None:
    error = from_fixture(name)
    assert type(error) is kind
    assert (error.status, error.error_type) == (status, error_type)
    if isinstance(error, SwitchableError):
        assert (error.reason, error.cooldown_until) == (reason, cooldown)
    body = json.loads(error.body)
    assert body == {"type": "error", "error": {"type": error_type, "message": error.message}}
    assert fixture(name)["body"]["error"]["message"] in error.message


def test_openrouter_raw_provider_message_is_kept() -> None:
    assert "temporarily rate-limited upstream" in from_fixture("error_openrouter_429.json").message


def test_context_overflow_uses_anthropic_wording_so_claude_code_compacts() -> None:
    message = from_fixture("error_context_length.json").message
    assert message.startswith("prompt is too long: 130532 tokens > 128000 maximum")


@pytest.mark.parametrize(
    ("status", "kind", "reason", "error_type"),
    [
        (500, SwitchableError, "server_error", "api_error"),
        (502, SwitchableError, "server_error", "api_error"),
        (504, SwitchableError, "timeout", "timeout_error"),
        (529, SwitchableError, "overloaded", "overloaded_error"),
        (402, SwitchableError, "rate_limit", "billing_error"),
        (403, UpstreamRejected, None, "permission_error"),
        (413, UpstreamRejected, None, "request_too_large"),
    ],
)
def test_status_decides_switch_or_relay(
    status: int, kind: type, reason: str | None, error_type: str
) -> None:
    error = error_from_response(status, {}, b"", NOW)
    assert type(error) is kind and error.error_type == error_type
    assert getattr(error, "reason", None) == reason
    assert str(status) in error.message


def test_422_is_relayed_as_400_with_the_upstream_text() -> None:
    error = error_from_response(422, {}, b'{"detail": "field required"}', NOW)
    assert (error.status, error.message) == (400, "field required")


@pytest.mark.parametrize(
    ("headers", "cooldown"),
    [
        ({"Retry-After": "7"}, NOW + 7),
        ({"retry-after-ms": "1500"}, NOW + 1.5),
        ({"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"}, NOW + 360),
        (
            {
                "x-ratelimit-reset-tokens": "20ms",
                "x-ratelimit-remaining-tokens": "0",
                "x-ratelimit-reset-requests": "1h",
                "x-ratelimit-remaining-requests": "12",
            },
            NOW + 0.02,
        ),
        ({"x-ratelimit-reset": "1741569100"}, 1_741_569_100.0),
        ({}, None),
    ],
)
def test_cooldown_comes_from_the_rate_limit_headers(
    headers: dict[str, str], cooldown: float | None
) -> None:
    error = error_from_response(429, headers, b"{}", NOW)
    assert isinstance(error, SwitchableError)
    assert error.cooldown_until == (pytest.approx(cooldown) if cooldown else None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("2", 2.0),
        ("soon", None),
        ("", None),
    ],
)
def test_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == (pytest.approx(seconds) if seconds is not None else None)


@pytest.mark.parametrize(
    ("error", "error_type"),
    [
        ({"code": 429, "message": "slow down"}, "rate_limit_error"),
        ({"message": "boom"}, "api_error"),
    ],
)
def test_stream_error_event(error: dict[str, object], error_type: str) -> None:
    event = stream_error_event(error)
    assert event == {"type": "error", "error": {"type": error_type, "message": error["message"]}}
