"""Small raw-ASGI helpers for the hot path: read a body, answer JSON or an error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any

import orjson

from switchex.errors import RequestError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# A backstop only: the HTTP protocol (gateway/server.py) enforces `limits.request_body_bytes`
# (default 32 MB, Anthropic's own limit) before a body reaches the app.
MAX_BODY = 256 * 1024 * 1024


class ClientGone(Exception):
    """The client disconnected."""


def request_headers(scope: Scope) -> dict[str, str]:
    """Headers with lower-case names (the last value wins; ASGI already lower-cases them)."""
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}


async def read_body(receive: Receive, limit: int = MAX_BODY) -> bytes:
    """The whole request body; RequestError 413 past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestError(
                f"request body is larger than the {limit // (1024 * 1024)} MB limit",
                413,
                "request_too_large",
            )
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _header_list(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[list[bytes]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [[k.encode("latin-1"), v.encode("latin-1")] for k, v in items]


async def start(send: Send, status: int, headers: Mapping[str, str]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _header_list(headers)})


async def respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> None:
    """A complete response in one go."""
    all_headers = {"content-type": content_type, **(headers or {})}
    all_headers["content-length"] = str(len(body))
    await start(send, status, all_headers)
    await send({"type": "http.response.body", "body": body})


async def respond_json(send: Send, status: int, value: Any) -> None:
    await respond(send, status, orjson.dumps(value))


async def respond_error(send: Send, error: RequestError) -> None:
    await respond(send, error.status, error.body())
