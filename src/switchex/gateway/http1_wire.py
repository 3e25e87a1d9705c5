"""The bytes of a request, and the checks on an answer's head, for the HTTP/1.1 client."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from switchex.errors import SwitchableError
from switchex.gateway.http1_connect import DIRECT, Route
from switchex.gateway.http1_response import Response

_SET_HERE = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "transfer-encoding",
        "accept-encoding",
        "proxy-authorization",
    }
)


class Origin(NamedTuple):
    key: tuple[str, str, int]  # (scheme, host, port)
    host_header: str
    target: str  # path and query


@functools.lru_cache(maxsize=256)
def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {parts.scheme}://{parts.hostname}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.netloc.rpartition("@")[2]
    return Origin((parts.scheme, parts.hostname, port), host_header, target)


def encode_request(
    method: str, origin: Origin, headers: Mapping[str, str], body: bytes, route: Route = DIRECT
) -> bytes:
    """Request line, the caller's headers plus Host/Content-Length/Connection/Accept-Encoding
    (and, to an http origin through a proxy, the absolute form and Proxy-Authorization),
    and the body."""
    target, proxy, auth = origin.target, route.proxy, []
    if proxy is not None and origin.key[0] == "http":
        target = f"http://{origin.host_header}{target}"
        if proxy.authorization:
            auth = [f"proxy-authorization: {proxy.authorization}\r\n"]
    lines = [f"{method} {target} HTTP/1.1\r\n", f"host: {origin.host_header}\r\n", *auth]
    lines += [f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() not in _SET_HERE]
    lines.append(
        f"accept-encoding: identity\r\ncontent-length: {len(body)}\r\n"
        "connection: keep-alive\r\n\r\n"
    )
    head = "".join(lines)
    breaks = len(lines) + 3
    if head.count("\n") != breaks or head.count("\r") != breaks:
        raise ValueError("a request header holds a line break")
    try:
        return head.encode("latin-1") + body
    except UnicodeEncodeError:
        return head.encode() + body


def bad_response(response: Response, max_body: int) -> None:
    """Raise SwitchableError bad_response for an answer switchex must not relay as is."""
    status, headers = response.status, response.headers
    problem = ""
    if 300 <= status < 400:
        problem = f"redirected ({status}); check the tier's base_url"
    elif headers.get("content-encoding", "identity").strip().lower() not in ("identity", ""):
        problem = f"answered compressed ({headers['content-encoding']}) though asked not to"
    elif max_body and _length(headers.get("content-length", "")) > max_body:
        problem = f"announced an answer longer than {max_body} bytes"
    if problem:
        raise SwitchableError(502, f"{response.where} {problem}", reason="bad_response")


def _length(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0
