"""What the SSE-speaking translators (openai, gemini) share: bytes in, `data:` payloads out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from switchex.sse import SSEParser

Json = dict[str, Any]


def api_error_event(message: str) -> Json:
    """An Anthropic stream `error` event of type api_error."""
    return {"type": "error", "error": {"type": "api_error", "message": message}}


class SSEDataTranslator:
    """Feeds raw stream bytes through an SSE parser and each `data:` payload to `_data`."""

    def __init__(self) -> None:
        self._parser = SSEParser()

    def feed(self, chunk: bytes) -> list[Json]:
        return self._each(self._parser.feed(chunk))

    def _rest(self) -> list[Json]:
        """Events for whatever the parser still held when the upstream closed."""
        return self._each(self._parser.finish())

    def _each(self, pairs: Iterable[tuple[str, str]]) -> list[Json]:
        events: list[Json] = []
        for _, data in pairs:
            events.extend(self._data(data))
        return events

    def _data(self, data: str) -> list[Json]:
        raise NotImplementedError
