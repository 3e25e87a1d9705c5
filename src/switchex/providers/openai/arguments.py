"""Tool-call arguments as OpenAI-style backends send them, made into an Anthropic `input`.

Backends send a JSON string (OpenAI), sometimes an object (some local servers), sometimes a
JSON string inside a JSON string, sometimes nothing at all. An argument text that cannot be
read as a JSON object is never turned into a silent `{}`: it is kept as
`{"_raw_arguments": text}`, so the tool rejects the call with its own validation error and
the model sees what it sent.
"""

from __future__ import annotations

from typing import Any

import orjson

Json = dict[str, Any]

RAW_ARGUMENTS_KEY = "_raw_arguments"


def parse_arguments(arguments: object) -> Json:
    """The tool input for `arguments` (a JSON text, an object, or nothing)."""
    if isinstance(arguments, dict):
        return arguments
    if arguments is None:
        return {}
    text = arguments if isinstance(arguments, str) else str(arguments)
    if not text.strip():
        return {}
    value = _loads(text)
    if isinstance(value, str):  # double-encoded: "{\"a\": 1}"
        value = _loads(value)
    if isinstance(value, dict):
        return value
    return {RAW_ARGUMENTS_KEY: text}


def is_complete_object(text: str) -> bool:
    """True when `text` is one whole JSON object (nothing more can follow it)."""
    return isinstance(_loads(text), dict)


def arguments_json(arguments: object) -> str:
    """The JSON text of the tool input made from `arguments`."""
    return orjson.dumps(parse_arguments(arguments)).decode()


def _loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
