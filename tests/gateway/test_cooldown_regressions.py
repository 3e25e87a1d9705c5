"""Issue 9 item 2: one bad reset value must never break the gateway until restart."""

from __future__ import annotations

import math
import time
from pathlib import Path

import orjson
import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from switchex.fakes.gemini import FakeGemini
from tests.client import get, message, post
from tests.gateway.conftest import MakeGateway
from tests.gateway.test_messages import journal_rows
from tests.helpers import make_config, serve

EIGHT_DAYS = 8 * 86400


@pytest.mark.parametrize("value", ["inf", "1e20", "nan", "9" * 400])
def test_a_hostile_retry_after_cools_finitely_and_the_switch_is_journaled(
    value: str,
    claude: FakeAnthropic,
    claude2: FakeAnthropic,
    make_gateway: MakeGateway,
    tmp_path: Path,
) -> None:
    claude.push(Reply(status=429, headers={"retry-after": value}))
    gateway = make_gateway(claude, claude2)
    answer = post(f"{gateway.url}/v1/messages", message())
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "t2")
    [switch] = journal_rows(tmp_path, "switches")
    assert (switch["from_tier"], switch["to_tier"], switch["reason"]) == ("t1", "t2", "rate_limit")
    until = get(f"{gateway.url}/status").json()["tiers"][0]["until"]
    assert math.isfinite(until) and until <= time.time() + EIGHT_DAYS


def test_when_every_tier_cools_the_answer_is_a_429_with_an_integer_retry_after(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    claude.push(Reply(status=429, headers={"retry-after": "inf"}))
    gateway = make_gateway(claude)
    for _ in range(2):
        answer = post(f"{gateway.url}/v1/messages", message())
        assert answer.status == 429
        assert answer.json()["error"]["type"] == "rate_limit_error"
        assert 1 <= int(answer.headers["retry-after"]) <= EIGHT_DAYS


def test_a_400_digit_gemini_retry_delay_cools_finitely(claude: FakeAnthropic) -> None:
    delay = "9" * 400 + "s"
    error = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}],
        }
    }
    limited = Reply(status=429, error_body=orjson.dumps(error))
    with FakeGemini(default=limited) as gemini:
        tiers = [
            {
                "name": "gemini",
                "provider": "gemini",
                "base_url": gemini.base_url,
                "api_key": "k",
                "models": {"default": "gemini-2.5-flash"},
            },
            {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
        ]
        server = serve(make_config(tiers), None)
        try:
            answer = post(f"{server.url}/v1/messages", message())
            status = get(f"{server.url}/status").json()
        finally:
            server.stop()
    assert answer.headers["x-switchex-tier"] == "claude"
    until = status["tiers"][0]["until"]
    assert math.isfinite(until) and until <= time.time() + EIGHT_DAYS
