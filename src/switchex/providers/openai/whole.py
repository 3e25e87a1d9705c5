"""A whole Anthropic Message re-emitted as stream events (for servers that cannot stream).

llama.cpp's server answers a streamed request with tools with no data at all, so such a
request goes upstream whole and its answer is replayed to the client as the stream it asked
for: `message_start`, each block (start, one delta, stop), `message_delta`, `message_stop`.
"""

from __future__ import annotations

from typing import Any

import orjson

Json = dict[str, Any]


def message_events(message: Json) -> list[Json]:
    """The stream events that carry `message` (its usage is reported at the end)."""
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
    events: list[Json] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message.get("content") or []):
        events.extend(_block_events(index, block))
    delta = {"stop_reason": message.get("stop_reason"), "stop_sequence": None}
    events.append({"type": "message_delta", "delta": delta, "usage": message.get("usage")})
    events.append({"type": "message_stop"})
    return events


def _block_events(index: int, block: Json) -> list[Json]:
    kind = block["type"]
    if kind == "tool_use":
        empty: Json = {**block, "input": {}}
        arguments = orjson.dumps(block["input"]).decode()
        delta: Json = {"type": "input_json_delta", "partial_json": arguments}
    elif kind == "thinking":
        empty = {"type": "thinking", "thinking": "", "signature": ""}
        delta = {"type": "thinking_delta", "thinking": block["thinking"]}
    else:
        empty = {"type": "text", "text": ""}
        delta = {"type": "text_delta", "text": block.get("text", "")}
    events = [{"type": "content_block_start", "index": index, "content_block": empty}]
    if kind != "text" or delta["text"]:
        events.append({"type": "content_block_delta", "index": index, "delta": delta})
    if kind == "thinking":
        signature = {"type": "signature_delta", "signature": block.get("signature", "")}
        events.append({"type": "content_block_delta", "index": index, "delta": signature})
    events.append({"type": "content_block_stop", "index": index})
    return events
