"""Per-install secrets and private files in the state directory.

Invariant: the state directory is created 0700 and every file in it that holds a secret or
the journal is created 0600 (`mkdir(mode=0o700)`, `os.open(..., 0o600)`), never widened and
then narrowed by a chmod: there is no moment at which another user could open it. The
process umask is never changed (other threads create files in the user's repositories).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

HOOK_SECRET_FILE = "hook-secret"
HOOK_SECRET_HEADER = "x-switchex-hook-secret"


def private_dir(path: Path) -> Path:
    """Create `path` as a 0700 directory (parents as usual); an existing one is left as is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists; a file created here is 0600 from its first moment."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    return path


def hook_secret(state_dir: Path) -> str:
    """The install's hook secret, created (0600) on first use; safe against a racing creator."""
    path = state_dir / HOOK_SECRET_FILE
    existing = read_hook_secret(state_dir)
    if existing:
        return existing
    private_dir(state_dir)
    value = secrets.token_urlsafe(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_hook_secret(state_dir) or value
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def read_hook_secret(state_dir: Path) -> str | None:
    """The hook secret if one was created, else None (never creates one)."""
    try:
        return (state_dir / HOOK_SECRET_FILE).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None
