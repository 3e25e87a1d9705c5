"""Clean/smudge/process filters: honoured only where the user's own config defines them.

A repository's `.git/config` (or a file it includes) may name any command as a filter, and git
runs it on `add`, `hash-object`, `checkout-index`... To keep such a repository from running
commands as the gateway's user, every git call gets `-c` overrides:

- a filter key set by the repository (local, worktree scope) whose filter name the user's
  global or system config also defines is pinned back to the global/system value (so Git LFS
  keeps working and a repository cannot swap LFS's command for its own);
- a key the global/system config does not set is blanked (`required` becomes false): git
  treats an empty command as no filter.

The lookup is one `git config` read (it runs no command); its answer is cached per directory
for a couple of seconds, since a snapshot makes several calls in a row.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

TRUSTED_SCOPES = frozenset({"global", "system", "command"})
CACHE_SECONDS = 2.0
_VARS = ("clean", "smudge", "process", "required")

_cache: dict[str, tuple[float, tuple[str, ...]]] = {}
_lock = threading.Lock()


def filter_options(cwd: Path) -> tuple[str, ...]:
    """`-c` arguments neutralising the filters that only the repository at `cwd` defines."""
    env = os.environ
    key = "\0".join((os.fspath(cwd), env.get("HOME", ""), env.get("GIT_CONFIG_GLOBAL", "")))
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    options = overrides(_read_filter_config(cwd))
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = (now, options)
    return options


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _read_filter_config(cwd: Path) -> list[tuple[str, str, str]]:
    """(scope, key, value) of every `filter.*` entry git sees in `cwd`, in order."""
    from switchex.tracker.git import GIT, SAFE_OPTIONS, git_env

    args = [*GIT, *SAFE_OPTIONS, "config", "-z", "--show-scope", "--get-regexp", r"^filter\."]
    try:
        proc = subprocess.run(
            args, cwd=cwd, env=git_env(), capture_output=True, timeout=30.0, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return parse_entries(proc.stdout)


def parse_entries(raw: bytes) -> list[tuple[str, str, str]]:
    """`git config -z --show-scope` output → (scope, key, value) triples."""
    tokens = raw.decode("utf-8", "surrogateescape").split("\0")
    entries = []
    for scope, item in zip(tokens[::2], tokens[1::2], strict=False):
        key, _, value = item.partition("\n")
        entries.append((scope, key, value))
    return entries


def overrides(entries: list[tuple[str, str, str]]) -> tuple[str, ...]:
    """The `-c` arguments for `entries` (see the module docstring)."""
    trusted: dict[str, str] = {}
    untrusted_names: set[str] = set()
    untrusted_keys: set[str] = set()
    for scope, key, value in entries:
        name, _, var = key.removeprefix("filter.").rpartition(".")
        if not name or var not in _VARS:
            continue
        if scope in TRUSTED_SCOPES:
            trusted[key] = value
        else:
            untrusted_names.add(name)
            untrusted_keys.add(key)
    trusted_names = {key.removeprefix("filter.").rpartition(".")[0] for key in trusted}
    for name in untrusted_names - trusted_names:
        untrusted_keys.update(f"filter.{name}.{var}" for var in _VARS)
    options: list[str] = []
    for key in sorted(untrusted_keys):
        blank = "false" if key.endswith(".required") else ""
        options += ["-c", f"{key}={trusted.get(key, blank)}"]
    return tuple(options)
