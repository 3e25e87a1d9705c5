"""The Anthropic Messages request shape, checked once before any tier sees it (pure).

What Anthropic itself answers with 400 `invalid_request_error` is refused here the same way,
naming the field (`messages.2.content.0.text: must be a string`), so that no translator meets a
value of the wrong type. Unknown top-level keys and unknown block types pass: clients are
ahead of us, and each translator drops what its provider does not take.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from switchex.errors import RequestError

Check = Callable[[Any, str], None]
ROLES = ("user", "assistant", "system")
CHOICES = ("auto", "any", "tool", "none")
MAX_INT = 2**31 - 1


def fail(where: str, what: str) -> RequestError:
    return RequestError(f"{where}: {what}")


def string(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise fail(where, "must be a string")


def boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise fail(where, "must be true or false")


def mapping(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise fail(where, "must be an object")


def integer(low: int, high: int = MAX_INT) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise fail(where, f"must be an integer from {low} to {high}")

    return check


def number(low: float, high: float) -> Check:
    def check(value: Any, where: str) -> None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not low <= value <= high:
            raise fail(where, f"must be a number from {low:g} to {high:g}")

    return check


def list_of(item: Check) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, list):
            raise fail(where, "must be a list")
        for index, element in enumerate(value):
            item(element, f"{where}.{index}")

    return check


def text_or_blocks(value: Any, where: str) -> None:
    if not isinstance(value, str):
        list_of(block)(value, where)


BLOCK_FIELDS: dict[str, dict[str, Check]] = {
    "text": {"text": string},
    "image": {"source": mapping},
    "document": {"source": mapping},
    "tool_use": {"id": string, "name": string, "input": mapping},
    "tool_result": {"tool_use_id": string},
    "thinking": {"thinking": string},
    "redacted_thinking": {"data": string},
}
OPTIONAL_BLOCK_FIELDS: dict[str, dict[str, Check]] = {
    "tool_result": {"content": text_or_blocks, "is_error": boolean},
    "thinking": {"signature": string},
    "document": {"title": string},
}


def block(value: Any, where: str) -> None:
    mapping(value, where)
    kind = value.get("type")
    string(kind, f"{where}.type")
    for name, check in BLOCK_FIELDS.get(kind, {}).items():
        if name not in value:
            raise fail(f"{where}.{name}", "field required")
        check(value[name], f"{where}.{name}")
    for name, check in OPTIONAL_BLOCK_FIELDS.get(kind, {}).items():
        if name in value and value[name] is not None:
            check(value[name], f"{where}.{name}")


def message(value: Any, where: str) -> None:
    mapping(value, where)
    if value.get("role") not in ROLES:
        raise fail(f"{where}.role", f"must be one of {', '.join(ROLES)}")
    if "content" not in value:
        raise fail(f"{where}.content", "field required")
    text_or_blocks(value["content"], f"{where}.content")


def tool(value: Any, where: str) -> None:
    mapping(value, where)
    string(value.get("name"), f"{where}.name")
    if "type" in value and value["type"] is not None:
        string(value["type"], f"{where}.type")
    if value.get("type") in (None, "custom") and "input_schema" in value:
        mapping(value["input_schema"], f"{where}.input_schema")
    if "description" in value and value["description"] is not None:
        string(value["description"], f"{where}.description")


def tool_choice(value: Any, where: str) -> None:
    mapping(value, where)
    if value.get("type") not in CHOICES:
        raise fail(f"{where}.type", f"must be one of {', '.join(CHOICES)}")
    if value["type"] == "tool":
        string(value.get("name"), f"{where}.name")
    if "disable_parallel_tool_use" in value:
        boolean(value["disable_parallel_tool_use"], f"{where}.disable_parallel_tool_use")


def thinking(value: Any, where: str) -> None:
    mapping(value, where)
    string(value.get("type"), f"{where}.type")
    if value["type"] == "enabled":
        integer(0)(value.get("budget_tokens"), f"{where}.budget_tokens")


TOP_LEVEL: dict[str, Check] = {
    "max_tokens": integer(1),
    "system": text_or_blocks,
    "tools": list_of(tool),
    "tool_choice": tool_choice,
    "thinking": thinking,
    "temperature": number(0, 1),
    "top_p": number(0, 1),
    "top_k": integer(0),
    "stop_sequences": list_of(string),
    "stream": boolean,
    "metadata": mapping,
}


def validate_request(request: dict[str, Any]) -> dict[str, Any]:
    """`request` unchanged when its shape is one Anthropic accepts; else a RequestError (400)."""
    string(request.get("model"), "model")
    list_of(message)(request.get("messages"), "messages")
    for name, check in TOP_LEVEL.items():
        if name in request and request[name] is not None:
            check(request[name], name)
    system = request.get("system")
    if isinstance(system, list):
        for index, item in enumerate(system):
            if item.get("type") != "text":
                raise fail(f"system.{index}.type", "must be text")
    return request
