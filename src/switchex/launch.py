"""`switchex claude [ARGS…]`: Claude Code through the gateway, for that one process.

Nothing in the user's settings changes: the gateway is started if it is not up (the same
start as the SessionStart hook), then `claude` replaces this process with
ANTHROPIC_BASE_URL pointing at the gateway, so every argument, the terminal, signals and the
exit status are Claude Code's own.
"""

from __future__ import annotations

import os
import shutil
import sys

from switchex import autostart, daemon

DEFAULT_URL = "http://127.0.0.1:8000"


def claude_binary() -> str | None:
    """$SWITCHEX_CLAUDE, else `claude` on PATH."""
    named = os.environ.get("SWITCHEX_CLAUDE")
    if named:
        return shutil.which(named) or (named if os.path.isfile(named) else None)
    return shutil.which("claude")


def run_claude(args: list[str]) -> int:  # returns only when it could not exec claude
    """Start (if needed) the gateway at $SWITCHEX_URL, then exec Claude Code with `args`."""
    binary = claude_binary()
    if binary is None:
        print(
            "switchex: Claude Code CLI not found (looked for $SWITCHEX_CLAUDE, then `claude` "
            "on PATH); install it: npm install -g @anthropic-ai/claude-code",
            file=sys.stderr,
        )
        return 127
    url = (os.environ.get("SWITCHEX_URL") or DEFAULT_URL).rstrip("/")
    state_dir = daemon.resolve_state_dir(None)
    outcome = autostart.ensure_up(url, daemon.resolve_config(None), state_dir, "auto-started")
    if outcome.problem:
        print(outcome.problem, file=sys.stderr)
        return 1
    env = {**os.environ, "ANTHROPIC_BASE_URL": url}
    sys.stdout.flush()
    try:
        os.execve(binary, [binary, *args], env)
    except OSError as error:
        print(f"switchex: cannot run {binary}: {error}", file=sys.stderr)
    return 126
