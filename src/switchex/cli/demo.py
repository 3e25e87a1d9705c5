"""`switchex demo`: the whole failover story on this machine, with fake providers, no keys."""

from __future__ import annotations

import logging

import click

from switchex.cli.options import state_dir_option
from switchex.cli.up import ensure_state_dir, port_free, serve, setup_logging
from switchex.config import Config, parse_config
from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from switchex.fakes.openai import FakeOpenAI

LOCAL_MODEL = "qwen2.5-coder:7b"


def demo_fakes(limit_after: int, reset: int) -> tuple[FakeAnthropic, FakeOpenAI]:
    """A fake Claude that answers `limit_after` requests, then is rate-limited for `reset`
    seconds (as a Pro/Max subscription is), and a fake local model behind it."""
    claude = FakeAnthropic(default=Reply(text="Fake Claude is back: switchex switched back."))
    claude.push(
        *(
            Reply(text=f"Hello from fake Claude ({n + 1}/{limit_after}).")
            for n in range(limit_after)
        )
    )
    claude.push(
        Reply(
            status=429,
            error_message="Claude usage limit reached",
            headers={"anthropic-ratelimit-unified-status": "rejected", "retry-after": str(reset)},
        )
    )
    local = FakeOpenAI(
        default=Reply(text=f"Hello from the fake local model ({LOCAL_MODEL}); Claude is cooling."),
        models=(LOCAL_MODEL,),
    )
    return claude, local


def demo_config(claude: FakeAnthropic, local: FakeOpenAI) -> Config:
    return parse_config(
        {
            "tiers": [
                {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
                {
                    "name": "local",
                    "provider": "openai",
                    "base_url": f"{local.base_url}/v1",
                    "models": {"default": LOCAL_MODEL},
                },
            ]
        },
        {},
        "switchex demo",
    )


@click.command("demo")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--limit-after",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="Requests fake Claude answers before its limit is reached.",
)
@click.option(
    "--reset",
    default=60,
    show_default=True,
    type=click.IntRange(1),
    help="Seconds until fake Claude's limit resets.",
)
@state_dir_option
def demo(port: int, limit_after: int, reset: int, state_dir: str | None) -> None:
    """Run the gateway over fake providers: watch a failover and the switch back, no keys.

    Fake Claude answers a few requests, then reports its usage limit; a fake local model
    serves meanwhile; after the reset, fake Claude serves again. Point Claude Code (or curl)
    at it and watch `switchex status`.
    """
    from switchex.runtime import build_app

    setup_logging(False)
    if not port_free("127.0.0.1", port):
        raise click.ClickException(f"127.0.0.1:{port} is already in use")
    claude, local = demo_fakes(limit_after, reset)
    claude.start()
    local.start()
    app = build_app(demo_config(claude, local), ensure_state_dir(state_dir))
    url = f"http://127.0.0.1:{port}"
    click.echo(
        f"switchex demo on {url}: fake Claude answers {limit_after} request(s), then its limit\n"
        f"is reached for {reset} s and a fake local model takes over; then Claude comes back.\n"
        f"  ANTHROPIC_BASE_URL={url} ANTHROPIC_API_KEY=demo claude -p 'hello'\n"
        f"  SWITCHEX_URL={url} switchex status      (or open {url}/ in a browser)\n"
    )
    logging.getLogger("switchex").info("demo chain: claude (fake) -> local (fake)")
    try:
        serve(app, "127.0.0.1", port)
    finally:
        claude.stop()
        local.stop()
