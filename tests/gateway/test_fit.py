"""The local size estimate, the media scan and the plan that sorts tiers by what fits."""

from __future__ import annotations

from typing import Any

from switchex.gateway.capabilities import Capabilities
from switchex.gateway.fit import (
    DOCUMENT_NOTE,
    IMAGE_NOTE,
    IMAGE_TOKENS,
    measure,
    plan,
    too_long_message,
    without_media,
)

IMAGE = {
    "type": "image",
    "source": {"type": "base64", "media_type": "image/png", "data": "x" * 999},
}
PDF = {
    "type": "document",
    "source": {"type": "base64", "media_type": "application/pdf", "data": "y"},
}


def request(*content: Any, max_tokens: int = 1000) -> dict[str, Any]:
    return {
        "model": "m",
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": list(content)}],
    }


def test_text_counts_by_characters_and_images_by_a_fixed_amount() -> None:
    text = measure(request({"type": "text", "text": "a" * 3500}))
    assert 1000 <= text.tokens <= 1010 and text.images == 0
    both = measure(request({"type": "text", "text": "a" * 3500}, IMAGE))
    assert both.tokens == text.tokens + IMAGE_TOKENS and both.images == 1


def test_images_inside_tool_results_are_found() -> None:
    result = {"type": "tool_result", "tool_use_id": "t", "content": [IMAGE]}
    shape = measure(request(result, PDF))
    assert (shape.images, shape.documents) == (1, 1)


def test_system_and_tools_count() -> None:
    bare = measure(request({"type": "text", "text": "hi"})).tokens
    fuller = request({"type": "text", "text": "hi"})
    fuller["system"] = [{"type": "text", "text": "s" * 700}]
    fuller["tools"] = [
        {"name": "Read", "input_schema": {"type": "object"}, "description": "d" * 700}
    ]
    assert measure(fuller).tokens >= bare + 400


def caps_table(table: dict[str, Capabilities]) -> Any:
    return table.__getitem__


def test_plan_orders_fitting_readers_first_then_blind_tiers() -> None:
    table = {
        "small": Capabilities(True, context_window=1_000),
        "text": Capabilities(False, context_window=100_000),
        "eyes": Capabilities(True, context_window=100_000),
    }
    asked = request({"type": "text", "text": "a" * 3500}, IMAGE)
    result = plan(["small", "text", "eyes"], asked, measure(asked), caps_table(table))
    assert (result.ready, result.blind) == (["eyes"], ["text"])
    assert result.skipped == [("small", "context"), ("text", "vision")]


def test_output_is_clamped_to_the_cap_before_the_fit() -> None:
    table = {"t": Capabilities(context_window=4_000, max_output=1_000)}
    asked = request({"type": "text", "text": "a" * 7000}, max_tokens=64_000)
    assert plan(["t"], asked, measure(asked), caps_table(table)).ready == ["t"]
    table = {"t": Capabilities(context_window=4_000)}
    result = plan(["t"], asked, measure(asked), caps_table(table))
    assert result.ready == [] and too_long_message(result).endswith("> 4000 maximum")


def test_media_become_notes_only_where_unreadable_and_the_original_is_untouched() -> None:
    asked = request({"type": "text", "text": "look"}, IMAGE, PDF)
    text_only = without_media(asked, Capabilities())
    blocks = text_only["messages"][0]["content"]
    assert [b.get("text") for b in blocks] == ["look", IMAGE_NOTE, DOCUMENT_NOTE]
    assert asked["messages"][0]["content"][1] is IMAGE
    eyes_only = without_media(asked, Capabilities(vision=True))["messages"][0]["content"]
    assert eyes_only[1] is IMAGE and eyes_only[2]["text"] == DOCUMENT_NOTE
