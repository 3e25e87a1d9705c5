"""A Gemini `streamGenerateContent?alt=sse` stream → Anthropic stream events.

Each SSE `data:` is one GenerateContentResponse whose text parts hold only the new text;
function calls arrive whole. One Anthropic block is open at a time: thought text → a
thinking block (closed with the foreign signature), text → a text block, each call → a
complete tool_use block. The chunk with a finishReason ends the message. A stream that
closes without one ends well-formed from `finish` (stop reason from what was sent); one
that closes before any answer, or carries an error object, ends with an `error` event.
Data that is not JSON is skipped.
"""

from __future__ import annotations

from typing import Any

import orjson

from switchex.providers.common import empty_usage, new_message_id
from switchex.providers.gemini.answer import (
    NO_ANSWER,
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
from switchex.providers.gemini.errors import google_error, stream_error_event
from switchex.providers.gemini.response import THINKING_SIGNATURE, tool_use_block
from switchex.providers.streaming import SSEDataTranslator, api_error_event

Json = dict[str, Any]

_EMPTY_THINKING: Json = {"type": "thinking", "thinking": "", "signature": ""}


class GeminiStreamTranslator(SSEDataTranslator):
    """Feeds on raw stream bytes; see the module docstring for the mapping."""

    def __init__(self, model: str) -> None:
        super().__init__()
        self._model = model
        self._started = False
        self._done = False
        self._open: str | None = None
        self._index = -1
        self._has_calls = False
        self._has_text = False
        self._usage = empty_usage()

    def finish(self) -> list[Json]:
        events = self._rest()
        if self._done:
            return events
        self._done = True
        if not self._started:
            return [*events, api_error_event("Gemini closed the stream without an answer.")]
        if self._index < 0:
            return [*events, *self._end("refusal", NO_ANSWER)]
        return [*events, *self._end(stop_reason(None, self._has_calls), None)]

    # -- one chunk -------------------------------------------------------------------------
    def _data(self, data: str) -> list[Json]:
        if self._done:
            return []
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return []
        chunks = chunk if isinstance(chunk, list) else [chunk]
        events: list[Json] = []
        for item in chunks:
            if isinstance(item, dict) and not self._done:
                events.extend(self._chunk(item))
        return events

    def _chunk(self, chunk: Json) -> list[Json]:
        error = google_error(chunk)
        if error:
            self._done = True
            return [stream_error_event(error)]
        events = self._start(chunk)
        if isinstance(chunk.get("usageMetadata"), dict):
            self._usage = usage(chunk["usageMetadata"])
        candidate = first_candidate(chunk)
        for part in candidate_parts(candidate):
            events.extend(self._part(part))
        finish = finish_reason(candidate)
        if finish is not None or (no_answer(chunk) and "promptFeedback" in chunk):
            closing = closing_text(chunk, finish, self._has_text)
            reason = "refusal" if no_answer(chunk) else stop_reason(finish, self._has_calls)
            events.extend(self._end(reason, closing))
        return events

    def _start(self, chunk: Json) -> list[Json]:
        if self._started:
            return []
        self._started = True
        start_usage = usage(chunk.get("usageMetadata"))
        start_usage["output_tokens"] = 0
        message: Json = {
            "id": new_message_id(),
            "type": "message",
            "role": "assistant",
            "model": served_model(chunk, self._model),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": start_usage,
        }
        return [{"type": "message_start", "message": message}]

    def _part(self, part: Json) -> list[Json]:
        if isinstance(part.get("functionCall"), dict):
            self._has_calls = True
            block = tool_use_block(part, {})
            json_delta = {"type": "input_json_delta", "partial_json": _json(call_args(part))}
            return [*self._open_block("tool_use", block), self._delta(json_delta), *self._close()]
        text = part.get("text")
        if not isinstance(text, str) or not text:
            return []
        if part.get("thought") is True:
            opened = self._open_block("thinking", dict(_EMPTY_THINKING))
            return [*opened, self._delta({"type": "thinking_delta", "thinking": text})]
        self._has_text = True
        opened = self._open_block("text", {"type": "text", "text": ""})
        return [*opened, self._delta({"type": "text_delta", "text": text})]

    # -- blocks ----------------------------------------------------------------------------
    def _open_block(self, kind: str, block: Json) -> list[Json]:
        if self._open == kind and kind != "tool_use":
            return []
        events = self._close()
        self._index += 1
        self._open = kind
        start = {"type": "content_block_start", "index": self._index, "content_block": block}
        return [*events, start]

    def _delta(self, delta: Json) -> Json:
        return {"type": "content_block_delta", "index": self._index, "delta": delta}

    def _close(self) -> list[Json]:
        if self._open is None:
            return []
        events: list[Json] = []
        if self._open == "thinking":
            events.append(self._delta({"type": "signature_delta", "signature": THINKING_SIGNATURE}))
        events.append({"type": "content_block_stop", "index": self._index})
        self._open = None
        return events

    def _end(self, reason: str, closing: str | None) -> list[Json]:
        self._done = True
        events = self._close()
        if closing:
            events.extend(self._open_block("text", {"type": "text", "text": ""}))
            events.append(self._delta({"type": "text_delta", "text": closing}))
            events.extend(self._close())
        delta = {"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": None}}
        return [*events, {**delta, "usage": dict(self._usage)}, {"type": "message_stop"}]


def _json(value: Json) -> str:
    return orjson.dumps(value).decode()
