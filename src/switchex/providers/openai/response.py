"""A complete OpenAI chat completion → an Anthropic Message. Pure.

A body that is not a completion, or one with no choices, raises SwitchableError
(`bad_response`, 502): an empty answer would end Claude Code's turn silently, while an error
before the first byte lets the next tier serve. A choice with no content at all (llama.cpp
does this) is a well-formed answer with one empty text block. The legacy `function_call` is
read only when `tool_calls` is absent (llama.cpp sends both). With text tool calls on, the
text is parsed (providers/texttools.py) into text, thinking and tool_use blocks.
"""

from __future__ import annotations

from typing import Any

import orjson

from switchex.errors import UpstreamError
from switchex.providers.base import NO_PLAN, ReplyPlan
from switchex.providers.common import (
    empty_usage,
    foreign_signature,
    new_message_id,
    new_tool_id,
    to_anthropic_tool_id,
)
from switchex.providers.openai.arguments import parse_arguments
from switchex.providers.openai.errors import bad_response, error_from_response
from switchex.providers.texttools import Piece, parse_text

Json = dict[str, Any]

KIND = "openai"
_FINISH_TO_STOP = {
    "stop": "end_turn",
    "eos": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}


def stop_reason(finish_reason: object, has_tool_calls: bool) -> str:
    """Anthropic's stop_reason; tool calls mean `tool_use` even when a server says `stop`."""
    mapped = _FINISH_TO_STOP.get(finish_reason) if isinstance(finish_reason, str) else None
    if mapped in (None, "end_turn") and has_tool_calls:
        return "tool_use"
    return mapped or "end_turn"


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_to_anthropic(usage: object) -> Json:
    """OpenAI usage → Anthropic usage; cached prompt tokens count as cache reads only."""
    if not isinstance(usage, dict):
        return empty_usage()
    details = usage.get("prompt_tokens_details")
    cached = _count(details.get("cached_tokens")) if isinstance(details, dict) else 0
    cached = cached or _count(usage.get("prompt_cache_hit_tokens"))  # DeepSeek
    prompt = _count(usage.get("prompt_tokens"))
    return {
        "input_tokens": max(0, prompt - cached),
        "output_tokens": _count(usage.get("completion_tokens")),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": cached,
    }


def reasoning_of(message: Json) -> str:
    """DeepSeek/vLLM say `reasoning_content`, OpenRouter and Ollama say `reasoning`."""
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def thinking_block(text: str) -> Json:
    return {"type": "thinking", "thinking": text, "signature": foreign_signature(KIND)}


def tool_use_id(call_id: object) -> str:
    return to_anthropic_tool_id(call_id) if isinstance(call_id, str) and call_id else new_tool_id()


def translate_completion(body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
    """The Anthropic Message for a chat-completion body; `model` is the served model."""
    data = _completion(body)
    choices = data["choices"]
    if not choices or not isinstance(choices[0], dict):
        raise bad_response(f"{model} answered a completion with no choices")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise bad_response(f"{model} answered a choice without a message")
    content = _content(message, reply) or [{"type": "text", "text": ""}]
    has_calls = any(block["type"] == "tool_use" for block in content)
    refused = not has_calls and isinstance(message.get("refusal"), str)
    reason = "refusal" if refused else stop_reason(choice.get("finish_reason"), has_calls)
    return {
        "id": new_message_id(),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reason,
        "stop_sequence": None,
        "usage": usage_to_anthropic(data.get("usage")),
    }


def _completion(body: bytes) -> Json:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad_response("upstream answered a body that is not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("error"), dict | str):
        raise _error_in_body(data, body)
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise bad_response("upstream answered JSON that is not a chat completion")
    return data


def _error_in_body(data: Json, body: bytes) -> UpstreamError:
    """Some servers (OpenRouter) answer 200 with an error object; map it by its code."""
    error = data["error"]
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code < 600 else 502
    return error_from_response(status, {}, body, 0.0)


def _content(message: Json, reply: ReplyPlan) -> list[Json]:
    blocks: list[Json] = []
    reasoning = reasoning_of(message)
    if reasoning:
        blocks.append(thinking_block(reasoning))
    text = _text(message.get("content")) or _text(message.get("refusal"))
    if text and reply.text_tools:
        blocks.extend(text_blocks(parse_text(text, reply.tools)))
    elif text:
        blocks.append({"type": "text", "text": text})
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else []:
        if isinstance(call, dict) and isinstance(call.get("function"), dict):
            blocks.append(_tool_use(call.get("id"), call["function"]))
    if not calls and isinstance(message.get("function_call"), dict):  # the pre-tools shape
        blocks.append(_tool_use(None, message["function_call"]))
    return blocks


def text_blocks(pieces: list[Piece]) -> list[Json]:
    """Parsed pieces as Anthropic blocks; neighbouring pieces of one kind join."""
    blocks: list[Json] = []
    for piece in pieces:
        last = blocks[-1] if blocks else None
        if piece.kind == "tool":
            call = {"type": "tool_use", "id": new_tool_id(), "name": piece.name}
            blocks.append({**call, "input": piece.input or {}})
        elif not piece.text:
            continue
        elif last is not None and last["type"] == piece.kind:
            last[piece.kind] += piece.text
        elif piece.kind == "thinking":
            blocks.append(thinking_block(piece.text))
        else:
            blocks.append({"type": "text", "text": piece.text})
    # Anthropic refuses whitespace-only text blocks when the conversation is sent back.
    return [block for block in blocks if block["type"] != "text" or block["text"].strip()]


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _tool_use(call_id: object, function: Json) -> Json:
    return {
        "type": "tool_use",
        "id": tool_use_id(call_id),
        "name": str(function.get("name") or ""),
        "input": parse_arguments(function.get("arguments")),
    }
