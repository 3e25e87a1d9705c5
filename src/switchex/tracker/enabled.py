"""Which repositories the user allowed switchex to track (consulted before any git call).

A work tree is tracked only when the user said so: `switchex init` in it (recorded in
`<state>/tracked.json`), a `tracking.repos` path or glob in the config (`~` expanded, matched
with fnmatch against the repository's top directory), or `switchex up --repo`. The decision
uses the file system only (the nearest directory holding a `.git` entry is the repository's
top): a request or hook naming any other directory never makes git run there.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

TRACKED_FILE = "tracked.json"
TOP_CACHE_SECONDS = 5.0  # a path's repository top is looked up again after this long


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(os.path.expanduser(os.fspath(path))))


def repo_top(path: str | Path) -> Path | None:
    """The nearest directory at or above `path` holding a `.git` entry (no git run)."""
    try:
        current = _real(path)
    except (OSError, ValueError):
        return None
    if not current.is_dir():
        current = current.parent
    for candidate in (current, *current.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def read_tracked(state_dir: Path) -> list[str]:
    """The work trees `switchex init` enabled ([] when none or unreadable)."""
    try:
        data = json.loads((state_dir / TRACKED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    repos = data.get("repos") if isinstance(data, dict) else None
    return [r for r in repos if isinstance(r, str)] if isinstance(repos, list) else []


def set_tracked(state_dir: Path, worktree: Path, enabled: bool) -> bool:
    """Add or remove `worktree` in tracked.json (0600, written atomically); True if changed."""
    top = os.fspath(_real(worktree))
    repos = read_tracked(state_dir)
    if (top in repos) == enabled:
        return False
    repos = [*repos, top] if enabled else [r for r in repos if r != top]
    write_private(state_dir / TRACKED_FILE, json.dumps({"repos": sorted(repos)}, indent=2))
    return True


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically by a file created 0600 (its directory created 0700)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class EnabledRepos:
    """The user's list of tracked work trees; tracked.json is re-read when it changes.

    `match` runs on the gateway's event loop: the file-system walk for a path is cached for a
    few seconds (one stat of tracked.json per call remains)."""

    def __init__(
        self,
        state_dir: Path | None,
        patterns: Iterable[str] = (),
        extra: Iterable[Path] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._tops: dict[str, tuple[float, Path | None]] = {}
        self._state_dir = state_dir
        self._patterns = [os.fspath(_real(p)) for p in patterns]
        self._extra = {_real(p) for p in extra}
        self._stamp: tuple[int, int] | None = None
        self._tracked: set[Path] = set()

    def match(self, path: str | Path | None) -> Path | None:
        """The top of the enabled work tree holding `path`, or None (not allowed)."""
        if path is None:
            return None
        top = self._top(os.fspath(path))
        if top is None:
            return None
        if top in self._extra or top in self._init_enabled():
            return top
        text = os.fspath(top)
        if any(fnmatch.fnmatchcase(text, pattern) for pattern in self._patterns):
            return top
        return None

    def _top(self, path: str) -> Path | None:
        now = self._clock()
        hit = self._tops.get(path)
        if hit is not None and now - hit[0] < TOP_CACHE_SECONDS:
            return hit[1]
        if len(self._tops) > 1024:
            self._tops.clear()
        top = repo_top(path)
        self._tops[path] = (now, top)
        return top

    def _init_enabled(self) -> set[Path]:
        if self._state_dir is None:
            return set()
        try:
            info = (self._state_dir / TRACKED_FILE).stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            self._tracked = {_real(r) for r in read_tracked(self._state_dir)}
        return self._tracked
