"""Per-install secrets and private files in the state directory.

Invariant: the state directory is created 0700 and every file in it that holds a secret or
the journal is created 0600 (`mkdir(mode=0o700)`, `os.open(..., 0o600)`), never widened and
then narrowed by a chmod: there is no moment at which another user could open it. The
process umask is never changed (other threads create files in the user's repositories).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

HOOK_SECRET_FILE = "hook-secret"
HOOK_SECRET_HEADER = "x-switchex-hook-secret"
SETTINGS_TOKEN_PREFIX = "swxh1."


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
    """The install's hook secret, created (0600) on first use; safe against a racing creator:
    the secret is written to a private temporary file first and then linked into place, so
    the file appears whole or not at all and every creator reads the one that won."""
    existing = read_hook_secret(state_dir)
    if existing:
        return existing
    private_dir(state_dir)
    path = state_dir / HOOK_SECRET_FILE
    draft = state_dir / f".{HOOK_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another creator won: its secret is the install's
    finally:
        draft.unlink()
    secret = read_hook_secret(state_dir)
    assert secret is not None  # the file exists and was written whole
    return secret


def read_hook_secret(state_dir: Path) -> str | None:
    """The hook secret if one was created, else None (never creates one)."""
    try:
        return (state_dir / HOOK_SECRET_FILE).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def settings_token(secret: str, settings_path: str) -> str:
    """The hook token `switchex init` writes into one Claude Code settings file (its HTTP
    hooks' `Authorization` header): `swxh1.<label>.<HMAC-SHA256(secret, label)>`, the label
    derived from the file's path. The install's secret itself never leaves the state dir; the
    same file always gets the same token (init stays idempotent); deleting `hook-secret`
    revokes every token at once."""
    label = hashlib.sha256(settings_path.encode()).hexdigest()[:16]
    return SETTINGS_TOKEN_PREFIX + label + "." + _mac(secret, label)


def valid_settings_token(secret: str, token: str) -> bool:
    """Whether `token` is a settings token derived from `secret` (constant-time compare)."""
    if not token.startswith(SETTINGS_TOKEN_PREFIX):
        return False
    label, _, mac = token[len(SETTINGS_TOKEN_PREFIX) :].partition(".")
    return bool(label and mac) and hmac.compare_digest(mac.encode(), _mac(secret, label).encode())


def _mac(secret: str, label: str) -> str:
    return hmac.new(secret.encode(), b"switchex-hook:" + label.encode(), "sha256").hexdigest()
