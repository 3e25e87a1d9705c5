"""Bedrock's response stream (AWS event-stream framing) as Anthropic stream events.

`InvokeModelWithResponseStream` answers `application/vnd.amazon.eventstream`: binary
messages with a CRC-checked prelude, headers and payload. botocore's parser does the framing
and CRCs. A `chunk` event's payload is `{"bytes": "<base64>"}` whose decoded bytes are one
Anthropic stream event in JSON; an exception message (`throttlingException`, …) becomes an
Anthropic `error` event, so a throttled stream that has not started fails over like a 429.
"""

from __future__ import annotations

import base64
import binascii
from typing import cast

import orjson
from botocore.eventstream import EventStreamBuffer, EventStreamMessage, ParserError

from switchex.providers.base import Json
from switchex.providers.streaming import api_error_event

# Bedrock's stream exception names → Anthropic error types (what failover reads).
STREAM_ERRORS = {
    "throttlingException": "rate_limit_error",
    "serviceUnavailableException": "overloaded_error",
    "modelStreamErrorException": "api_error",
    "modelTimeoutException": "timeout_error",
    "internalServerException": "api_error",
    "validationException": "invalid_request_error",
}


def _exception_event(message: EventStreamMessage) -> Json:
    headers = cast("dict[str, object]", message.headers)  # botocore-stubs say int
    name = str(headers.get(":exception-type") or headers.get(":error-code"))
    try:
        text = str(orjson.loads(message.payload).get("message", ""))
    except (orjson.JSONDecodeError, AttributeError):
        text = message.payload[:200].decode("utf-8", "replace")
    error_type = STREAM_ERRORS.get(name, "api_error")
    return {"type": "error", "error": {"type": error_type, "message": f"Bedrock {name}: {text}"}}


def _chunk_event(payload: bytes) -> Json:
    try:
        data = base64.b64decode(orjson.loads(payload)["bytes"], validate=True)
        event = orjson.loads(data)
    except (orjson.JSONDecodeError, KeyError, TypeError, binascii.Error):
        return api_error_event("Bedrock sent a stream chunk that is not an Anthropic event")
    if not isinstance(event, dict) or "type" not in event:
        return api_error_event("Bedrock sent a stream chunk that is not an Anthropic event")
    return event


class BedrockStreamTranslator:
    """Feed event-stream bytes in any split; get Anthropic events out (see StreamTranslator)."""

    def __init__(self) -> None:
        self._buffer = EventStreamBuffer()
        self._broken = False
        self._stopped = False

    def feed(self, chunk: bytes) -> list[Json]:
        if self._broken:
            return []
        self._buffer.add_data(chunk)
        events: list[Json] = []
        try:
            for message in self._buffer:
                events.append(self._event(message))
        except ParserError as error:
            self._broken = True
            events.append(api_error_event(f"Bedrock's event stream is corrupt: {error}"))
        self._stopped = self._stopped or any(e.get("type") == "message_stop" for e in events)
        return events

    def _event(self, message: EventStreamMessage) -> Json:
        headers = cast("dict[str, object]", message.headers)  # botocore-stubs say int
        kind = headers.get(":message-type")
        if kind in ("exception", "error"):
            return _exception_event(message)
        return _chunk_event(message.payload)

    def finish(self) -> list[Json]:
        """An upstream that closed before `message_stop` ends with an error event."""
        if self._stopped or self._broken:
            return []
        return [api_error_event("Bedrock's stream ended before message_stop")]
