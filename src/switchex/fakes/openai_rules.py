"""What a real chat-completions server rejects, as one pure check (used by FakeOpenAI and by
property tests). `validate_request(body)` returns None when the body is acceptable, else the
message a server would answer with its 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Json = dict[str, Any]

# OpenAI's documented chat-completions parameters only (no vendor extensions such as `top_k`
# or DeepSeek's `thinking`), so a request that passes here works on every server.
PARAMETERS = frozenset(
    {
        "model", "messages", "audio", "frequency_penalty", "function_call", "functions",
        "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata",
        "modalities", "n", "parallel_tool_calls", "prediction", "presence_penalty",
        "prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier", "seed",
        "service_tier", "stop", "store", "stream", "stream_options", "temperature",
        "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity",
        "web_search_options",
    }
)  # fmt: skip
MODEL_OUTPUT_CAPS = {"deepseek-chat": 8192, "deepseek-reasoner": 65536}
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_MESSAGE_KEYS = {
    "system": {"role", "content", "name"},
    "developer": {"role", "content", "name"},
    "user": {"role", "content", "name"},
    "assistant": {"role", "content", "name", "tool_calls", "refusal", "audio", "reasoning_content"},
    "tool": {"role", "content", "tool_call_id"},
}
_PART_TYPES = {
    "system": {"text"},
    "developer": {"text"},
    "user": {"text", "image_url", "input_audio", "file"},
    "assistant": {"text", "refusal"},
    "tool": {"text"},
}


def validate_request(body: object) -> str | None:
    """None when a strict chat-completions server would accept `body`, else its complaint."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    checks: list[Callable[[Json], str | None]] = [
        _parameters,
        _messages,
        _tools,
        _limits,
        _streaming,
        _thinking_replay,
    ]
    for check in checks:
        problem = check(body)
        if problem:
            return problem
    return None


def _parameters(body: Json) -> str | None:
    unknown = sorted(set(body) - PARAMETERS)
    if unknown:
        return f"Unrecognized request argument supplied: {unknown[0]}"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    return None


# -- messages ------------------------------------------------------------------------------
def _messages(body: Json) -> str | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array."
    for at, message in enumerate(messages):
        problem = _message(message)
        if problem:
            return f"messages[{at}]: {problem}"
    return _pairing(messages)


def _message(message: object) -> str | None:
    if not isinstance(message, dict):
        return "must be an object"
    role = message.get("role")
    if role not in _MESSAGE_KEYS:
        return f"Invalid value: '{role}'. Supported values are: {', '.join(_MESSAGE_KEYS)}."
    extra = sorted(set(message) - _MESSAGE_KEYS[role])
    if extra:
        return f"Unknown parameter: '{extra[0]}'."
    if role == "tool" and not (
        isinstance(message.get("tool_call_id"), str) and message["tool_call_id"]
    ):
        return "Missing required parameter: 'tool_call_id'."
    if role == "assistant" and "tool_calls" in message:
        problem = _tool_calls(message["tool_calls"])
        if problem:
            return problem
    return _content(role, message)


def _content(role: str, message: Json) -> str | None:
    content = message.get("content")
    if content is None:
        ok = role == "assistant" and bool(message.get("tool_calls"))
        return None if ok else "Missing required parameter: 'content'."
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return "Invalid type for 'content': expected a string or an array."
    for part in content:
        problem = _part(role, part)
        if problem:
            return problem
    return None


def _part(role: str, part: object) -> str | None:
    if not isinstance(part, dict) or part.get("type") not in _PART_TYPES[role]:
        kind = part.get("type") if isinstance(part, dict) else part
        return f"Invalid content part type for role '{role}': {kind!r}."
    if part["type"] == "text" and not isinstance(part.get("text"), str):
        return "Missing required parameter: 'text'."
    if part["type"] == "image_url":
        image = part.get("image_url")
        if not isinstance(image, dict) or not isinstance(image.get("url"), str):
            return "Missing required parameter: 'image_url.url'."
    return None


def _tool_calls(calls: object) -> str | None:
    if not isinstance(calls, list) or not calls:
        return "'tool_calls' must be a non-empty array."
    for call in calls:
        if not isinstance(call, dict) or not isinstance(call.get("id"), str) or not call["id"]:
            return "Missing required parameter: 'tool_calls[].id'."
        function = call.get("function")
        if call.get("type") != "function" or not isinstance(function, dict):
            return "Missing required parameter: 'tool_calls[].function'."
        if not isinstance(function.get("name"), str) or not FUNCTION_NAME.match(function["name"]):
            return f"Invalid 'tool_calls[].function.name': {function.get('name')!r}."
        if not isinstance(function.get("arguments"), str):
            return "Invalid type for 'tool_calls[].function.arguments': expected a string."
    return None


def _pairing(messages: list[Json]) -> str | None:
    """Each assistant tool call is answered by the tool messages right after it, and only so."""
    owed: set[str] = set()
    answerable: set[str] = set()
    for message in messages:
        if message["role"] == "tool":
            if message["tool_call_id"] not in answerable:
                return (
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceding message with 'tool_calls'."
                )
            owed.discard(message["tool_call_id"])
            continue
        if owed:
            return _unanswered(owed)
        calls = message.get("tool_calls") if message["role"] == "assistant" else None
        answerable = {call["id"] for call in calls or []}
        owed = set(answerable)
    return _unanswered(owed) if owed else None


def _unanswered(owed: set[str]) -> str:
    return (
        "An assistant message with 'tool_calls' must be followed by tool messages responding "
        f"to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        f"{', '.join(sorted(owed))}"
    )


def _thinking_replay(body: Json) -> str | None:
    """DeepSeek thinking mode: a tool-calling turn must carry its `reasoning_content` back."""
    model = body["model"].lower()
    if "reasoner" not in model and "r1" not in model:
        return None
    for message in body["messages"]:
        if message.get("tool_calls") and not isinstance(message.get("reasoning_content"), str):
            return "The reasoning_content in the thinking mode must be passed back to the API."
    return None


# -- tools, limits, streaming --------------------------------------------------------------
def _tools(body: Json) -> str | None:
    tools = body.get("tools")
    if tools is None:
        if "tool_choice" in body:
            return "Invalid value for 'tool_choice': only allowed when 'tools' are specified."
        if "parallel_tool_calls" in body:
            return (
                "Invalid value for 'parallel_tool_calls': only allowed when 'tools' are specified."
            )
        return None
    if not isinstance(tools, list) or not tools:
        return "Invalid 'tools': empty array. Expected an array with minimum length 1."
    names: set[str] = set()
    for tool in tools:
        problem = _tool(tool)
        if problem:
            return problem
        names.add(tool["function"]["name"])
    return _tool_choice(body.get("tool_choice", "auto"), names)


def _tool(tool: object) -> str | None:
    if (
        not isinstance(tool, dict)
        or tool.get("type") != "function"
        or set(tool) - {"type", "function"}
    ):
        return "Invalid 'tools[]': expected {'type': 'function', 'function': {...}}."
    function = tool.get("function")
    if not isinstance(function, dict) or set(function) - {
        "name",
        "description",
        "parameters",
        "strict",
    }:
        return "Invalid 'tools[].function'."
    name = function.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME.match(name):
        return f"Invalid 'tools[].function.name': string does not match pattern. Got {name!r}."
    if "parameters" in function and not isinstance(function["parameters"], dict):
        return "Invalid type for 'tools[].function.parameters': expected an object."
    if "description" in function and not isinstance(function["description"], str):
        return "Invalid type for 'tools[].function.description': expected a string."
    return None


def _tool_choice(choice: object, names: set[str]) -> str | None:
    if choice in ("none", "auto", "required"):
        return None
    if isinstance(choice, dict) and choice.get("type") == "function":
        function = choice.get("function")
        if isinstance(function, dict) and function.get("name") in names:
            return None
    return f"Invalid value for 'tool_choice': {choice!r}."


def _limits(body: Json) -> str | None:
    for key in ("max_tokens", "max_completion_tokens"):
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return f"Invalid '{key}': expected an integer >= 1."
        cap = MODEL_OUTPUT_CAPS.get(body["model"].rsplit("/", 1)[-1].lower())
        if cap and value > cap:
            return f"Invalid max_tokens value, the valid range of max_tokens is [1, {cap}]"
    for key, top in (("temperature", 2), ("top_p", 1)):
        value = body.get(key)
        if value is not None and not (isinstance(value, int | float) and 0 <= value <= top):
            return f"Invalid '{key}': expected a number between 0 and {top}."
    stop = body.get("stop")
    strings = isinstance(stop, list) and all(isinstance(s, str) for s in stop)
    if stop is not None and not isinstance(stop, str) and not (strings and len(stop) <= 4):
        return "Invalid 'stop': expected a string or an array of at most 4 strings."
    return None


def _streaming(body: Json) -> str | None:
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        return "Invalid type for 'stream': expected a boolean."
    if "stream_options" in body and stream is not True:
        return "The 'stream_options' parameter is only allowed when 'stream' is enabled."
    return None
