"""Anthropic Messages request → OpenAI Chat Completions request. Pure; the input is kept.

Only parameters chat-completions servers know are sent (strict servers reject the rest):
`cache_control`, `thinking`, `metadata`, `context_management`, `output_config`, `top_k`,
`service_tier` and anything else Anthropic-specific are dropped. Server tools (web search…)
are served by OpenRouter's `web` plugin where the tier is OpenRouter, else removed with a
note in the system prompt (server_tools.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from switchex.providers.openai.messages import translate_messages
from switchex.providers.server_tools import (
    family,
    server_tools,
    unavailable_note,
)

Json = dict[str, Any]

# Output caps the upstream enforces with a 400 (matched on the name after any `vendor/`).
KNOWN_OUTPUT_CAPS = {"deepseek-chat": 8192, "deepseek-reasoner": 65536}
MAX_STOP_SEQUENCES = 4
# OpenAI's reasoning models take `max_completion_tokens` and no sampling parameters.
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")


@dataclass(frozen=True)
class Dialect:
    """What the upstream server needs beyond standard chat completions.

    `explicit_auto`: llama.cpp's server ignores `tools` unless `tool_choice` is given.
    `web_plugin`: OpenRouter serves web search with `plugins: [{"id": "web"}]`.
    """

    explicit_auto: bool = False
    web_plugin: bool = False


STANDARD = Dialect()


def translate_request(
    request: Json,
    model: str,
    max_output_tokens: int | None = None,
    dialect: Dialect = STANDARD,
) -> Json:
    """The chat-completions body for `request`, served by `model` (not the request's model)."""
    body: Json = {"model": model, "messages": translate_messages(request, model)}
    body.update(_limits(request, model, max_output_tokens))
    body.update(_sampling(request, model))
    body.update(_tools(request, dialect))
    body.update(_server_tools(request, body["messages"], dialect))
    if request.get("stream"):
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _short_name(model: str) -> str:
    return model.rsplit("/", 1)[-1].lower()


def _is_reasoning_model(model: str) -> bool:
    return bool(_REASONING_MODEL.match(_short_name(model)))


def _positive_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _limits(request: Json, model: str, max_output_tokens: int | None) -> Json:
    caps = (
        _positive_int(request.get("max_tokens")),
        _positive_int(max_output_tokens),
        KNOWN_OUTPUT_CAPS.get(_short_name(model)),
    )
    values = [cap for cap in caps if cap is not None]
    if not values:
        return {}
    key = "max_completion_tokens" if _is_reasoning_model(model) else "max_tokens"
    return {key: min(values)}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sampling(request: Json, model: str) -> Json:
    out: Json = {}
    if not _is_reasoning_model(model):
        for key in ("temperature", "top_p"):
            if _number(request.get(key)):
                out[key] = request[key]
    stops = request.get("stop_sequences")
    if isinstance(stops, list):
        kept = [stop for stop in stops if isinstance(stop, str) and stop]
        if kept:
            out["stop"] = kept[:MAX_STOP_SEQUENCES]
    return out


def _tools(request: Json, dialect: Dialect) -> Json:
    raw = request.get("tools")
    listed = raw if isinstance(raw, list) else []
    tools = [_tool(tool) for tool in listed if _is_function_tool(tool)]
    if not tools:
        return {}
    out: Json = {"tools": tools}
    choice = request.get("tool_choice")
    if isinstance(choice, dict):
        mapped = _tool_choice(choice, {tool["function"]["name"] for tool in tools})
        if mapped is not None:
            out["tool_choice"] = mapped
        if choice.get("disable_parallel_tool_use") is True:
            out["parallel_tool_calls"] = False
    if dialect.explicit_auto:
        out.setdefault("tool_choice", "auto")
    return out


def _server_tools(request: Json, messages: list[Json], dialect: Dialect) -> Json:
    """OpenRouter's web plugin for web search; a system-prompt note for what is removed."""
    wanted = server_tools(request.get("tools"))
    served = [t for t in wanted if dialect.web_plugin and family(t) == "web_search"]
    removed = [t for t in wanted if t not in served]
    if removed:
        _add_system_note(messages, unavailable_note(removed))
    return {"plugins": [{"id": "web"}]} if served else {}


def _add_system_note(messages: list[Json], note: str) -> None:
    """Append `note` to the leading system message (made if there is none)."""
    if messages and messages[0]["role"] == "system" and isinstance(messages[0]["content"], str):
        messages[0] = {**messages[0], "content": f"{messages[0]['content']}\n\n{note}"}
    else:
        messages.insert(0, {"role": "system", "content": note})


def _is_function_tool(tool: object) -> bool:
    """Client tools only: Anthropic server tools (`web_search_…`, `bash_…`) have no schema."""
    return isinstance(tool, dict) and tool.get("type") in (None, "custom") and "name" in tool


def _tool(tool: Json) -> Json:
    function: Json = {"name": tool["name"]}
    if isinstance(tool.get("description"), str) and tool["description"]:
        function["description"] = tool["description"]
    schema = tool.get("input_schema")
    function["parameters"] = schema if isinstance(schema, dict) else {"type": "object"}
    return {"type": "function", "function": function}


def _tool_choice(choice: Json, names: set[str]) -> str | Json | None:
    """`auto` is the default and left out (some local servers reject the parameter); a
    choice naming a tool that is not sent (a removed server tool) is left out too."""
    kind = choice.get("type")
    if kind == "any":
        return "required"
    if kind == "none":
        return "none"
    if kind == "tool" and choice.get("name") in names:
        return {"type": "function", "function": {"name": choice["name"]}}
    return None
