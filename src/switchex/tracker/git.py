"""The one git runner of tracker and review: a clean environment, no implicit commands.

Every call gets an environment stripped of the variables that would point git at another
repository or index (the gateway may have inherited them) or name a program for git to run,
C locale messages (we parse a few of them), and `-c` options that keep git from running any
command a repository's own config could name: hooks, `core.fsmonitor`, pagers, editors,
credential helpers, ssh, signing programs, external diff and textconv drivers, transports.
Clean/smudge/process filters run only under names the user's global or system config defines
(so Git LFS keeps working), with the global/system command; a filter defined only by the
repository is switched off (see `filters.py`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from switchex.errors import TrackerError
from switchex.tracker.filters import filter_options

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
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
    "GIT_EXEC_PATH",
    "GIT_TRACE2_EVENT",
    *IDENTITY,
)

# The command that runs git (tests prefix it, e.g. to run git as another user).
GIT: tuple[str, ...] = ("git",)

_SAFE_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.editor=:",
    "sequence.editor=:",
    "core.askPass=",
    "core.sshCommand=ssh",
    "core.alternateRefsCommand=",
    "credential.helper=",
    "diff.external=",
    "protocol.allow=never",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "commit.gpgSign=false",
    "tag.gpgSign=false",
    "log.showSignature=false",
    "core.splitIndex=false",
    "core.safecrlf=false",
    "advice.addEmbeddedRepo=false",
    "gc.auto=0",
    "maintenance.auto=false",
)
SAFE_OPTIONS: tuple[str, ...] = (
    "--no-pager",
    *(arg for item in _SAFE_CONFIG for arg in ("-c", item)),
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
            [*GIT, *SAFE_OPTIONS, *filter_options(cwd), *args],
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
            [*GIT, *SAFE_OPTIONS, *filter_options(cwd), *args],
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
