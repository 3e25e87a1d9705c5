"""A complete Gemini `generateContent` answer → an Anthropic Message.

A prompt Gemini blocked, or an answer without candidates, becomes a well-formed message
with `stop_reason: "refusal"` and a short text saying why: the tier works, it declined, and
Claude Code shows the reason instead of retrying a request that would be blocked again.
"""

from __future__ import annotations

from typing import Any

import orjson

from switchex.providers.common import foreign_signature, new_message_id
from switchex.providers.gemini.answer import (
    call_args,
    candidate_parts,
    closing_text,
    finish_reason,
    first_candidate,
    no_answer,
    served_model,
    stop_reason,
    usage,
)
from switchex.providers.gemini.errors import bad_response, error_from_response, google_error
from switchex.providers.gemini.ids import from_gemini_name, new_call_id

Json = dict[str, Any]

THINKING_SIGNATURE = foreign_signature("gemini")
_ANSWER_KEYS = ("candidates", "promptFeedback", "usageMetadata")


def parse_answer(body: bytes, now: float) -> Json:
    """The response object; raises SwitchableError for garbage or an error object."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad_response("not JSON") from None
    if not isinstance(data, dict):
        raise bad_response("not a JSON object")
    error = google_error(data)
    if error:
        code = error.get("code")
        status = code if isinstance(code, int) and 400 <= code < 600 else 500
        raise error_from_response(status, {}, body, now)
    if not any(key in data for key in _ANSWER_KEYS):
        raise bad_response("no candidates, promptFeedback or usageMetadata")
    return data


def translate_response(body: bytes, model: str, now: float) -> Json:
    """The Anthropic Message for a Gemini answer body."""
    data = parse_answer(body, now)
    candidate = first_candidate(data)
    blocks = part_blocks(candidate_parts(candidate))
    has_calls = any(b["type"] == "tool_use" for b in blocks)
    finish = finish_reason(candidate)
    has_text = any(b["type"] == "text" for b in blocks)
    closing = closing_text(data, finish, has_text)
    if closing:
        blocks.append({"type": "text", "text": closing})
    reason = "refusal" if no_answer(data) else stop_reason(finish, has_calls)
    return {
        "id": new_message_id(),
        "type": "message",
        "role": "assistant",
        "model": served_model(data, model),
        "content": blocks,
        "stop_reason": reason,
        "stop_sequence": None,
        "usage": usage(data.get("usageMetadata")),
    }


def part_blocks(parts: list[Json]) -> list[Json]:
    """Anthropic content blocks for Gemini parts; adjacent text (or thought) parts join."""
    blocks: list[Json] = []
    for part in parts:
        if isinstance(part.get("functionCall"), dict):
            blocks.append(tool_use_block(part, call_args(part)))
            continue
        text = part.get("text")
        if not isinstance(text, str) or not text:
            continue
        kind, key = ("thinking", "thinking") if part.get("thought") is True else ("text", "text")
        if blocks and blocks[-1]["type"] == kind:
            blocks[-1][key] += text
        elif kind == "thinking":
            blocks.append({"type": "thinking", "thinking": text, "signature": THINKING_SIGNATURE})
        else:
            blocks.append({"type": "text", "text": text})
    return blocks


def tool_use_block(part: Json, args: Json) -> Json:
    call = part["functionCall"]
    return {
        "type": "tool_use",
        "id": new_call_id(part.get("thoughtSignature")),
        "name": from_gemini_name(call.get("name")),
        "input": args,
    }
