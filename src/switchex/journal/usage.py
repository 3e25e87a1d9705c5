"""Reading the journal: what each model cost in a repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from switchex.journal.reader import Target, query


@dataclass(frozen=True)
class Usage:
    requests: int
    input_tokens: int
    output_tokens: int
    cost: float | None  # None: no answer of this model had a known price
    unpriced: int = 0  # answers whose price is unknown (not counted in `cost`)


def usage_by_model(journal: Target, worktree: Path) -> dict[str, Usage]:
    """Answered requests per served model whose session worked in `worktree` (or below it).

    `journal` is the SQLite file or the team's PostgreSQL DSN.
    """
    root = str(worktree)
    rows = query(
        journal,
        """SELECT served_model, COUNT(*), SUM(input_tokens + cache_read_tokens
                  + cache_creation_tokens), SUM(output_tokens), SUM(cost),
                  COUNT(*) - COUNT(cost)
           FROM requests
           WHERE status = 200 AND (repo = ? OR substr(repo, 1, CAST(? AS INTEGER)) = ?)
           GROUP BY served_model""",
        (root, len(root) + 1, root + "/"),
    )
    return {
        row[0]: Usage(
            int(row[1]),
            int(row[2] or 0),
            int(row[3] or 0),
            None if row[4] is None else float(row[4]),
            int(row[5] or 0),
        )
        for row in rows
    }
