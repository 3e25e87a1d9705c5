"""The upstream HTTP/1.1 client against real loopback servers, on asyncio and on uvloop."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvloop
from aiohttp import web

from switchex.errors import SwitchableError
from switchex.gateway.http1 import Call, Pool, Response, UpstreamBroken

T = TypeVar("T")
Run = Callable[[Coroutine[Any, Any, T]], T]
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Iterator[Run[Any]]:
    factory = uvloop.new_event_loop if request.param == "uvloop" else asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        yield runner.run


class Wire:
    """A raw TCP server on loopback: `script` handles each connection with exact bytes."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.closed_by_client = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/messages?key=secret"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.script(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> Wire:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    found = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
    return head + await reader.readexactly(int(found.group(1)) if found else 0)


def serve(*answers: bytes, then_close: bool = False) -> Script:
    """Answer each request on a connection with the next of `answers`, in pieces split on |."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            await read_request(reader)
            for piece in answer.split(b"|"):
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.005)
        if not then_close:
            await reader.read()

    return script


def call(
    pool: Pool,
    url: str,
    body: bytes = b"{}",
    headers: Mapping[str, str] | None = None,
    first_byte: float = 5.0,
    total: float = 10.0,
) -> Call:
    headers = {"x-api-key": "k"} if headers is None else headers
    return pool.open(
        "POST",
        url,
        headers,
        body,
        connect_timeout=2,
        first_byte_timeout=first_byte,
        total_timeout=total,
    )


async def get(pool: Pool, url: str, body: bytes = b"{}", first_byte: float = 5.0) -> bytes:
    async with call(pool, url, body, first_byte=first_byte) as response:
        assert response.status == 200
        return await response.read()


CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhe|llo\r\n6|\r\n wor|ld\r\n0\r\n|\r\n"
)


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello| world",
        CHUNKED,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhel|lo world",  # ends at close
        b"HTTP/1.1 100 Continue\r\n\r\n|HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
    ],
    ids=["content-length", "chunked", "close-delimited", "interim-100"],
)
def test_bodies(run: Run[None], answer: bytes) -> None:
    async def scenario() -> None:
        close = b"Content-Length" not in answer and b"chunked" not in answer
        async with Wire(serve(answer, then_close=close)) as wire:
            pool = Pool()
            assert await get(pool, wire.url) == b"hello world"
            await pool.close()

    run(scenario())


def test_request_wire_bytes_and_headers(run: Run[None]) -> None:
    seen: list[bytes] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nX-Thing: a\r\nx-thing: b\r\nContent-Length: 0\r\n\r\n")
        await reader.read()

    async def scenario() -> None:
        async with Wire(script) as wire:
            pool = Pool()
            headers = {"X-Api-Key": "k", "Host": "evil", "content-length": "99"}
            async with call(pool, wire.url, b"{}", headers) as response:
                assert response.headers["X-THING"] == "b"
                assert dict(response.headers) == {"x-thing": "b", "content-length": "0"}
            await pool.close()
        assert seen == [
            b"POST /v1/messages?key=secret HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nX-Api-Key: k\r\n"
            b"accept-encoding: identity\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}"
            % wire.port
        ]

    run(scenario())


@pytest.mark.parametrize("server_drops", ["never", "while-idle", "while-idle-unseen"])
def test_keep_alive_and_a_stale_pooled_socket(run: Run[None], server_drops: str) -> None:
    """A pooled socket the server closed while idle is never written to: a fresh one serves,
    even when the loop has not yet seen the close (it is checked just before writing)."""
    requests: list[bytes] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            requests.append(await read_request(reader))
            writer.write(OK)
            if server_drops != "never":
                await writer.drain()
                return

    async def scenario() -> None:
        async with Wire(script) as wire:
            pool = Pool()
            assert await get(pool, wire.url, b"one") == b"ok"
            if server_drops == "while-idle-unseen":
                time.sleep(0.1)  # the FIN arrives while the loop is blocked
            else:
                await asyncio.sleep(0.05)
            assert await get(pool, wire.url, b"two") == b"ok"
            assert wire.connections == (1 if server_drops == "never" else 2)
            assert [r.endswith(b"one") for r in requests] == [True, False]
            await pool.close()

    run(scenario())


def test_a_request_that_was_sent_is_never_sent_again(run: Run[None]) -> None:
    """The server takes the request on a pooled connection and closes without answering:
    that is the tier's failure, not a reason to send the POST a second time."""
    requests: list[bytes] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await read_request(reader))
        writer.write(OK)
        requests.append(await read_request(reader))  # ... and hang up

    async def scenario() -> None:
        async with Wire(script) as wire:
            pool = Pool()
            assert await get(pool, wire.url, b"one") == b"ok"
            with pytest.raises(SwitchableError) as caught:
                await get(pool, wire.url, b"two")
            assert (caught.value.status, caught.value.reason) == (502, "server_error")
            assert "closed without answering" in caught.value.message
            await asyncio.sleep(0.05)
            assert wire.connections == 1
            assert [r[-3:] for r in requests] == [b"one", b"two"]
            await pool.close()

    run(scenario())


def test_connect_refused_names_no_query(run: Run[None]) -> None:
    async def scenario() -> None:
        async with Wire(serve()) as wire:
            url = wire.url
        pool = Pool()
        began = time.monotonic()
        with pytest.raises(SwitchableError) as caught:
            await get(pool, url)
        assert time.monotonic() - began < 1
        assert (caught.value.status, caught.value.reason) == (502, "connect_error")
        assert "secret" not in caught.value.message and "127.0.0.1" in caught.value.message
        await pool.close()

    run(scenario())


def test_no_headers_in_time(run: Run[None]) -> None:
    async def scenario() -> None:
        async with Wire(serve()) as wire:
            pool = Pool()
            with pytest.raises(SwitchableError) as caught:
                await get(pool, wire.url, first_byte=0.2)
            assert (caught.value.status, caught.value.reason) == (504, "timeout")
            await pool.close()

    run(scenario())


async def read_all(response: Response, into: list[bytes]) -> None:
    while chunk := await response.readany():
        into.append(chunk)


@pytest.mark.parametrize(
    "answer",
    [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", CHUNKED.split(b"6|")[0]],
    ids=["content-length", "chunked"],
)
def test_server_dies_mid_body(run: Run[None], answer: bytes) -> None:
    async def scenario() -> None:
        async with Wire(serve(answer, then_close=True)) as wire:
            pool = Pool()
            got: list[bytes] = []
            async with call(pool, wire.url) as response:
                with pytest.raises(UpstreamBroken):
                    await read_all(response, got)
            assert b"".join(got) in (b"partial", b"hello")
            await pool.close()

    run(scenario())


def test_total_timeout_while_reading(run: Run[None]) -> None:
    async def scenario() -> None:
        async with Wire(serve(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nslow")) as wire:
            pool = Pool()
            async with call(pool, wire.url, total=0.3) as response:
                assert await response.readany() == b"slow"
                with pytest.raises(TimeoutError):
                    await response.readany()
            await pool.close()

    run(scenario())


def test_leaving_early_closes_the_connection(run: Run[None]) -> None:
    gone = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart")
        try:
            await reader.read()
        finally:
            gone.set()

    async def scenario() -> None:
        async with Wire(script) as wire:
            pool = Pool()
            async with call(pool, wire.url) as response:
                assert await response.readany() == b"start"
            await asyncio.wait_for(gone.wait(), 2)
            await pool.close()

    run(scenario())


@asynccontextmanager
async def echo_server(context: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """An aiohttp server that answers each POST with its body (after a short pause)."""

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        await asyncio.sleep(0.01)
        return web.Response(body=body)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"{'https' if context else 'http'}://127.0.0.1:{port}/echo"
    finally:
        await runner.cleanup()


def test_concurrent_requests_get_their_own_bodies(run: Run[None]) -> None:
    async def scenario() -> None:
        async with echo_server() as url:
            pool = Pool()
            bodies = [f"request {i} ".encode() * (i + 1) for i in range(100)]
            answers = await asyncio.gather(*(get(pool, url, body) for body in bodies))
            assert answers == bodies
            assert await get(pool, url, b"again") == b"again"  # connections were pooled
            await pool.close()

    run(scenario())


def test_large_body_round_trip(run: Run[None]) -> None:
    async def scenario() -> None:
        async with echo_server() as url:
            pool = Pool()
            body = bytes(range(256)) * (10 * 4096)
            assert await get(pool, url, body) == body
            await pool.close()

    run(scenario())


def test_a_slow_reader_holds_the_server_back(run: Run[None]) -> None:
    size = 48 * 1024 * 1024
    sent = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + bytes(size))
        await writer.drain()
        sent.set()
        await reader.read()

    async def scenario() -> None:
        async with Wire(script) as wire:
            pool = Pool()
            async with call(pool, wire.url) as response:
                await asyncio.sleep(0.3)
                assert not sent.is_set()  # the client stopped reading its socket
                got: list[bytes] = []
                await read_all(response, got)
                assert sum(map(len, got)) == size
            await pool.close()

    run(scenario())


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:  # CI must run this test: there it fails instead
        (pytest.fail if os.environ.get("CI") else pytest.skip)("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_round_trip(run: Run[None], certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)

    async def scenario() -> None:
        async with echo_server(server) as url:
            pool = Pool(ssl_context=ssl.create_default_context(cafile=str(cert)))
            assert await get(pool, url, b"over tls") == b"over tls"
            assert await get(pool, url, b"again") == b"again"
            await pool.close()
            untrusting = Pool()
            with pytest.raises(SwitchableError, match="SSLCertVerificationError"):
                await get(untrusting, url)
            await untrusting.close()

    run(scenario())


def sse_answer(lines: list[bytes]) -> bytes:
    body = b"".join(b"data: " + line + b"\n\n" for line in lines)
    pieces = [body[i : i + 700] for i in range(0, len(body), 700)]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
    return head + b"\r\n" + chunks.replace(b"\r\n", b"\r\n|") + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([b"a" * 900] * 20, None),  # many lines, each under the cap: far more than it in all
        ([b"a" * 100, b"b" * 5000, b"c"], "sent an SSE line longer than 1000 bytes"),
    ],
    ids=["short-lines", "one-long-line"],
)
def test_sse_line_cap(run: Run[None], lines: list[bytes], error: str | None) -> None:
    async def scenario() -> None:
        async with Wire(serve(sse_answer(lines))) as wire:
            pool = Pool(max_line=1000, max_body=1000)  # the body cap is not for streams
            got: list[bytes] = []
            async with call(pool, wire.url) as response:
                if error is None:
                    await read_all(response, got)
                    assert b"".join(got).count(b"\n\n") == len(lines)
                else:
                    with pytest.raises(UpstreamBroken, match=error):
                        await read_all(response, got)
                    assert sum(map(len, got)) < 2000
            await pool.close()

    run(scenario())


def test_body_cap_without_a_length(run: Run[None]) -> None:
    answer = CHUNKED.replace(b"5\r\nhe|llo", b"5\r\nhe|llo\r\n400\r\n" + b"x" * 1024)

    async def scenario() -> None:
        async with Wire(serve(answer)) as wire:
            pool = Pool(max_body=1000)
            async with call(pool, wire.url) as response:
                with pytest.raises(UpstreamBroken, match="answer longer than 1000 bytes"):
                    await response.read()
            await pool.close()

    run(scenario())
