"""Inbound limits at the protocol (issue 9, item 6): heads, headers, slow clients, big bodies."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from tests.client import message, post
from tests.gateway.test_messages import journal_rows
from tests.helpers import GatewayServer, make_config, serve

LIMITS = {
    "request_body_bytes": 100_000,
    "header_timeout": 0.5,
    "body_idle_timeout": 0.5,
    "body_timeout": 1.5,
}


@pytest.fixture
def gateway(tmp_path: Path, claude: FakeAnthropic) -> Iterator[GatewayServer]:
    tiers = [{"name": "t1", "provider": "anthropic", "base_url": claude.base_url}]
    server = serve(make_config(tiers, limits=LIMITS), tmp_path / "state")
    yield server
    server.stop()


def connect(server: GatewayServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def answer_of(sock: socket.socket) -> tuple[int, dict[str, object]]:
    """Status and JSON body of the one answer on `sock`, read until the server closes."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    assert b"content-type: application/json" in head.lower()
    return status, json.loads(body)


def head(server: GatewayServer, method: str = "GET", path: str = "/health") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{server.port}\r\n".encode()


def test_a_one_megabyte_header_is_refused_with_431(gateway: GatewayServer) -> None:
    with connect(gateway) as sock:
        sock.sendall(head(gateway) + b"x-big: " + b"a" * 1024 * 1024 + b"\r\n\r\n")
        status, body = answer_of(sock)
    assert status == 431 and body["type"] == "error"


def test_ten_thousand_headers_are_refused_with_431(gateway: GatewayServer) -> None:
    many = b"".join(b"x-h%d: 1\r\n" % i for i in range(10_000))
    with connect(gateway) as sock:
        sock.sendall(head(gateway) + many + b"\r\n")
        status, body = answer_of(sock)
    assert status == 431 and "headers" in str(body["error"])


def test_malformed_http_gets_an_anthropic_shaped_400(gateway: GatewayServer) -> None:
    with connect(gateway) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nbad header line\r\n\r\n")
        status, body = answer_of(sock)
    assert status == 400 and body["error"]["type"] == "invalid_request_error"  # type: ignore[index]


def test_twenty_slow_loris_connections_are_cut_and_the_gateway_still_serves(
    gateway: GatewayServer,
) -> None:
    began = time.monotonic()
    socks = [connect(gateway) for _ in range(20)]
    for sock in socks:
        sock.sendall(head(gateway))  # a head that never ends
    for sock in socks[:10]:
        time.sleep(0.02)
        sock.sendall(b"x-a: 1\r\n")  # trickling bytes do not extend the deadline
    statuses = []
    for sock in socks:
        statuses.append(answer_of(sock)[0])
        sock.close()
    assert statuses == [408] * 20
    assert time.monotonic() - began < 3
    assert post(f"{gateway.url}/v1/messages", message()).status == 200


def test_an_idle_connection_is_closed_without_an_answer(gateway: GatewayServer) -> None:
    with connect(gateway) as sock:
        assert sock.recv(100) == b""


def test_a_body_that_stalls_or_trickles_is_cut_off_with_408(gateway: GatewayServer) -> None:
    with connect(gateway) as stalled, connect(gateway) as trickle:
        for sock in (stalled, trickle):
            request = head(gateway, "POST", "/v1/messages")
            sock.sendall(
                request + b"content-type: application/json\r\ncontent-length: 100\r\n\r\n{"
            )
        began = time.monotonic()
        while time.monotonic() - began < 2.5:
            try:
                trickle.sendall(b" ")
            except OSError:
                break
            time.sleep(0.2)
        assert answer_of(stalled)[0] == 408
        assert answer_of(trickle)[0] == 408
    assert time.monotonic() - began < 2.5


def test_a_body_over_the_configured_cap_is_413_and_journaled(
    gateway: GatewayServer, claude: FakeAnthropic, tmp_path: Path
) -> None:
    big = message("x" * 200_000)
    answer = post(f"{gateway.url}/v1/messages", big)
    assert answer.status == 413 and answer.json()["error"]["type"] == "request_too_large"
    with connect(gateway) as sock:  # chunked: no length up front, counted as it arrives
        sock.sendall(
            head(gateway, "POST", "/v1/messages")
            + b"content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            + b"".join(b"8000\r\n" + b"x" * 0x8000 + b"\r\n" for _ in range(4))
        )
        assert answer_of(sock)[0] == 413
    assert claude.model_requests() == []
    rows = journal_rows(tmp_path, "refusals", at_least=2)
    assert [(r["status"], r["error_type"]) for r in rows[:2]] == [(413, "request_too_large")] * 2
