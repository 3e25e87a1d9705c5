"""A forward proxy on loopback, for tests and benchmarks: `python -m switchex.fakes.proxy`.

Speaks what corporate proxies speak: `CONNECT host:port` (a byte tunnel; TLS stays end to
end) and absolute-form requests for http origins (`POST http://host:port/path`), piped to
the origin. With `credentials` set, anything without the matching
`Proxy-Authorization: Basic …` gets 407. Every host name is resolved through `hosts` first,
so a test can reach a loopback server under a name that is not loopback.
Counts what it did: `tunnels`, `forwarded`, `refused`; `lines` keeps each first line.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
from collections.abc import Mapping


class FakeProxy:
    def __init__(self, credentials: str | None = None, hosts: Mapping[str, str] | None = None):
        self.credentials = credentials  # "user:password"
        self.hosts = dict(hosts or {})
        self.tunnels = 0
        self.forwarded = 0
        self.refused = 0
        self.lines: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        auth = f"{self.credentials}@" if self.credentials else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    async def start(self) -> FakeProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening and cut every connection, client side and upstream side."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for writer in list(self._writers):
            writer.close()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)
        await asyncio.sleep(0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            await self._serve(head, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.close()

    async def _serve(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.lines.append(line)
        method, target, _ = line.split(" ", 2)
        if not self._authorized(head):
            self.refused += 1
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await self._open(host, int(port))
            self.tunnels += 1
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await self._pipe(reader, writer, upstream, b"")
        elif target.startswith("http://"):
            host, _, port = target[7:].split("/", 1)[0].partition(":")
            upstream = await self._open(host, int(port or 80))
            self.forwarded += 1
            await self._pipe(reader, writer, upstream, head)
        else:
            writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")

    def _authorized(self, head: bytes) -> bool:
        if self.credentials is None:
            return True
        token = base64.b64encode(self.credentials.encode()).decode()
        return f"proxy-authorization: basic {token}".lower().encode() in head.lower()

    async def _open(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.hosts.get(host, host), port)

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        first: bytes,
    ) -> None:
        up_reader, up_writer = upstream
        self._writers.add(up_writer)
        up_writer.write(first)

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(256 * 1024):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        try:
            await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
        finally:
            self._writers.discard(up_writer)
            up_writer.close()


async def _run(port: int, credentials: str | None) -> None:
    proxy = FakeProxy(credentials)
    server = await asyncio.start_server(proxy._handle, "127.0.0.1", port)
    proxy.port = server.sockets[0].getsockname()[1]
    print(f"fake proxy on http://127.0.0.1:{proxy.port}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m switchex.fakes.proxy", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--credentials", help="require user:password")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args.port, args.credentials))


if __name__ == "__main__":
    main()
