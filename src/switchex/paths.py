"""Where the state dir is, with `os` only (the hook process cannot afford pathlib/platformdirs)."""

from __future__ import annotations

import os
import sys


def default_state_dir() -> str:
    """platformdirs' user_state_dir("switchex") (Linux and macOS; platformdirs elsewhere)."""
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Application Support/switchex")
    if sys.platform.startswith("win"):
        from platformdirs import user_state_dir

        return user_state_dir("switchex", appauthor=False)
    xdg = os.environ.get("XDG_STATE_HOME", "").strip()
    return os.path.join(xdg or os.path.expanduser("~/.local/state"), "switchex")


def state_dir(explicit: str | None) -> str:
    """--state-dir, else SWITCHEX_STATE_DIR, else the platform's state directory."""
    named = explicit or os.environ.get("SWITCHEX_STATE_DIR")
    return os.path.expanduser(named) if named else default_state_dir()
