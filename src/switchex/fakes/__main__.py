"""`python -m switchex.fakes KIND [--port N] [--script FILE] [--api-key KEY]`: run a fake."""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import sys
from pathlib import Path

from switchex.fakes.base import FakeServer, Reply


def make(kind: str, api_key: str | None) -> FakeServer:
    if kind == "anthropic":
        from switchex.fakes.anthropic import FakeAnthropic

        return FakeAnthropic(api_key=api_key)
    if kind == "openai":
        from switchex.fakes.openai import FakeOpenAI

        return FakeOpenAI(api_key=api_key)
    if kind == "vertex":
        from switchex.fakes.vertex import FakeVertex

        return FakeVertex()
    if kind == "bedrock":
        from switchex.fakes.bedrock import FakeBedrock

        return FakeBedrock()
    from switchex.fakes.gemini import FakeGemini

    return FakeGemini(api_key=api_key)


async def run(fake: FakeServer, port: int) -> None:
    await fake.serve(port)
    print(f"fake {fake.name} on {fake.base_url}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m switchex.fakes", description=__doc__)
    parser.add_argument("kind", choices=["anthropic", "openai", "gemini", "vertex", "bedrock"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", type=Path, help="JSON list of replies to answer in order")
    parser.add_argument("--default-text", help="the answer once the script is used up")
    parser.add_argument("--api-key", help="require this key")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https")
    args = parser.parse_args(argv)
    fake = make(args.kind, args.api_key)
    if args.tls:
        fake.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        fake.tls.load_cert_chain(*args.tls)
    if args.default_text is not None:
        fake.default = Reply(text=args.default_text)
    if args.script:
        for item in json.loads(args.script.read_text()):
            fake.push(Reply.from_json(item))
    try:
        import uvloop

        uvloop.run(run(fake, args.port))
    except ImportError:
        asyncio.run(run(fake, args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
