"""Every source of a reset time parses defensively: no input raises, none is non-finite."""

from __future__ import annotations

import math

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchex.providers.anthropic import AnthropicProvider
from switchex.providers.anthropic import cooldown_until as anthropic_until
from switchex.providers.common import retry_after_until
from switchex.providers.gemini.errors import error_from_response as gemini_error
from switchex.providers.gemini.errors import retry_delay_until
from switchex.providers.openai.errors import cooldown_until as openai_until

NOW = 1_000_000.0
HOSTILE = [
    "inf",
    "-inf",
    "nan",
    "Infinity",
    "1e20",
    "1e400",
    "9" * 400,
    "-5",
    "",
    " ",
    "0x10",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Mon, 01 Jan 0001 00:00:00 GMT",
    "1h2m3.5s",
    "1e308s",
]
texts = st.sampled_from(HOSTILE) | st.text(max_size=40) | st.from_regex(r"[0-9.eE+-]{1,30}")

ANTHROPIC_HEADERS = [
    "retry-after",
    "anthropic-ratelimit-unified-status",
    "anthropic-ratelimit-unified-reset",
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-tokens-reset",
]
OPENAI_HEADERS = [
    "retry-after",
    "retry-after-ms",
    "x-ratelimit-reset-requests",
    "x-ratelimit-reset-tokens",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset",
]


def finite_or_none(value: float | None) -> bool:
    return value is None or math.isfinite(value)


@given(st.dictionaries(st.sampled_from(ANTHROPIC_HEADERS), texts))
def test_anthropic_headers_never_raise(headers: dict[str, str]) -> None:
    assert finite_or_none(anthropic_until(headers, NOW))
    assert finite_or_none(retry_after_until(headers, NOW))


@given(st.dictionaries(st.sampled_from(OPENAI_HEADERS), texts))
def test_openai_headers_never_raise(headers: dict[str, str]) -> None:
    assert finite_or_none(openai_until(headers, NOW))


@given(st.sampled_from(HOSTILE) | st.text(max_size=40) | st.from_regex(r"[0-9]{1,500}s"))
def test_gemini_retry_delay_never_raises(delay: str) -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]
    assert finite_or_none(retry_delay_until(details, NOW))


@pytest.mark.parametrize("value", ["inf", "1e20", "nan", "9" * 400])
def test_a_hostile_retry_after_gives_no_infinite_hint(value: str) -> None:
    error = AnthropicProvider().error_from_response(429, {"retry-after": value}, b"{}", NOW)
    assert finite_or_none(error.cooldown_until)


def test_a_400_digit_retry_delay_is_no_hint() -> None:
    body = orjson.dumps(
        {
            "error": {
                "code": 429,
                "status": "RESOURCE_EXHAUSTED",
                "message": "quota",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": "9" * 400 + "s",
                    }
                ],
            }
        }
    )
    assert finite_or_none(gemini_error(429, {}, body, NOW).cooldown_until)


@given(st.lists(st.dictionaries(st.sampled_from(ANTHROPIC_HEADERS + OPENAI_HEADERS), texts)))
def test_parsed_hints_keep_the_router_finite(answers: list[dict[str, str]]) -> None:
    from switchex.errors import SwitchableError
    from switchex.gateway.router import Router

    router = Router(["a"], clock=lambda: NOW)
    for headers in answers:
        for hint in (anthropic_until(headers, NOW), openai_until(headers, NOW)):
            error = SwitchableError(429, "limited", reason="rate_limit", cooldown_until=hint)
            until = router.failed("a", error)
            assert math.isfinite(until) and NOW <= until <= NOW + router.max_reset
