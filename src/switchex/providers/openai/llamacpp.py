"""What llama.cpp's OpenAI-compatible servers need (a tier with `server: llama.cpp`). Pure.

Measured against llama-cpp-python 0.3.36's server (`--chat_format chatml-function-calling`):
- `tools` without `tool_choice` are ignored: `tool_choice: "auto"` is sent explicitly;
- `tool_choice: "required"` (Anthropic's `any`) is a 500: the only tool is forced by name, or
  among several the model may choose (`auto`);
- its template describes the tools inside the system message only: a request with tools
  starts with one (empty when the client sent none);
- a stream with tools answers 200 with no data chunks (and forced tool calls repeat `id` and
  `name` in every chunk): a request with tools goes upstream non-streaming, and the stream
  translator turns the whole completion into Anthropic stream events (the relay pings the
  client while the server computes it);
- with `tool_choice: "auto"` a text reply is always empty (its grammar for the message allows
  nothing but a tool name or the end): it becomes an empty text block, never a stream or
  message without blocks (`settled`);
- its grammar does not always hold: tool arguments can be broken JSON; a whole answer says
  them as text (`settled`);
- an assistant message with `content: null` beside `tool_calls` is rejected (messages.py
  always sends a string);
- beside `tool_calls` it also returns the legacy `function_call` (with a stray colon in its
  name): response.py ignores it when `tool_calls` is there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from switchex.errors import UpstreamError
from switchex.providers.openai.arguments import RAW_ARGUMENTS_KEY
from switchex.providers.openai.response import translate_completion
from switchex.providers.openai.stream import OpenAIStreamTranslator

Json = dict[str, Any]

SERVER = "llama.cpp"


def is_llamacpp(options: Mapping[str, str]) -> bool:
    """Whether a tier's options name llama.cpp's server."""
    return options.get("server") == SERVER


def adapt_request(body: Json) -> Json:
    """A copy of a chat-completions `body` that llama.cpp's server serves as meant."""
    out = dict(body)
    tools = out.get("tools")
    if not tools:
        return out
    out["tool_choice"] = _tool_choice(out.get("tool_choice"), tools)
    if out.pop("stream", False):
        out.pop("stream_options", None)
    messages = out["messages"]
    if not messages or messages[0].get("role") != "system":
        out["messages"] = [{"role": "system", "content": ""}, *messages]
    return out


def _tool_choice(choice: object, tools: list[Json]) -> object:
    """`auto` when unset; `required` (a 500) forces the only tool, or is `auto` among several."""
    if choice is None:
        return "auto"
    if choice == "required":
        if len(tools) == 1:
            return {"type": "function", "function": {"name": tools[0]["function"]["name"]}}
        return "auto"
    return choice


class WholeOrStreamTranslator(OpenAIStreamTranslator):
    """The openai stream translator for answers that come whole (a JSON completion) or as SSE.

    The first bytes decide: a JSON object is collected and said as stream events at the end
    (llama.cpp, asked non-streaming for a stream with tools); anything else is translated as
    SSE. Either way the message holds at least one block: a server's empty reply becomes an
    empty text block.
    """

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self._whole: bytearray | None = None
        self._decided = False
        self._opened = 0

    def feed(self, chunk: bytes) -> list[Json]:
        if not self._decided and chunk.strip():
            self._decided = True
            self._whole = bytearray() if chunk.lstrip().startswith(b"{") else None
        if self._whole is not None:
            self._whole += chunk
            return []
        return self._with_a_block(super().feed(chunk))

    def finish(self) -> list[Json]:
        if self._whole is None:
            return self._with_a_block(super().finish())
        body, self._whole = bytes(self._whole), bytearray()
        return whole_answer_events(body, self.model) if body else []

    def _with_a_block(self, events: list[Json]) -> list[Json]:
        out: list[Json] = []
        for event in events:
            if event["type"] == "content_block_start":
                self._opened += 1
            elif event["type"] == "message_delta" and not self._opened:
                out.extend(_block_events(0, {"type": "text", "text": ""}))
                self._opened = 1
            out.append(event)
        return out


def whole_answer_events(body: bytes, model: str) -> list[Json]:
    """The Anthropic stream events saying what the whole chat completion `body` says.

    A body that is not a completion ends the stream with an `error` event (its first bytes
    may have reached the client already: no failover then).
    """
    try:
        message = settled(translate_completion(body, model))
    except UpstreamError as error:
        event: Json = orjson.loads(error.body)
        return [event]
    start = {**message, "content": [], "stop_reason": None}
    events: list[Json] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        events.extend(_block_events(index, block))
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    events.append({"type": "message_delta", "delta": delta, "usage": message["usage"]})
    events.append({"type": "message_stop"})
    return events


def settled(message: Json) -> Json:
    """A whole answer as Claude Code can act on it.

    A tool call whose arguments are not a JSON object (llama-cpp-python's grammar lets
    through `{ "city": "}` and a newline) becomes the model's text, `name: arguments`, rather
    than a call no tool schema accepts; a streamed call cannot be taken back and keeps
    `_raw_arguments` (arguments.py). No content at all becomes one empty text block.
    """
    content = [_text_if_unreadable(block) for block in message["content"]]
    if not content:
        content = [{"type": "text", "text": ""}]
    calls = any(block["type"] == "tool_use" for block in content)
    reason = "end_turn" if message["stop_reason"] == "tool_use" and not calls else None
    return {**message, "content": content, "stop_reason": reason or message["stop_reason"]}


def _text_if_unreadable(block: Json) -> Json:
    raw = block["input"].get(RAW_ARGUMENTS_KEY) if block["type"] == "tool_use" else None
    if not isinstance(raw, str) or len(block["input"]) != 1:
        return block
    return {"type": "text", "text": f"{block['name']}: {raw}"}


def _block_events(index: int, block: Json) -> list[Json]:
    """start, the block's content as deltas, stop."""
    kind = block["type"]
    if kind == "tool_use":
        start: Json = {**block, "input": {}}
        deltas = [
            {"type": "input_json_delta", "partial_json": orjson.dumps(block["input"]).decode()}
        ]
    elif kind == "thinking":
        start = {**block, "thinking": "", "signature": ""}
        deltas = [
            {"type": "thinking_delta", "thinking": block["thinking"]},
            {"type": "signature_delta", "signature": block["signature"]},
        ]
    else:
        start = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": block["text"]}] if block["text"] else []
    return [
        {"type": "content_block_start", "index": index, "content_block": start},
        *({"type": "content_block_delta", "index": index, "delta": delta} for delta in deltas),
        {"type": "content_block_stop", "index": index},
    ]
