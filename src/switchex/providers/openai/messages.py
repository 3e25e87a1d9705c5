"""Anthropic `system` + `messages` → OpenAI chat messages. Pure: the input is never changed.

- `system` becomes one leading system message; `role: "system"` entries in the middle of
  `messages` (Claude Code's environment block) stay system messages at their position.
- A user turn's `tool_result` blocks become `tool` messages placed before the rest of that
  turn; images a tool returned follow in the user message (tool messages carry text only).
- Assistant `thinking` becomes `reasoning_content` (DeepSeek wants it replayed after tool
  calls); `redacted_thinking` is dropped.
- A finishing pass makes tool calls and results pair up the way strict servers demand.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from switchex.providers.common import blocks_text, content_blocks, from_anthropic_tool_id

Json = dict[str, Any]

TOOL_ERROR_PREFIX = "[tool error] "
NO_RESULT = "[no result was recorded for this tool call]"


MAX_TOOL_ID = 64  # OpenAI and Azure reject longer tool-call ids


def openai_tool_id(tool_id: str) -> str:
    """The id to send for a tool call: the provider's original, shortened if too long.

    Gemini's ids carry a thought signature and can be kilobytes long; a hash keeps the call and
    its result paired (both go through here) within the 64 characters strict servers allow.
    """
    original = from_anthropic_tool_id(tool_id)
    if len(original) <= MAX_TOOL_ID:
        return original
    return "call_" + hashlib.sha256(original.encode()).hexdigest()[:40]


def translate_messages(request: Json, model: str) -> list[Json]:
    """The OpenAI `messages` list for an Anthropic request served by `model`."""
    out: list[Json] = []
    system = blocks_text(request.get("system"))
    if system:
        out.append({"role": "system", "content": system})
    replay = needs_reasoning_replay(model)
    for message in request.get("messages") or []:
        if isinstance(message, dict):
            out.extend(_message(message, replay))
    return pair_tool_messages(out)


def needs_reasoning_replay(model: str) -> bool:
    """DeepSeek-style thinking models 400 when a tool-calling turn lacks `reasoning_content`."""
    name = model.lower()
    return any(word in name for word in ("deepseek", "reasoner", "r1"))


def _message(message: Json, replay: bool) -> list[Json]:
    role = message.get("role")
    content = message.get("content")
    if role == "system":
        text = blocks_text(content)
        return [{"role": "system", "content": text}] if text else []
    if role == "assistant":
        return _assistant(content_blocks(content), replay)
    if role == "user":
        return _user(content_blocks(content))
    return []


# -- user turns ----------------------------------------------------------------------------
def _user(blocks: list[Json]) -> list[Json]:
    out: list[Json] = []
    parts: list[Json] = []
    for block in blocks:
        if block.get("type") == "tool_result":
            message, images = _tool_result(block)
            out.append(message)
            parts.extend(images)
        else:
            parts.extend(_user_part(block))
    if parts:
        out.append({"role": "user", "content": _user_content(parts)})
    return out


def _user_content(parts: list[Json]) -> str | list[Json]:
    """Plain text when there is only text (every server takes it), else content parts."""
    if all(part["type"] == "text" for part in parts):
        return "\n\n".join(part["text"] for part in parts)
    return parts


def _user_part(block: Json) -> list[Json]:
    kind = block.get("type")
    if kind == "text":
        text = block.get("text")
        return [{"type": "text", "text": text}] if isinstance(text, str) and text else []
    if kind == "image":
        return [image_part(block)]
    if kind == "document":
        return [{"type": "text", "text": document_text(block)}]
    return []


def image_part(block: Json) -> Json:
    """An `image_url` part for an Anthropic image block (base64 → data: URL)."""
    source = block.get("source")
    source = source if isinstance(source, dict) else {}
    if source.get("type") == "base64":
        media = source.get("media_type") or "image/png"
        url = f"data:{media};base64,{source.get('data', '')}"
        return {"type": "image_url", "image_url": {"url": url}}
    if source.get("type") == "url" and isinstance(source.get("url"), str):
        return {"type": "image_url", "image_url": {"url": source["url"]}}
    return {"type": "text", "text": "[image omitted: its source cannot be sent to this model]"}


def document_text(block: Json) -> str:
    """A document's text when it has one, else a short note that it was left out."""
    source = block.get("source")
    source = source if isinstance(source, dict) else {}
    title = block.get("title") if isinstance(block.get("title"), str) else ""
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        text = source["data"]
    elif source.get("type") == "content":
        text = blocks_text(source.get("content"))
    else:
        label = title or source.get("media_type") or "document"
        return f"[document omitted: {label} cannot be read by this model]"
    return f"{title}\n\n{text}" if title else text


def _tool_result(block: Json) -> tuple[Json, list[Json]]:
    texts: list[str] = []
    images: list[Json] = []
    for item in content_blocks(block.get("content")):
        if item.get("type") == "text" and isinstance(item.get("text"), str):
            texts.append(item["text"])
        elif item.get("type") == "image":
            images.append(image_part(item))
        elif item.get("type") == "document":
            texts.append(document_text(item))
    text = "\n\n".join(part for part in texts if part)
    if images:
        note = f"[{len(images)} image(s) from this result follow in the next user message]"
        text = f"{text}\n\n{note}" if text else note
    if block.get("is_error"):
        text = TOOL_ERROR_PREFIX + text
    tool_id = openai_tool_id(str(block.get("tool_use_id") or ""))
    return {"role": "tool", "tool_call_id": tool_id, "content": text}, images


# -- assistant turns -----------------------------------------------------------------------
def _assistant(blocks: list[Json], replay: bool) -> list[Json]:
    texts: list[str] = []
    thoughts: list[str] = []
    calls: list[Json] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            thoughts.append(block["thinking"])
        elif kind == "tool_use":
            calls.append(_tool_call(block))
    text = "\n\n".join(part for part in texts if part)
    reasoning = "\n\n".join(part for part in thoughts if part)
    if not (text or reasoning or calls):
        return []
    message: Json = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = calls
    if reasoning or (calls and replay):
        message["reasoning_content"] = reasoning
    return [message]


def _tool_call(block: Json) -> Json:
    arguments = block.get("input")
    return {
        "id": openai_tool_id(str(block.get("id") or "")),
        "type": "function",
        "function": {
            "name": str(block.get("name") or ""),
            "arguments": orjson.dumps(arguments if arguments is not None else {}).decode(),
        },
    }


# -- pairing -------------------------------------------------------------------------------
def pair_tool_messages(messages: list[Json]) -> list[Json]:
    """Make every tool call answered right after its assistant message, as servers require.

    System messages met while results are still owed move after the results; a call with
    no result gets a placeholder; a result answering no call becomes user text.
    """
    out: list[Json] = []
    owed: list[str] = []
    held: list[Json] = []
    for message in messages:
        if message["role"] == "tool" and message["tool_call_id"] in owed:
            owed.remove(message["tool_call_id"])
            out.append(message)
            continue
        waits = message["role"] in ("system", "tool")  # may sit among results still owed
        if message["role"] == "tool":
            message = _orphan_result(message)
        if owed and waits:
            held.append(message)
            continue
        out.extend(_placeholders(owed) + held + [message])
        owed, held = _call_ids(message), []
    out.extend(_placeholders(owed) + held)
    return out


def _call_ids(message: Json) -> list[str]:
    if message["role"] != "assistant":
        return []
    return [call["id"] for call in message.get("tool_calls", [])]


def _placeholders(ids: list[str]) -> list[Json]:
    return [{"role": "tool", "tool_call_id": tool_id, "content": NO_RESULT} for tool_id in ids]


def _orphan_result(message: Json) -> Json:
    text = f"[result of tool call {message['tool_call_id']}]\n{message['content']}"
    return {"role": "user", "content": text}
