"""The one numstat parser of tracker and review, with one rename setting.

Every diff that counts files and lines (`switchex log`, snapshot results, review segments)
runs with `NUMSTAT_ARGS`: renames detected (`-M`, a renamed file counts once, under its new
path) and no external diff or textconv driver (they would run repository-named commands).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NUMSTAT_ARGS = ("-r", "-z", "--numstat", "-M", "--no-textconv", "--no-ext-diff")
PATCH_ARGS = ("-p", "-M", "--no-color", "--no-ext-diff", "--no-textconv")


@dataclass
class Stat:
    """Files and lines added / removed, fed token by token from `--numstat -z` output."""

    files: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    paths_due: int = 0  # a rename's numstat is followed by its old and new path

    def feed(self, token: str) -> None:
        if self.paths_due:
            self.paths_due -= 1
            if not self.paths_due:
                self.files.append(token)
            return
        plus, minus, path = [*token.split("\t", 2), "", ""][:3]
        self.added += int(plus) if plus.isdigit() else 0
        self.removed += int(minus) if minus.isdigit() else 0
        if path:
            self.files.append(path)
        else:
            self.paths_due = 2


def parse_numstat(raw: bytes) -> Stat:
    """The totals of one diff's `--numstat -z` output."""
    stat = Stat()
    for token in raw.decode("utf-8", "surrogateescape").split("\0"):
        token = token.lstrip("\n")
        if token:
            stat.feed(token)
    return stat
