"""A tiny HTTP/1.1 client on a raw socket, for the processes Claude Code starts often.

`switchex hook` and `switchex statusline` run on every session start, prompt and refresh;
importing urllib.request/http.client (email, ssl) costs more than the whole exchange on
loopback. This speaks just enough HTTP: one request, `Connection: close`, a Content-Length or
chunked answer. https URLs (a remote gateway) go through urllib, imported only then.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping


def split_url(url: str) -> tuple[str, str, str, int, str]:
    """(scheme, netloc, host, port, path) of an http(s) URL (urllib.parse costs an import)."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ValueError(f"not a URL: {url}")
    netloc, slash, path = rest.partition("/")
    host, _, port = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if not host or (port and not port.isdigit()):
        host, port = netloc, ""
    default = 443 if scheme == "https" else 80
    return scheme, netloc, host.strip("[]"), int(port) if port else default, slash + path


def request(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 1.0,
) -> tuple[int, bytes]:
    """(status, body) of one request to `url` + `path`; OSError/ValueError when it fails."""
    scheme, netloc, host, port, prefix = split_url(url)
    if scheme == "https":
        return _via_urllib(url.rstrip("/") + path, method, body, headers or {}, timeout)
    if scheme != "http" or not host:
        raise ValueError(f"not an http URL: {url}")
    target = prefix.rstrip("/") + path
    head = [f"{method} {target} HTTP/1.1", f"Host: {netloc}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body is not None:
        head.append(f"Content-Length: {len(body)}")
    wire = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(wire)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return parse_response(b"".join(chunks))


def parse_response(raw: bytes) -> tuple[int, bytes]:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("incomplete HTTP answer")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return status, _dechunk(body)
    length = fields.get("content-length")
    return status, body[: int(length)] if length is not None else body


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)


def _via_urllib(
    url: str, method: str, body: bytes | None, headers: Mapping[str, str], timeout: float
) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    call = urllib.request.Request(url, body, dict(headers), method=method)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())
