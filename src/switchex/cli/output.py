"""Where tables go: a terminal gets its width; a pipe or file gets the content's full width."""

from __future__ import annotations

import sys

from rich.console import Console

UNBOUNDED = 100_000  # columns: rich never cuts or wraps a table narrower than this


def console() -> Console:
    """A console on stdout that cuts nothing when stdout is not a terminal (rich's default
    there is 80 columns, which folds and ellipsizes cells)."""
    if sys.stdout.isatty():
        return Console(file=sys.stdout, highlight=False)
    return Console(file=sys.stdout, highlight=False, width=UNBOUNDED, soft_wrap=True)
