"""Anthropic `messages` → Gemini `contents`.

Consecutive messages of one role are merged (Gemini wants user and model turns to
alternate). A user turn that follows a model turn with function calls starts with exactly
one `functionResponse` per call, in call order, named after the call (Gemini has no call
ids): a call with no `tool_result` gets an error response, a `tool_result` whose call is not
in the turn before becomes text. Thinking is not replayed. Function calls get back the
`thoughtSignature` their tool-use id carries; for models that require one, the first call
of a turn that has none (another model made it) gets Google's documented dummy.
"""

from __future__ import annotations

from typing import Any

from switchex.providers.common import blocks_text, content_blocks
from switchex.providers.gemini.ids import DUMMY_SIGNATURE, call_signature, to_gemini_name

Json = dict[str, Any]

PLACEHOLDER = "Continue."


def conversation(messages: object) -> tuple[list[Json], list[str]]:
    """The user/assistant messages, and the texts of `role: "system"` messages among them."""
    turns: list[Json] = []
    system: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "system":
            text = blocks_text(message.get("content"))
            if text:
                system.append(text)
        elif role in ("user", "assistant"):
            turns.append(message)
    return turns, system


def build_contents(messages: list[Json], sign: bool) -> list[Json]:
    """Gemini contents for user/assistant messages; `sign` adds dummy signatures where needed."""
    contents: list[Json] = []
    pending: list[Json] = []
    for role, blocks in _merged(messages):
        if role == "assistant":
            parts = _model_parts(blocks, sign)
            pending = [b for b in blocks if b.get("type") == "tool_use"]
        else:
            parts = _user_parts(blocks, pending)
            pending = []
        if parts:
            contents.append({"role": "model" if role == "assistant" else "user", "parts": parts})
    return _finalized(contents)


def _merged(messages: list[Json]) -> list[tuple[str, list[Json]]]:
    merged: list[tuple[str, list[Json]]] = []
    for message in messages:
        role, blocks = message["role"], content_blocks(message.get("content"))
        if merged and merged[-1][0] == role:
            merged[-1][1].extend(blocks)
        else:
            merged.append((role, list(blocks)))
    return merged


def _finalized(contents: list[Json]) -> list[Json]:
    out: list[Json] = []
    for content in contents:
        if out and out[-1]["role"] == content["role"]:
            out[-1] = {"role": content["role"], "parts": out[-1]["parts"] + content["parts"]}
        else:
            out.append(content)
    if not out or out[0]["role"] != "user":
        out.insert(0, {"role": "user", "parts": [{"text": PLACEHOLDER}]})
    return out


def _model_parts(blocks: list[Json], sign: bool) -> list[Json]:
    parts: list[Json] = []
    first_call = True
    for block in blocks:
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str) and block["text"]:
            parts.append({"text": block["text"]})
        elif kind == "tool_use":
            parts.append(_function_call(block, sign and first_call))
            first_call = False
    return parts


def _function_call(block: Json, needs_signature: bool) -> Json:
    args = block.get("input")
    part: Json = {
        "functionCall": {
            "name": to_gemini_name(block.get("name")),
            "args": args if isinstance(args, dict) else {},
        }
    }
    signature = call_signature(block.get("id"))
    if signature is None and needs_signature:
        signature = DUMMY_SIGNATURE
    if signature:
        part["thoughtSignature"] = signature
    return part


def _user_parts(blocks: list[Json], calls: list[Json]) -> list[Json]:
    results = {_id(b, "tool_use_id"): b for b in blocks if b.get("type") == "tool_result"}
    results.pop(None, None)
    parts = [_function_response(call, results.get(_id(call, "id"))) for call in calls]
    answered = {_id(call, "id") for call in calls} - {None}
    for block in blocks:
        if block.get("type") == "tool_result":
            parts.extend(_result_extras(block, _id(block, "tool_use_id") in answered))
        else:
            parts.extend(_user_block_parts(block))
    return parts


def _id(block: Json, key: str) -> str | None:
    value = block.get(key)
    return value if isinstance(value, str) else None


def _function_response(call: Json, result: Json | None) -> Json:
    if result is None:
        response: Json = {"error": "No result was returned for this call."}
    else:
        key = "error" if result.get("is_error") else "content"
        response = {key: blocks_text(result.get("content"))}
    return {"functionResponse": {"name": to_gemini_name(call.get("name")), "response": response}}


def _result_extras(result: Json, answered: bool) -> list[Json]:
    """Images of a tool result (Gemini has no place for them in the response), or all of an
    orphaned result as text."""
    blocks = content_blocks(result.get("content"))
    images = [p for b in blocks if b.get("type") != "text" for p in _user_block_parts(b)]
    if answered:
        return images
    text = blocks_text(result.get("content"))
    label = f"[result of tool call {result.get('tool_use_id')}]"
    return [{"text": f"{label}\n{text}" if text else label}, *images]


def _user_block_parts(block: Json) -> list[Json]:
    kind = block.get("type")
    if kind == "text":
        text = block.get("text")
        return [{"text": text}] if isinstance(text, str) and text else []
    if kind in ("image", "document"):
        return _media_part(kind, block.get("source"))
    return []


def _media_part(kind: str, source: object) -> list[Json]:
    if not isinstance(source, dict):
        return []
    source_type = source.get("type")
    if source_type == "base64" and isinstance(source.get("data"), str) and source["data"]:
        default = "image/png" if kind == "image" else "application/pdf"
        mime = source.get("media_type") if isinstance(source.get("media_type"), str) else default
        return [{"inlineData": {"mimeType": mime or default, "data": source["data"]}}]
    if source_type == "text" and isinstance(source.get("data"), str) and source["data"]:
        return [{"text": source["data"]}]
    if source_type == "content":
        text = blocks_text(source.get("content"))
        return [{"text": text}] if text else []
    where = source.get("url") or source.get("file_id") or ""
    return [{"text": f"[{kind}: {where}]" if where else f"[{kind}]"}]
