"""Anthropic SSE read back into events (for callers that want events, not bytes)."""

from __future__ import annotations

import orjson

from switchex.providers.base import Json
from switchex.providers.streaming import SSEDataTranslator, api_error_event


class AnthropicSSE(SSEDataTranslator):
    """Each `data:` payload of an Anthropic stream, parsed; the stream is already Anthropic's."""

    def _data(self, data: str) -> list[Json]:
        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError:
            return [api_error_event("the upstream stream held something that is not JSON")]
        return [event] if isinstance(event, dict) else []

    def finish(self) -> list[Json]:
        return self._rest()
