"""Running one `switchex review` action and printing its result (shared by the flags and the
subcommands of `cli/review.py`).

Exit codes: 0 done (or nothing to do), 1 error, 2 conflicts, 64 usage error (EX_USAGE).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console, RenderableType

from switchex.cli.options import state_dir
from switchex.config import load_config
from switchex.errors import SwitchexError
from switchex.journal.db import connect, insert
from switchex.journal.reader import Target, exists, journal_target
from switchex.journal.usage import usage_by_model
from switchex.review import render
from switchex.review.accept import accept
from switchex.review.analyze import ModelUsage, analyze, pending_diff
from switchex.review.outcome import Outcome
from switchex.review.rollback import rollback
from switchex.review.undo import undo
from switchex.tracker.repo import resolve_worktree

EXIT_ERROR = 1
EXIT_CONFLICT = 2
EXIT_USAGE = 64


def _journal_path(explicit: str | None) -> Path:
    return state_dir(explicit) / "journal.sqlite3"


def load_usage(worktree: Path, path: Target) -> Mapping[str, ModelUsage] | None:
    """Requests, tokens and cost per exact model id, from the journal (None: no journal)."""
    if not exists(path):
        return None
    top = resolve_worktree(worktree) or worktree.resolve()
    return {
        model: ModelUsage(u.requests, u.input_tokens, u.output_tokens, u.cost)
        for model, u in usage_by_model(path, top).items()
    }


def _journal_decision(repo: Path, outcome: Outcome, journal: Path) -> None:
    """Record a written review decision in the journal too (the refs remain the truth)."""
    if not outcome.written or outcome.dry_run:
        return
    detail = {
        "segments": [segment.commit for segment in outcome.segments],
        "files": len(outcome.changes),
        "backup": outcome.backup_ref,
        "revert": outcome.revert,
    }
    try:
        connection = connect(journal)
        with connection:
            insert(
                connection,
                "reviews",
                {
                    "time": time.time(),
                    "repo": str(resolve_worktree(repo) or repo.resolve()),
                    "model": outcome.target,
                    "action": outcome.action,
                    "detail": json.dumps(detail),
                },
            )
        connection.close()
    except (sqlite3.Error, OSError):
        pass


def _console() -> Console:
    from switchex.cli.output import console

    return console()


def _show(items: Iterable[RenderableType]) -> None:
    console = _console()
    for item in items:
        console.print(item)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _fail(message: str, as_json: bool) -> NoReturn:
    if as_json:
        _emit_json({"error": message})
    click.echo(f"switchex review: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _analyze(repo: Path, as_json: bool, journal: Path) -> int:
    analysis = analyze(repo, load_usage(repo, journal_target(journal.parent)))
    if as_json:
        _emit_json(render.analysis_json(analysis))
    else:
        _show([render.analysis_table(analysis), render.analysis_footer(analysis)])
    return 0


def _diff(repo: Path, model: str, as_json: bool) -> int:
    patches = pending_diff(repo, model)
    if as_json:
        _emit_json(render.diff_json(model, patches))
    elif patches:
        _show(render.diff_renderables(patches))
    else:
        click.echo(f"Nothing pending for {model}.")
    return 0


def _change(
    action: str, model: str, repo: Path, as_json: bool, dry_run: bool, allow: bool, journal: Path
) -> int:
    cap = load_config(None).tracking.max_file_bytes if action != "accept" else 0
    outcome: Outcome
    if action == "accept":
        outcome = accept(repo, model, dry_run=dry_run)
    elif action == "rollback":
        outcome = rollback(repo, model, dry_run=dry_run, allow_conflicts=allow, max_file_bytes=cap)
    else:
        outcome = undo(repo, dry_run=dry_run, allow_conflicts=allow, max_file_bytes=cap)
    _journal_decision(repo, outcome, journal)
    if as_json:
        _emit_json(render.outcome_json(outcome))
    else:
        _show(render.outcome_renderables(outcome))
    return EXIT_CONFLICT if outcome.conflicts else 0


def run_action(
    action: str,
    model: str,
    repo: Path,
    *,
    as_json: bool = False,
    dry_run: bool = False,
    allow: bool = False,
    state: str | None = None,
) -> NoReturn:
    """Run `action` (analyze, diff, accept, rollback, undo) and exit with its status."""
    journal = _journal_path(state)
    try:
        if action == "analyze":
            code = _analyze(repo, as_json, journal)
        elif action == "diff":
            code = _diff(repo, model, as_json)
        else:
            code = _change(action, model, repo, as_json, dry_run, allow, journal)
    except SwitchexError as exc:
        _fail(str(exc), as_json)
    sys.exit(code)
