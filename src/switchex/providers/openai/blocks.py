"""Orders streamed content into Anthropic blocks: one block open at a time, in order.

OpenAI streams reasoning, text and tool calls as deltas that may interleave (several tool
calls keyed by `index`). Anthropic streams one block after another. The sequencer emits the
deltas of the block that is open at once and buffers the others; a block closes when a later
one has content and it is complete (text always is; a tool call once its arguments are a
whole JSON object), or at the end. Tool arguments stream as they arrive when they start with
`{`; otherwise (nothing yet, a double-encoded string) they are held and sent whole at close.
Tool calls parsed from text (`add_parsed_tool`) arrive whole. A text block of whitespace
only is not started before something else follows: it is dropped when a block of another
kind comes (Anthropic refuses such blocks when the conversation is sent back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from switchex.providers.common import foreign_signature
from switchex.providers.openai.arguments import arguments_json, is_complete_object
from switchex.providers.openai.response import KIND, tool_use_id

Json = dict[str, Any]

NEW, OPEN, CLOSED = 0, 1, 2
_DELTA = {"text": ("text_delta", "text"), "thinking": ("thinking_delta", "thinking")}


@dataclass
class _Block:
    kind: str  # "thinking" | "text" | "tool_use"
    state: int = NEW
    index: int = -1
    pending: list[str] = field(default_factory=list)
    call_id: str | None = None
    name: str | None = None
    arguments: str = ""
    sent: int = 0

    def streams_arguments(self) -> bool:
        return self.arguments.lstrip().startswith("{")


def _starts_another(block: _Block, call_id: object, name: object) -> bool:
    """Some servers reuse one `index` for every call: a new id (or a name after close) is new."""
    if isinstance(call_id, str) and call_id and block.call_id and call_id != block.call_id:
        return True
    return block.state == CLOSED and bool(call_id or name)


class BlockSequencer:
    """Turns reasoning/text/tool-call fragments into well-sequenced Anthropic block events."""

    def __init__(self) -> None:
        self._blocks: list[_Block] = []
        self._calls: dict[int, _Block] = {}
        self._cursor = 0
        self._next_index = 0

    @property
    def tool_calls(self) -> int:
        return sum(1 for block in self._blocks if block.kind == "tool_use" and block.name)

    def incomplete_tool_call(self) -> bool:
        """True when a tool call's arguments are not (yet) a whole JSON object."""
        return any(
            block.kind == "tool_use"
            and block.arguments.strip()
            and not is_complete_object(block.arguments)
            for block in self._blocks
        )

    def add_text(self, kind: str, fragment: str) -> list[Json]:
        """A `text` or `thinking` fragment."""
        last = self._blocks[-1] if self._blocks else None
        if last is None or last.kind != kind or last.state == CLOSED:
            last = self._append(_Block(kind))
        last.pending.append(fragment)
        return self._pump()

    def add_parsed_tool(self, name: str, arguments: Json) -> list[Json]:
        """A whole tool call read from the model's text."""
        self._append(_Block("tool_use", name=name, arguments=orjson.dumps(arguments).decode()))
        return self._pump()

    def ensure_answer(self) -> list[Json]:
        """An empty text block when nothing at all was answered (never an empty message)."""
        if any(block.state != NEW or self._startable(block) for block in self._blocks):
            return []
        self._blocks.append(_Block("text"))
        return self._start(self._blocks[-1])

    def _append(self, block: _Block) -> _Block:
        last = self._blocks[-1] if self._blocks else None
        whitespace = last is not None and last.kind == "text" and last.state == NEW
        if whitespace and last is not None and not self._startable(last):
            self._blocks.pop()  # a text block of whitespace only: dropped
        self._blocks.append(block)
        return block

    def add_tool(self, index: int, call_id: object, name: object, arguments: str) -> list[Json]:
        """A tool-call fragment; `id` and `name` usually come on the first one only."""
        block = self._calls.get(index)
        if block is None or _starts_another(block, call_id, name):
            block = self._calls[index] = self._append(_Block("tool_use"))
        if block.call_id is None and isinstance(call_id, str) and call_id:
            block.call_id = call_id
        if block.name is None and isinstance(name, str) and name:
            block.name = name
        if block.state != CLOSED:
            block.arguments += arguments
        return self._pump()

    def guess_index(self, call_id: object) -> int:
        """For servers that omit `index`: a known id keeps its call, a new id starts one."""
        for index, block in self._calls.items():
            if call_id and block.call_id == call_id:
                return index
        last = max(self._calls, default=-1)
        return last + 1 if call_id or last < 0 else last

    def close_all(self) -> list[Json]:
        """Start, flush and close every block left (a nameless tool call is dropped)."""
        events: list[Json] = []
        for block in self._blocks[self._cursor :]:
            if block.state == NEW and not self._startable(block):
                block.state = CLOSED
                continue
            if block.state == NEW:
                events.extend(self._start(block))
            events.extend(self._flush(block))
            events.extend(self._stop(block))
        self._cursor = len(self._blocks)
        return events

    # -- sequencing ------------------------------------------------------------------------
    def _pump(self) -> list[Json]:
        events: list[Json] = []
        while self._cursor < len(self._blocks):
            block = self._blocks[self._cursor]
            if block.state == NEW:
                if not self._startable(block):
                    break
                events.extend(self._start(block))
            events.extend(self._flush(block))
            if self._cursor == len(self._blocks) - 1 or not self._complete(block):
                break
            events.extend(self._stop(block))
            self._cursor += 1
        return events

    @staticmethod
    def _startable(block: _Block) -> bool:
        if block.kind == "text":
            return any(part.strip() for part in block.pending)
        return block.kind != "tool_use" or block.name is not None

    @staticmethod
    def _complete(block: _Block) -> bool:
        return block.kind != "tool_use" or is_complete_object(block.arguments)

    def _start(self, block: _Block) -> list[Json]:
        block.state, block.index = OPEN, self._next_index
        self._next_index += 1
        if block.kind == "tool_use":
            call_id = tool_use_id(block.call_id)
            start: Json = {"type": "tool_use", "id": call_id, "name": block.name, "input": {}}
        elif block.kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
        else:
            start = {"type": "text", "text": ""}
        return [{"type": "content_block_start", "index": block.index, "content_block": start}]

    def _flush(self, block: _Block) -> list[Json]:
        if block.kind == "tool_use":
            if not block.streams_arguments() or block.sent == len(block.arguments):
                return []
            fragment, block.sent = block.arguments[block.sent :], len(block.arguments)
            return [self._delta(block, {"type": "input_json_delta", "partial_json": fragment})]
        if not block.pending:
            return []
        text, block.pending = "".join(block.pending), []
        delta_type, key = _DELTA[block.kind]
        return [self._delta(block, {"type": delta_type, key: text})]

    def _stop(self, block: _Block) -> list[Json]:
        events: list[Json] = []
        if block.kind == "tool_use" and block.sent == 0:
            whole = {"type": "input_json_delta", "partial_json": arguments_json(block.arguments)}
            events.append(self._delta(block, whole))
        elif block.kind == "thinking":
            signature = {"type": "signature_delta", "signature": foreign_signature(KIND)}
            events.append(self._delta(block, signature))
        block.state = CLOSED
        events.append({"type": "content_block_stop", "index": block.index})
        return events

    @staticmethod
    def _delta(block: _Block, delta: Json) -> Json:
        return {"type": "content_block_delta", "index": block.index, "delta": delta}
