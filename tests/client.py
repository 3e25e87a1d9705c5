"""A plain HTTP client for tests (the standard library's, so nothing of ours is in the way)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def events(self) -> list[dict[str, Any]]:
        """The SSE events' data, parsed."""
        return [
            json.loads(line[6:])
            for line in self.body.decode().splitlines()
            if line.startswith("data: ")
        ]


def post(url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 30) -> Answer:
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    all_headers = {
        "content-type": "application/json",
        "x-api-key": "client-key",
        "anthropic-version": "2023-06-01",
        **(headers or {}),
    }
    connection.request("POST", parsed.path or "/", data, all_headers)
    response = connection.getresponse()
    answer = Answer(
        response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    )
    connection.close()
    return answer


def get(url: str, timeout: float = 10) -> Answer:
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    connection.request("GET", parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    response = connection.getresponse()
    answer = Answer(
        response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    )
    connection.close()
    return answer


def message(
    text: str = "hello", stream: bool = False, model: str = "claude-sonnet-4-5", **extra: Any
) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 256,
        "stream": stream,
        "messages": [{"role": "user", "content": text}],
        **extra,
    }
