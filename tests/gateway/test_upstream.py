"""The transport as a tier uses it: proxies (CONNECT, absolute form, auth, NO_PROXY), custom
CAs, answers it must refuse, on asyncio and on uvloop, against loopback servers only."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest
import uvloop
from aiohttp import web

from switchex.config import TierConfig
from switchex.errors import SwitchableError
from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.certs import Certs, make_certs
from switchex.fakes.proxy import FakeProxy
from switchex.gateway.app import App, create_gateway
from switchex.gateway.tls import tls_context
from switchex.gateway.upstream import HTTP1Transport, Transport, open_call
from switchex.providers.base import UpstreamCall
from tests import client
from tests.helpers import make_config, serve

T = TypeVar("T")
Run = Callable[[Coroutine[Any, Any, T]], T]
NAME = "upstream.invalid"  # not loopback, not resolvable: reachable only through the proxy


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Iterator[Run[Any]]:
    factory = uvloop.new_event_loop if request.param == "uvloop" else asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        yield runner.run


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("ca"), ("127.0.0.1", NAME))


@pytest.fixture(autouse=True)
def no_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@asynccontextmanager
async def echo(certs: Certs | None = None) -> AsyncIterator[int]:
    """An aiohttp server (https with `certs`) answering each POST with its body; the port."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_post("/echo", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    context = certs.server_context() if certs else None
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


def tier(url: str, **settings: Any) -> TierConfig:
    return TierConfig(name="remote", provider="anthropic", base_url=url, **settings)


async def post(transport: Transport, url: str, settings: TierConfig, body: bytes) -> bytes:
    call = UpstreamCall("POST", url, {"content-type": "application/json"}, body, False)
    async with open_call(transport, call, settings) as response:
        assert response.status == 200
        return await response.read()


@asynccontextmanager
async def proxy(credentials: str | None = None) -> AsyncIterator[FakeProxy]:
    started = await FakeProxy(credentials, hosts={NAME: "127.0.0.1"}).start()
    try:
        yield started
    finally:
        await started.close()


def test_https_through_a_connect_tunnel_trusting_the_tiers_ca(run: Run[None], certs: Certs) -> None:
    async def scenario() -> None:
        async with echo(certs) as port, proxy() as fake:
            url = f"https://{NAME}:{port}/echo"
            settings = tier(url, proxy=fake.url, ca_bundle=str(certs.ca))
            transport = HTTP1Transport()
            assert await post(transport, url, settings, b"one") == b"one"
            assert await post(transport, url, settings, b"two") == b"two"
            assert fake.tunnels == 1  # the tunnel stays pooled
            assert fake.lines == [f"CONNECT {NAME}:{port} HTTP/1.1"]
            untrusting = tier(url, proxy=fake.url)  # the OS store does not know the CA
            with pytest.raises(SwitchableError) as caught:
                await post(transport, url, untrusting, b"three")
            assert caught.value.reason == "connect_error"
            assert "SSLCertVerificationError" in caught.value.message
            assert f"via proxy 127.0.0.1:{fake.port}" in caught.value.message
            await transport.close()

    run(scenario())


def test_environment_proxy_no_proxy_and_loopback(
    run: Run[None], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        async with echo(certs) as port, proxy() as fake:
            monkeypatch.setenv("https_proxy", fake.url)
            url = f"https://{NAME}:{port}/echo"
            settings = tier(url, ca_bundle=str(certs.ca))
            transport = HTTP1Transport()
            assert await post(transport, url, settings, b"via env") == b"via env"
            assert fake.tunnels == 1
            loopback = f"https://127.0.0.1:{port}/echo"
            assert await post(transport, loopback, tier(loopback, ca_bundle=str(certs.ca)), b"x")
            assert fake.tunnels == 1  # loopback never goes through the environment's proxy
            monkeypatch.setenv("NO_PROXY", f".example.com,{NAME}")
            bypassing = HTTP1Transport()
            with pytest.raises(SwitchableError) as caught:  # direct: the name does not resolve
                await post(bypassing, url, settings, b"direct")
            assert caught.value.reason == "connect_error" and "via proxy" not in str(caught.value)
            assert fake.tunnels == 1
            not_here = tier(url, ca_bundle=str(certs.ca), proxy="none")
            with pytest.raises(SwitchableError):
                await post(HTTP1Transport(), url, not_here, b"direct")
            assert fake.tunnels == 1
            await transport.close()

    run(scenario())


def test_proxy_credentials(run: Run[None], certs: Certs) -> None:
    async def scenario() -> None:
        async with echo(certs) as port, echo() as plain, proxy("me:p@ss") as fake:
            url = f"https://{NAME}:{port}/echo"
            wrong = f"http://me:nope@127.0.0.1:{fake.port}"
            transport = HTTP1Transport()
            with pytest.raises(SwitchableError) as caught:
                await post(transport, url, tier(url, proxy=wrong, ca_bundle=str(certs.ca)), b"")
            assert "answered 407 to CONNECT" in caught.value.message
            assert "nope" not in caught.value.message
            right = f"http://me:p%40ss@127.0.0.1:{fake.port}"
            settings = tier(url, proxy=right, ca_bundle=str(certs.ca))
            assert await post(transport, url, settings, b"tunnel") == b"tunnel"
            http_url = f"http://127.0.0.1:{plain}/echo"  # explicit proxy: even for loopback
            assert (
                await post(transport, http_url, tier(http_url, proxy=right), b"plain") == b"plain"
            )
            assert (fake.refused, fake.tunnels, fake.forwarded) == (1, 1, 1)
            assert fake.lines[-1] == f"POST http://127.0.0.1:{plain}/echo HTTP/1.1"
            await transport.close()

    run(scenario())


@asynccontextmanager
async def answering(answer: bytes, seen: list[bytes]) -> AsyncIterator[str]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1/messages"
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 4\r\n\r\n"
            b"\x1f\x8b\x08\x00",
            "answered compressed (gzip)",
        ),
        (
            b"HTTP/1.1 307 Temporary Redirect\r\nlocation: https://elsewhere/\r\n"
            b"content-length: 0\r\n\r\n",
            "redirected (307)",
        ),
        (
            b"HTTP/1.1 200 OK\r\ncontent-length: 999999999\r\n\r\n{",
            "announced an answer longer than",
        ),
    ],
    ids=["compressed", "redirect", "too-long"],
)
def test_answers_that_fail_the_tier(run: Run[None], answer: bytes, words: str) -> None:
    async def scenario() -> None:
        seen: list[bytes] = []
        async with answering(answer, seen) as url:
            transport = HTTP1Transport()
            headers = {"accept-encoding": "gzip, br"}
            call = UpstreamCall("POST", url, headers, b"{}", False)
            with pytest.raises(SwitchableError) as caught:
                async with open_call(transport, call, tier(url)):
                    pass
            assert (caught.value.status, caught.value.reason) == (502, "bad_response")
            assert words in caught.value.message
            assert b"accept-encoding: identity\r\n" in seen[0]
            assert b"gzip" not in seen[0]
            await transport.close()

    run(scenario())


def test_verify_false_connects_and_warns(
    run: Run[None], certs: Certs, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with echo(certs) as port:
            url = f"https://127.0.0.1:{port}/echo"
            transport = HTTP1Transport()
            with caplog.at_level(logging.WARNING, "switchex.gateway"):
                assert await post(transport, url, tier(url, verify=False), b"unchecked")
            assert "NOT verified" in caplog.text
            with pytest.raises(SwitchableError, match="SSLCertVerificationError"):
                await post(transport, url, tier(url), b"checked")
            await transport.close()

    run(scenario())


def test_ssl_cert_file_is_the_default_trust(
    run: Run[None], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca))

    async def scenario() -> None:
        async with echo(certs) as port:
            url = f"https://127.0.0.1:{port}/echo"
            transport = HTTP1Transport()
            assert await post(transport, url, tier(url), b"trusted") == b"trusted"
            await transport.close()

    run(scenario())


def test_tier_settings_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="only http://"):
        tier("https://x", proxy="socks5://127.0.0.1:1080")
    with pytest.raises(ValueError, match="cannot load CA certificates"):
        tier("https://x", ca_bundle=str(tmp_path / "missing.pem"))
    assert tier("https://x", proxy="").proxy == ""


class CannedResponse:
    """An UpstreamResponse with a fixed answer."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self._body = status, headers, body

    async def readany(self) -> bytes:
        body, self._body = self._body, b""
        return body

    async def read(self) -> bytes:
        return await self.readany()


class FakeTransport:
    """A Transport without sockets: records the calls, answers each with `answer`."""

    def __init__(self, answer: CannedResponse) -> None:
        self.answer = answer
        self.calls: list[tuple[UpstreamCall, str]] = []
        self.closed = False

    @asynccontextmanager
    async def _opened(self) -> AsyncIterator[CannedResponse]:
        yield self.answer

    def open(self, call: UpstreamCall, tier: TierConfig) -> AbstractAsyncContextManager[Any]:
        self.calls.append((call, tier.name))
        return self._opened()

    async def close(self) -> None:
        self.closed = True


async def test_the_gateway_serves_through_an_injected_transport() -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [{"type": "text", "text": "from the fake transport"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    fake = FakeTransport(
        CannedResponse(200, {"content-type": "application/json"}, orjson.dumps(message))
    )
    transport: Transport = fake  # the protocol is all the gateway needs
    tiers = [{"name": "only", "provider": "anthropic", "base_url": "https://api.invalid"}]
    app = App(create_gateway(make_config(tiers), None, transport=transport))
    body = orjson.dumps(
        {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    )
    sent: list[dict[str, Any]] = []
    inbox = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if inbox:
            return inbox.pop()
        await asyncio.Event().wait()
        raise AssertionError

    async def send(event: dict[str, Any]) -> None:
        sent.append(event)

    headers = [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json")]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/messages",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 200
    assert orjson.loads(sent[1]["body"])["content"][0]["text"] == "from the fake transport"
    assert [(call.url, name) for call, name in fake.calls] == [
        ("https://api.invalid/v1/messages", "only")
    ]
    await app.close()
    assert fake.closed


def test_tls_contexts_and_routes_are_built_once_per_setting(certs: Certs) -> None:
    transport = HTTP1Transport()
    url = "https://api.example.com/v1/messages"
    custom = tier(url, ca_bundle=str(certs.ca))
    first = transport.route(url, custom)
    assert transport.route(url, custom) is first
    assert transport.route(url, tier(url, ca_bundle=str(certs.ca))).tls is first.tls
    assert transport.route(url, tier(url)).tls is None  # the pool's default (OS store)
    assert tls_context(str(certs.ca)) is first.tls
    unchecked = tls_context(verify=False)
    assert unchecked is tls_context(verify=False) and unchecked.verify_mode == ssl.CERT_NONE


OVERSIZED = {
    "sse-line": b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"
    b"event: message_start\ndata: " + b"x" * 5000,
    "declared-body": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"content-length: 5000\r\n\r\n" + b"x" * 5000,
    "chunked-body": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"transfer-encoding: chunked\r\n\r\n" + (b"100\r\n" + b"x" * 256 + b"\r\n") * 20,
}


@pytest.mark.parametrize("kind", list(OVERSIZED))
async def test_a_breached_cap_fails_that_tier_and_the_next_one_serves(
    kind: str, claude: FakeAnthropic, tmp_path: Path
) -> None:
    answer = OVERSIZED[kind]  # chunked-body: the cap trips mid-body, after 4 chunks

    async def oversized(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            await writer.drain()
            await reader.read()  # hold the connection: only the cap can end this answer
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(oversized, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tiers = [
        {"name": "big", "provider": "anthropic", "base_url": f"http://127.0.0.1:{port}"},
        {"name": "next", "provider": "anthropic", "base_url": claude.base_url},
    ]
    limits = {"sse_line_bytes": 1000, "upstream_body_bytes": 1000}
    gateway = serve(make_config(tiers, limits=limits), None)
    try:
        stream = kind == "sse-line"
        body = client.message(stream=stream)
        url = f"{gateway.url}/v1/messages"
        answer_ = await asyncio.to_thread(client.post, url, body, None, 10)
        assert answer_.status == 200
        assert answer_.headers["x-switchex-tier"] == "next"
        state = gateway.gateway.router.states["big"]
        assert state.reason == ("server_error" if kind != "declared-body" else "bad_response")
    finally:
        gateway.stop()
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("where", ["tier", "environment"])
async def test_the_gateway_streams_from_an_https_tier_through_a_proxy(
    where: str, certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeAnthropic()
    fake.tls = certs.server_context()
    fake.start()
    async with proxy("me:pw") as tunnel:
        settings: dict[str, Any] = {"ca_bundle": str(certs.ca)}
        if where == "tier":
            settings["proxy"] = tunnel.url
        else:
            monkeypatch.setenv("HTTPS_PROXY", tunnel.url)
        tiers = [
            {
                "name": "remote",
                "provider": "anthropic",
                "base_url": f"https://{NAME}:{fake.port}",
                **settings,
            }
        ]
        gateway = serve(make_config(tiers), None)
        try:
            url = f"{gateway.url}/v1/messages"
            for text in ("first", "second"):
                body = client.message(text, stream=True)
                answer = await asyncio.to_thread(client.post, url, body, None, 10)
                assert answer.status == 200, answer.body
                assert answer.events()[-1]["type"] == "message_stop"
        finally:
            gateway.stop()
            await tunnel.close()  # before the fake: its TLS connections then end cleanly
            fake.stop()
        assert (tunnel.tunnels, tunnel.refused) == (1, 0)
        assert tunnel.lines == [f"CONNECT {NAME}:{fake.port} HTTP/1.1"]
        assert len(fake.model_requests()) == 2
