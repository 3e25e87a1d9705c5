import json

import orjson
import pytest

from switchex.errors import FailureKind, SwitchableError, UpstreamError, kind_for_status
from switchex.providers.openai.errors import error_from_response, parse_duration, stream_error_event

from .wire import fixture

NOW = 1_741_569_000.0


def from_fixture(name: str) -> UpstreamError:
    case = fixture(name)
    return error_from_response(case["status"], case["headers"], orjson.dumps(case["body"]), NOW)


@pytest.mark.parametrize(
    ("name", "kind", "status", "error_type", "cooldown"),
    [
        ("error_rate_limit.json", FailureKind.RATE_LIMITED, 429, "rate_limit_error", NOW + 360),
        (
            "error_openrouter_429.json",
            FailureKind.RATE_LIMITED,
            429,
            "rate_limit_error",
            1_741_570_000.0,
        ),
        ("error_overloaded.json", FailureKind.OVERLOADED, 503, "overloaded_error", NOW + 30),
        (
            "error_context_length.json",
            FailureKind.CONTEXT_TOO_LONG,
            400,
            "invalid_request_error",
            None,
        ),
        ("error_invalid_key.json", FailureKind.AUTH_FAILED, 401, "authentication_error", None),
        ("error_ollama_not_found.json", FailureKind.NOT_FOUND, 404, "not_found_error", None),
        (
            "error_deepseek_reasoning.json",
            FailureKind.INVALID_REQUEST,
            400,
            "invalid_request_error",
            None,
        ),
    ],
)
def test_error_fixtures_are_classified(
    name: str, kind: FailureKind, status: int, error_type: str, cooldown: float | None
) -> None:
    error = from_fixture(name)
    assert (error.kind, error.status, error.error_type) == (kind, status, error_type)
    assert error.cooldown_until == cooldown
    body = json.loads(error.body)
    assert body == {"type": "error", "error": {"type": error_type, "message": error.message}}
    assert fixture(name)["body"]["error"]["message"] in error.message


def test_openrouter_raw_provider_message_is_kept() -> None:
    assert "temporarily rate-limited upstream" in from_fixture("error_openrouter_429.json").message


def test_context_overflow_uses_anthropic_wording_so_claude_code_compacts() -> None:
    message = from_fixture("error_context_length.json").message
    assert message.startswith("prompt is too long: 130532 tokens > 128000 maximum")


@pytest.mark.parametrize(
    ("status", "kind", "error_type"),
    [
        (500, FailureKind.SERVER_ERROR, "api_error"),
        (502, FailureKind.SERVER_ERROR, "api_error"),
        (503, FailureKind.OVERLOADED, "overloaded_error"),
        (504, FailureKind.TIMEOUT, "timeout_error"),
        (408, FailureKind.TIMEOUT, "timeout_error"),
        (529, FailureKind.OVERLOADED, "overloaded_error"),
        (402, FailureKind.BILLING, "billing_error"),
        (401, FailureKind.AUTH_FAILED, "authentication_error"),
        (403, FailureKind.AUTH_FAILED, "permission_error"),
        (404, FailureKind.NOT_FOUND, "not_found_error"),
        (413, FailureKind.TOO_LARGE, "request_too_large"),
    ],
)
def test_status_is_classified_like_every_kind(
    status: int, kind: FailureKind, error_type: str
) -> None:
    error = error_from_response(status, {}, b"", NOW)
    assert (error.kind, error.error_type) == (kind, error_type)
    assert kind_for_status(status) == kind
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
