"""An OpenAI chat-completions stream → Anthropic stream events, chunk by chunk.

`message_start` goes out with the first chunk; blocks follow in order (see blocks.py);
`finish_reason` closes them; `message_delta` (stop_reason, usage from the last chunk) and
`message_stop` follow `[DONE]` or the end of the stream. An error object in the stream
(OpenRouter) becomes an Anthropic `error` event and ends it. Lines that are not JSON are
skipped. A stream that ends with no answer at all, or cut inside a tool call's arguments
with no finish marker, ends with an `error` event: a half-written tool call must not run.
With text tool calls on, content goes through the text tool-call parser (texttools.py)
before the blocks; a stream that answered nothing gets one empty text block. When the
upstream was asked for a whole answer (`ReplyPlan.whole_upstream`), its body is collected
and replayed as events at the end (whole.py).
"""

from __future__ import annotations

from typing import Any

import orjson

from switchex.errors import UpstreamError
from switchex.providers.base import NO_PLAN, ReplyPlan
from switchex.providers.common import new_message_id
from switchex.providers.openai.blocks import BlockSequencer
from switchex.providers.openai.errors import stream_error_event
from switchex.providers.openai.response import (
    reasoning_of,
    stop_reason,
    translate_completion,
    usage_to_anthropic,
)
from switchex.providers.openai.whole import message_events
from switchex.providers.streaming import SSEDataTranslator, api_error_event
from switchex.providers.texttools import Piece, TextToolParser

Json = dict[str, Any]


_error = api_error_event


class OpenAIStreamTranslator(SSEDataTranslator):
    """One streamed answer; implements providers.base.StreamTranslator."""

    def __init__(self, model: str, reply: ReplyPlan = NO_PLAN) -> None:
        super().__init__()
        self.model = model
        self.reply = reply
        self._whole: list[bytes] | None = [] if reply.whole_upstream else None
        self._text = TextToolParser(reply.tools) if reply.text_tools else None
        self._blocks = BlockSequencer()
        self._started = False
        self._ended = False
        self._done = False
        self._finish_reason: str | None = None
        self._usage: Json | None = None

    def feed(self, chunk: bytes) -> list[Json]:
        if self._whole is not None:
            self._whole.append(chunk)
            return []
        return super().feed(chunk)

    def finish(self) -> list[Json]:
        if self._whole is not None:  # once: `finish` may be called again
            body, self._whole, self._ended = b"".join(self._whole), None, True
            return self._replay(body)
        events = self._rest()
        if self._ended:
            return events
        self._ended = True
        if not self._started:
            return [*events, _error(f"{self.model} closed the stream without answering")]
        cut = not self._done and self._finish_reason is None
        if cut and self._blocks.incomplete_tool_call():
            return [*events, _error(f"{self.model} stream ended inside a tool call")]
        return events + self._end()

    # -- chunks ----------------------------------------------------------------------------
    def _data(self, data: str) -> list[Json]:
        if self._ended:
            return []
        if data.strip() == "[DONE]":
            self._done = True
            self._ended = True
            return self._end() if self._started else [_error(f"{self.model} sent no answer")]
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return []
        if not isinstance(chunk, dict):
            return []
        if chunk.get("error"):
            self._ended = True
            return [stream_error_event(chunk["error"])]
        return self._chunk(chunk)

    def _chunk(self, chunk: Json) -> list[Json]:
        choices = chunk.get("choices")
        if not isinstance(choices, list) and "usage" not in chunk:
            return []
        if isinstance(chunk.get("usage"), dict):
            self._usage = chunk["usage"]
        events = [] if self._started else [self._message_start()]
        self._started = True
        for choice in choices if isinstance(choices, list) else []:
            if isinstance(choice, dict) and choice.get("index", 0) == 0:
                events.extend(self._choice(choice))
        return events

    def _choice(self, choice: Json) -> list[Json]:
        if self._finish_reason is not None:
            return []
        delta = choice.get("delta")
        events = self._delta(delta) if isinstance(delta, dict) else []
        finish = choice.get("finish_reason")
        if finish == "error":
            self._ended = True
            return [*events, _error(f"{self.model} failed mid-stream")]
        if isinstance(finish, str) and finish:
            self._finish_reason = finish
            events.extend(self._flush_text())
            events.extend(self._blocks.close_all())
        return events

    def _delta(self, delta: Json) -> list[Json]:
        events: list[Json] = []
        reasoning = reasoning_of(delta)
        if reasoning:
            events.extend(self._blocks.add_text("thinking", reasoning))
        if isinstance(delta.get("content"), str) and delta["content"]:
            events.extend(self._content(delta["content"]))
        calls = delta.get("tool_calls")
        if isinstance(calls, list) and calls:
            events.extend(self._flush_text())  # held text goes before the call
        for call in calls if isinstance(calls, list) else []:
            if isinstance(call, dict):
                events.extend(self._tool_call(call))
        return events

    def _content(self, text: str) -> list[Json]:
        parser = self._text
        # The common delta (mid-line prose, nothing held) is checked inline: no call at all.
        if parser is None or (parser.quiet and "\n" not in text and "<" not in text):
            return self._blocks.add_text("text", text)
        pieces = parser.pieces(text)
        if pieces is None:
            return self._blocks.add_text("text", text)
        return self._pieces(pieces)

    def _flush_text(self) -> list[Json]:
        return self._pieces(self._text.finish()) if self._text is not None else []

    def _pieces(self, pieces: list[Piece]) -> list[Json]:
        events: list[Json] = []
        for piece in pieces:
            if piece.kind == "tool":
                events.extend(self._blocks.add_parsed_tool(piece.name, piece.input or {}))
            elif piece.text:
                events.extend(self._blocks.add_text(piece.kind, piece.text))
        return events

    def _tool_call(self, call: Json) -> list[Json]:
        function = call.get("function")
        function = function if isinstance(function, dict) else {}
        index = call.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = self._blocks.guess_index(call.get("id"))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # sent as an object, all at once
            arguments = orjson.dumps(arguments).decode()
        text = arguments if isinstance(arguments, str) else ""
        return self._blocks.add_tool(index, call.get("id"), function.get("name"), text)

    # -- framing ---------------------------------------------------------------------------
    def _message_start(self) -> Json:
        message: Json = {
            "id": new_message_id(),
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage_to_anthropic(self._usage),
        }
        return {"type": "message_start", "message": message}

    def _replay(self, body: bytes) -> list[Json]:
        """The whole answer of a non-streamed upstream call, as the stream's events."""
        try:
            message = translate_completion(body, self.model, self.reply)
        except UpstreamError as error:
            return [_error(error.message)]
        return message_events(message)

    def _end(self) -> list[Json]:
        events = self._flush_text()
        events += self._blocks.ensure_answer()
        events += self._blocks.close_all()
        reason = stop_reason(self._finish_reason, self._blocks.tool_calls > 0)
        events.append(
            {
                "type": "message_delta",
                "delta": {"stop_reason": reason, "stop_sequence": None},
                "usage": usage_to_anthropic(self._usage),
            }
        )
        events.append({"type": "message_stop"})
        return events
