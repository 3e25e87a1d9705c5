import orjson
import pytest

from switchex.errors import SwitchableError, UpstreamRejected
from switchex.providers.gemini import GeminiProvider

from .support import fixture

NOW = 1_000_000.0


def error(status: int, body: bytes, headers: dict[str, str] | None = None) -> object:
    return GeminiProvider().error_from_response(status, headers or {}, body, NOW)


@pytest.mark.parametrize(
    ("status", "name", "error_type", "reason", "until"),
    [
        (429, "error_429_retryinfo.json", "rate_limit_error", "rate_limit", NOW + 37),
        (429, "error_429_fractional.json", "rate_limit_error", "rate_limit", NOW + 1.5),
        (429, "error_429_plain.json", "rate_limit_error", "rate_limit", None),
        (503, "error_503.json", "overloaded_error", "overloaded", None),
        (500, "error_500.json", "api_error", "server_error", None),
        (504, "error_504.json", "timeout_error", "timeout", None),
        (502, "text.json", "api_error", "server_error", None),
    ],
)
def test_limits_and_outages_switch_tiers(
    status: int, name: str, error_type: str, reason: str, until: float | None
) -> None:
    got = error(status, fixture(name))
    assert isinstance(got, SwitchableError)
    assert (got.status, got.error_type, got.reason, got.cooldown_until) == (
        status,
        error_type,
        reason,
        until,
    )


def test_retry_after_is_the_fallback_and_retry_info_wins() -> None:
    plain = error(429, fixture("error_429_plain.json"), {"Retry-After": "12"})
    assert isinstance(plain, SwitchableError) and plain.cooldown_until == NOW + 12
    both = error(429, fixture("error_429_retryinfo.json"), {"retry-after": "12"})
    assert isinstance(both, SwitchableError) and both.cooldown_until == NOW + 37


@pytest.mark.parametrize(
    ("status", "name", "error_type", "words"),
    [
        (400, "error_400.json", "invalid_request_error", 'Unknown name "additionalProperties"'),
        (403, "error_403.json", "permission_error", "unregistered callers"),
        (404, "error_404.json", "not_found_error", "models/gemini-9-ultra is not found"),
    ],
)
def test_refusals_reach_the_client_in_anthropic_shape(
    status: int, name: str, error_type: str, words: str
) -> None:
    got = error(status, fixture(name))
    assert isinstance(got, UpstreamRejected) and got.status == status
    body = orjson.loads(got.body)
    assert body["type"] == "error" and body["error"]["type"] == error_type
    assert words in body["error"]["message"] and body["error"]["message"].startswith("Gemini")


@pytest.mark.parametrize("body", [b"", b"<html>bad gateway</html>", b"[]", b'{"error": "flat"}'])
def test_unreadable_error_bodies_still_map(body: bytes) -> None:
    got = error(429, body)
    assert isinstance(got, SwitchableError) and got.message == "Gemini answered HTTP 429."
