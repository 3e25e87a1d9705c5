"""Requests go to tiers that can take them: images to eyes, long prompts to big windows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.gemini import FakeGemini
from switchex.fakes.openai import FakeOpenAI
from switchex.gateway.fit import IMAGE_NOTE
from tests.client import get, message, post
from tests.gateway.conftest import StartTiers
from tests.gateway.test_messages import journal_rows

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def image_message(**extra: Any) -> dict[str, Any]:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
    content = [{"type": "text", "text": "what is in this picture?"}, image]
    return message(messages=[{"role": "user", "content": content}], **extra)


def local(fake: FakeOpenAI, name: str = "local", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "provider": "openai",
        "base_url": f"{fake.base_url}/v1",
        "models": {"default": "qwen2.5-coder:7b"},
        **extra,
    }


def gemini(fake: FakeGemini) -> dict[str, Any]:
    return {
        "name": "gemini",
        "provider": "gemini",
        "base_url": fake.base_url,
        "api_key": "g-key",
        "models": {"default": "gemini-2.5-flash"},
    }


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(vision=False) as fake:  # refuses image parts as a text-only server does
        yield fake


@pytest.fixture
def gemini_fake() -> Iterator[FakeGemini]:
    with FakeGemini(api_key="g-key") as fake:
        yield fake


@pytest.fixture
def start(start_tiers: StartTiers) -> StartTiers:
    return start_tiers


def test_an_image_skips_a_text_only_tier_without_cooling_it(
    start: Any, openai_fake: FakeOpenAI, gemini_fake: FakeGemini, tmp_path: Path
) -> None:
    gateway = start(local(openai_fake), gemini(gemini_fake))
    answer = post(f"{gateway.url}/v1/messages", image_message())
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "gemini")
    assert openai_fake.model_requests() == []
    assert "inlineData" in gemini_fake.model_requests()[0].body.decode()
    assert get(f"{gateway.url}/status").json()["tiers"][0]["state"] == "ready"
    [row] = journal_rows(tmp_path, "requests")
    assert row["attempts"] == "local:skipped:vision"
    text = post(f"{gateway.url}/v1/messages", message())  # no image: the first tier serves
    assert text.headers["x-switchex-tier"] == "local"


def test_an_image_no_tier_can_read_becomes_a_note(
    start: Any, openai_fake: FakeOpenAI, tmp_path: Path
) -> None:
    gateway = start(local(openai_fake))
    answer = post(f"{gateway.url}/v1/messages", image_message())
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "local")
    sent = openai_fake.model_requests()[0].body.decode()
    assert IMAGE_NOTE in sent and "image_url" not in sent and "what is in" in sent
    [row] = journal_rows(tmp_path, "requests")
    assert "omitted" in row["notes"]


def test_a_vision_override_in_the_config_sends_the_image(start: Any) -> None:
    with FakeOpenAI() as seeing:
        gateway = start(local(seeing, capabilities={"vision": True}))
        assert post(f"{gateway.url}/v1/messages", image_message()).status == 200
        assert "image_url" in seeing.model_requests()[0].body.decode()


def long_message(tokens: int, **extra: Any) -> dict[str, Any]:
    return message("word " * int(tokens * 3.5 / 5), **extra)


def test_a_prompt_too_long_for_a_small_window_goes_to_the_next_tier(
    start: Any, openai_fake: FakeOpenAI, claude: FakeAnthropic, tmp_path: Path
) -> None:
    backup = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    gateway = start(local(openai_fake), backup)  # qwen2.5-coder: a 32k window
    answer = post(f"{gateway.url}/v1/messages", long_message(40_000))
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "claude")
    assert openai_fake.model_requests() == []
    assert journal_rows(tmp_path, "requests")[0]["attempts"] == "local:skipped:context"
    short = post(f"{gateway.url}/v1/messages", long_message(20_000))
    assert short.headers["x-switchex-tier"] == "local"
    assert get(f"{gateway.url}/status").json()["tiers"][0]["context_window"] == 32_768


def test_when_no_ready_tier_has_room_the_client_is_told_the_prompt_is_too_long(
    start: Any, openai_fake: FakeOpenAI
) -> None:
    gateway = start(local(openai_fake, context_window=16_000, max_output_tokens=1_000))
    answer = post(f"{gateway.url}/v1/messages", long_message(20_000, max_tokens=32_000))
    assert answer.status == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("prompt is too long: ")
    needed = int(error["message"].split(": ")[1].split(" ")[0])
    assert 20_000 < needed < 23_000 and error["message"].endswith("> 16000 maximum")
    assert openai_fake.model_requests() == []


def test_max_tokens_is_clamped_to_the_family_output_cap(
    start: Any, openai_fake: FakeOpenAI
) -> None:
    gateway = start(local(openai_fake))
    assert post(f"{gateway.url}/v1/messages", message(max_tokens=32_000)).status == 200
    assert openai_fake.model_requests()[0].json()["max_tokens"] == 8_192


def test_when_the_tiers_with_room_fail_the_prompt_is_too_long_not_every_tier_cooling(
    start: Any, openai_fake: FakeOpenAI, claude: FakeAnthropic
) -> None:
    from switchex.fakes.base import Reply

    claude.push(Reply(status=429, headers={"retry-after": "3600"}))
    claude_tier = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    small = local(openai_fake, context_window=16_000, max_output_tokens=1_000)
    gateway = start(claude_tier, small)
    answer = post(f"{gateway.url}/v1/messages", long_message(20_000))
    assert answer.status == 400  # Claude Code compacts; a smaller request fits the local tier
    assert answer.json()["error"]["message"].startswith("prompt is too long: ")
    assert openai_fake.model_requests() == []
    assert get(f"{gateway.url}/status").json()["tiers"][0]["state"] == "cooling"
