from __future__ import annotations

import pytest

from switchex.minihttp import parse_response, request, split_url
from tests.recorder import Recorder


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("http://127.0.0.1:8000", ("http", "127.0.0.1:8000", "127.0.0.1", 8000, "")),
        ("http://localhost/gw/", ("http", "localhost", "localhost", 80, "/gw/")),
        ("http://[::1]:9/x", ("http", "[::1]:9", "::1", 9, "/x")),
        ("https://example.com", ("https", "example.com", "example.com", 443, "")),
    ],
)
def test_split_url(url: str, parts: tuple[str, str, str, int, str]) -> None:
    assert split_url(url) == parts


def test_not_a_url() -> None:
    with pytest.raises(ValueError):
        split_url("127.0.0.1:8000")


def test_parse_response_content_length_and_chunked() -> None:
    assert parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiXX") == (200, b"hi")
    head = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked = head + b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    assert parse_response(chunked) == (201, b"abcde")
    with pytest.raises(ValueError):
        parse_response(b"HTTP/1.1 200 OK\r\n")


def test_request_round_trip() -> None:
    with Recorder({"active": "x"}) as server:
        assert request(server.url, "GET", "/status") == (200, b'{"active": "x"}')
        status, _ = request(server.url + "/", "POST", "/hook/Stop", b"{}", {"X-A": "1"})
    assert status == 200
    method, path, headers, body = server.requests[1]
    assert (method, path, headers["X-A"], body) == ("POST", "/hook/Stop", "1", b"{}")
