"""What `switchex init` added, remembered so that `--uninstall` removes exactly that.

`<state>/init.json` maps each settings file init wrote to: whether init created the file, the
`ANTHROPIC_BASE_URL` it set and the one it replaced, and whether it added the file to the
repository's `.git/info/exclude`. Backups of settings files get unique names (created with
O_EXCL), so no backup is ever overwritten.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from switchex.tracker.enabled import write_private

RECORD_FILE = "init.json"
EXCLUDED = ".claude/settings.local.json"


@dataclass(frozen=True)
class Installed:
    created: bool  # init created the settings file
    base_url: str  # the ANTHROPIC_BASE_URL init set
    previous_base_url: str | None  # the value it replaced, restored by --uninstall
    excluded: bool  # init added EXCLUDED to .git/info/exclude


def _load(state_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((state_dir / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recall(state_dir: Path, settings: Path) -> Installed | None:
    entry = _load(state_dir).get(str(settings))
    try:
        return Installed(**entry) if isinstance(entry, dict) else None
    except TypeError:
        return None


def remember(state_dir: Path, settings: Path, installed: Installed | None) -> None:
    data = _load(state_dir)
    if installed is None:
        data.pop(str(settings), None)
    else:
        data[str(settings)] = asdict(installed)
    write_private(state_dir / RECORD_FILE, json.dumps(data, indent=2) + "\n")


def backup_file(path: Path) -> Path:
    """Copy `path` to a new `<name>.switchex-backup-<time>-<n>`; never overwrites one."""
    data = path.read_bytes()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 10_000):
        backup = path.with_name(f"{path.name}.switchex-backup-{stamp}-{n}")
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return backup
    raise OSError(f"no free backup name for {path}")


def git_paths(repo: Path) -> tuple[Path, Path] | None:
    """The work tree's top and its `info/exclude` (common git dir); None outside a repo."""
    from switchex.tracker.repo import probe

    found = probe(repo)
    if isinstance(found, str):
        return None
    return found.worktree, found.common_dir / "info" / "exclude"


def add_exclude(exclude: Path) -> bool:
    """Add EXCLUDED to the exclude file; True if it was not there yet."""
    lines = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
    if EXCLUDED in lines or "/" + EXCLUDED in lines:
        return False
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as out:
        out.write(("\n" if lines and not exclude.read_text().endswith("\n") else "") + EXCLUDED)
        out.write("\n")
    return True


def remove_exclude(exclude: Path) -> None:
    if not exclude.exists():
        return
    lines = exclude.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if line.rstrip("\r\n") != EXCLUDED]
    if kept != lines:
        exclude.write_text("".join(kept), encoding="utf-8")
