"""Running git for the tracker: a clean environment, safe options, errors as TrackerError.

Every call gets an environment stripped of the variables that would point git at another
repository or index (the gateway may have inherited them), C locale messages (we parse a few
of them), and `-c` options that keep git from running hooks, auto-gc or asking questions.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from switchex.errors import TrackerError

IDENTITY = {
    "GIT_AUTHOR_NAME": "switchex",
    "GIT_AUTHOR_EMAIL": "switchex@localhost",
    "GIT_COMMITTER_NAME": "switchex",
    "GIT_COMMITTER_EMAIL": "switchex@localhost",
}

# Variables that would make git look at another repository, index, object store or identity.
_DROPPED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_QUARANTINE_PATH",
    "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_DATE",
    *IDENTITY,
)

# The command that runs git (tests prefix it, e.g. to run git as another user).
GIT: tuple[str, ...] = ("git",)

SAFE_OPTIONS = (
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.splitIndex=false",
    "-c",
    "core.safecrlf=false",
    "-c",
    "advice.addEmbeddedRepo=false",
    "-c",
    "gc.auto=0",
    "-c",
    "maintenance.auto=false",
)

TIMEOUT = 120.0


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a tracker git call."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(LC_ALL="C", LANGUAGE="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    if extra:
        env.update(extra)
    return env


def run(
    cwd: Path,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git <args>` in cwd; TrackerError when git is missing, times out or cwd is gone."""
    try:
        return subprocess.run(
            [*GIT, *SAFE_OPTIONS, *args],
            cwd=cwd,
            env=git_env(env),
            input=stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TrackerError(f"git {args[0]} timed out after {timeout:g} s") from exc
    except OSError as exc:
        raise TrackerError(f"cannot run git {args[0]} in {cwd}: {exc}") from exc


def popen(cwd: Path, args: Sequence[str]) -> subprocess.Popen[bytes]:
    """Start `git <args>` in cwd with stdout and stderr piped (for reading a stream)."""
    try:
        return subprocess.Popen(
            [*GIT, *SAFE_OPTIONS, *args],
            cwd=cwd,
            env=git_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise TrackerError(f"cannot run git {args[0]} in {cwd}: {exc}") from exc


def git(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = TIMEOUT,
) -> bytes:
    """Run git and return its stdout; TrackerError naming the command when it fails."""
    proc = run(cwd, args, env=env, stdin=stdin, timeout=timeout)
    if proc.returncode != 0:
        raise TrackerError(f"git {args[0]} failed: {first_line(proc.stderr)}")
    return proc.stdout


def first_line(stderr: bytes) -> str:
    """The most telling line of git's stderr (the fatal/error line if there is one)."""
    lines = [ln.strip() for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[0] if lines else "no message"
