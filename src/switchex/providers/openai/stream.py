"""An OpenAI chat-completions stream → Anthropic stream events, chunk by chunk.

`message_start` goes out with the first chunk; blocks follow in order (see blocks.py);
`finish_reason` closes them; `message_delta` (stop_reason, usage from the last chunk) and
`message_stop` follow `[DONE]` or the end of the stream. An error object in the stream
(OpenRouter) becomes an Anthropic `error` event and ends it. Lines that are not JSON are
skipped. A stream that ends with no answer at all, or cut inside a tool call's arguments
with no finish marker, ends with an `error` event: a half-written tool call must not run.
"""

from __future__ import annotations

from typing import Any

import orjson

from switchex.providers.common import new_message_id
from switchex.providers.openai.blocks import BlockSequencer
from switchex.providers.openai.errors import stream_error_event
from switchex.providers.openai.response import reasoning_of, stop_reason, usage_to_anthropic
from switchex.providers.streaming import SSEDataTranslator, api_error_event

Json = dict[str, Any]


_error = api_error_event


class OpenAIStreamTranslator(SSEDataTranslator):
    """One streamed answer; implements providers.base.StreamTranslator."""

    def __init__(self, model: str) -> None:
        super().__init__()
        self.model = model
        self._blocks = BlockSequencer()
        self._started = False
        self._ended = False
        self._done = False
        self._finish_reason: str | None = None
        self._usage: Json | None = None

    def finish(self) -> list[Json]:
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
            events.extend(self._blocks.close_all())
        return events

    def _delta(self, delta: Json) -> list[Json]:
        events: list[Json] = []
        reasoning = reasoning_of(delta)
        if reasoning:
            events.extend(self._blocks.add_text("thinking", reasoning))
        if isinstance(delta.get("content"), str) and delta["content"]:
            events.extend(self._blocks.add_text("text", delta["content"]))
        calls = delta.get("tool_calls")
        for call in calls if isinstance(calls, list) else []:
            if isinstance(call, dict):
                events.extend(self._tool_call(call))
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

    def _end(self) -> list[Json]:
        events = self._blocks.close_all()
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
