"""Reading the journal: what each model cost in a repository."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Usage:
    requests: int
    input_tokens: int
    output_tokens: int
    cost: float | None  # None: no answer of this model had a known price
    unpriced: int = 0  # answers whose price is unknown (not counted in `cost`)


def usage_by_model(journal: Path, worktree: Path) -> dict[str, Usage]:
    """Answered requests per served model whose session worked in `worktree` (or below it)."""
    if not journal.exists():
        return {}
    root = str(worktree)
    connection = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
    try:
        rows = connection.execute(
            """SELECT served_model, COUNT(*), SUM(input_tokens + cache_read_tokens
                      + cache_creation_tokens), SUM(output_tokens), SUM(cost),
                      COUNT(*) - COUNT(cost)
               FROM requests
               WHERE status = 200 AND (repo = ? OR substr(repo, 1, ?) = ?)
               GROUP BY served_model""",
            (root, len(root) + 1, root + "/"),
        ).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        connection.close()
    return {row[0]: Usage(row[1], row[2] or 0, row[3] or 0, row[4], row[5]) for row in rows}
