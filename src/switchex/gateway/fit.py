"""Which tiers can take a request: its size against their windows, its images against their
eyes. Pure: no I/O, no clock.

The size is a local estimate (never a remote counter: this runs on every request):
text of every block at `CHARS_PER_TOKEN` characters a token, an image `IMAGE_TOKENS`, a
document its base64 size over `DOCUMENT_BYTES_PER_TOKEN` (at least `IMAGE_TOKENS`), tool
definitions as their JSON, plus `MESSAGE_TOKENS` per message. It errs on the large side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from switchex.gateway.capabilities import Capabilities
from switchex.providers.base import Json

CHARS_PER_TOKEN = 3.5
IMAGE_TOKENS = 1_600
DOCUMENT_BYTES_PER_TOKEN = 400
MESSAGE_TOKENS = 4
IMAGE_NOTE = "[image omitted: this model cannot read images]"
DOCUMENT_NOTE = "[document omitted: this model cannot read documents]"


@dataclass
class Shape:
    """What a request holds, as far as routing cares."""

    tokens: int = 0
    images: int = 0
    documents: int = 0


@dataclass
class _Walk:
    chars: int = 0
    fixed: int = 0
    images: int = 0
    documents: int = 0

    def blocks(self, content: Any) -> None:
        if isinstance(content, str):
            self.chars += len(content)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict):
                    self.block(block)

    def block(self, block: dict[str, Any]) -> None:
        kind = block.get("type")
        if kind == "text":
            self.chars += len(str(block.get("text", "")))
        elif kind == "image":
            self.images += 1
            self.fixed += IMAGE_TOKENS
        elif kind == "document":
            self.documents += 1
            self.fixed += max(IMAGE_TOKENS, _source_size(block) // DOCUMENT_BYTES_PER_TOKEN)
        elif kind == "tool_result":
            self.blocks(block.get("content"))
        elif kind == "tool_use":
            self.chars += len(orjson.dumps(block.get("input"))) + len(str(block.get("name")))
        elif kind in ("thinking", "redacted_thinking"):
            self.chars += len(str(block.get("thinking") or block.get("data") or ""))
        else:
            self.chars += len(orjson.dumps(block))


def _source_size(block: dict[str, Any]) -> int:
    source = block.get("source")
    if not isinstance(source, dict):
        return 0
    return len(str(source.get("data") or source.get("content") or ""))


def measure(request: Json) -> Shape:
    """The request's estimated input tokens and how many images and documents it holds."""
    walk = _Walk()
    walk.blocks(request.get("system"))
    messages = request.get("messages") or []
    for message in messages:
        if isinstance(message, dict):
            walk.blocks(message.get("content"))
    tools = request.get("tools")
    if tools:
        walk.chars += len(orjson.dumps(tools))
    tokens = math.ceil(walk.chars / CHARS_PER_TOKEN) + walk.fixed + MESSAGE_TOKENS * len(messages)
    return Shape(max(1, tokens), walk.images, walk.documents)


def output_tokens(request: Json, caps: Capabilities) -> int:
    """The request's `max_tokens` as the tier will send it (clamped to its output cap)."""
    wanted = request.get("max_tokens")
    wanted = wanted if isinstance(wanted, int) and wanted > 0 else 4096
    return min(wanted, caps.max_output) if caps.max_output else wanted


def too_long(request: Json, shape: Shape, caps: Capabilities) -> bool:
    """Whether the request cannot fit the tier's window (unknown window: it fits)."""
    window = caps.context_window
    return window is not None and shape.tokens + output_tokens(request, caps) > window


def readable(shape: Shape, caps: Capabilities) -> bool:
    """Whether the tier can read every image and document of the request."""
    return (not shape.images or caps.vision) and (not shape.documents or caps.documents)


@dataclass
class Plan:
    """The order to try tiers in. `blind`: tiers that fit but cannot read the request's
    images or documents, tried (after `ready`) with them replaced by a note. `skipped`:
    (tier, why) for the log and the journal; `window`: the largest window that was too small,
    `needed`: the tokens (input and output) it was asked to hold."""

    ready: list[str] = field(default_factory=list)
    blind: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    window: int = 0
    needed: int = 0


def plan(
    names: list[str], request: Json, shape: Shape, caps_of: Callable[[str], Capabilities]
) -> Plan:
    """Sort the router's plan by what each tier can take (order kept within each list)."""
    result = Plan()
    for name in names:
        caps = caps_of(name)
        if too_long(request, shape, caps):
            result.skipped.append((name, "context"))
            if (caps.context_window or 0) > result.window:
                result.window = caps.context_window or 0
                result.needed = shape.tokens + output_tokens(request, caps)
        elif readable(shape, caps):
            result.ready.append(name)
        else:
            result.skipped.append((name, "vision" if shape.images else "documents"))
            result.blind.append(name)
    return result


def too_long_message(plan: Plan) -> str:
    """Anthropic's own wording, which makes Claude Code compact the conversation."""
    return f"prompt is too long: {plan.needed} tokens > {plan.window} maximum"


def without_media(request: Json, caps: Capabilities) -> Json:
    """A copy of the request whose unreadable images/documents are short text notes."""

    def swap(content: Any) -> Any:
        if not isinstance(content, list):
            return content
        out: list[Any] = []
        for block in content:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "image" and not caps.vision:
                out.append({"type": "text", "text": IMAGE_NOTE})
            elif kind == "document" and not caps.documents:
                out.append({"type": "text", "text": DOCUMENT_NOTE})
            elif kind == "tool_result":
                out.append({**block, "content": swap(block.get("content"))})
            else:
                out.append(block)
        return out

    messages = [
        {**m, "content": swap(m.get("content"))} if isinstance(m, dict) else m
        for m in request.get("messages") or []
    ]
    return {**request, "messages": messages}
