"""`switchex review`: what each model changed, and accepting or rolling it back."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from switchex.cli.options import state_dir

if TYPE_CHECKING:  # the review machinery loads when the command runs, not for --help
    from rich.console import Console, RenderableType

    from switchex.review.analyze import ModelUsage
    from switchex.review.outcome import Outcome

EXIT_ERROR = 1
EXIT_CONFLICT = 2


def _journal_path() -> Path:
    return state_dir(None) / "journal.sqlite3"


def load_usage(worktree: Path) -> Mapping[str, ModelUsage] | None:
    """Requests, tokens and cost per exact model id, from the journal (None: no journal)."""
    from switchex.journal.usage import usage_by_model
    from switchex.review.analyze import ModelUsage
    from switchex.tracker.repo import resolve_worktree

    path = _journal_path()
    if not path.exists():
        return None
    top = resolve_worktree(worktree) or worktree.resolve()
    return {
        model: ModelUsage(u.requests, u.input_tokens, u.output_tokens, u.cost)
        for model, u in usage_by_model(path, top).items()
    }


def _journal_decision(repo: Path, outcome: Outcome) -> None:
    """Record a written review decision in the journal too (the refs remain the truth)."""
    from switchex.journal.db import connect, insert
    from switchex.tracker.repo import resolve_worktree

    if not outcome.written or outcome.dry_run:
        return
    detail = {
        "segments": [segment.commit for segment in outcome.segments],
        "files": len(outcome.changes),
        "backup": outcome.backup_ref,
        "revert": outcome.revert,
    }
    try:
        connection = connect(_journal_path())
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


def _action(analyze_: bool, chosen: Mapping[str, object], dry_run: bool, allow: bool) -> str:
    picked = [name for name, value in chosen.items() if value]
    if len(picked) + analyze_ > 1:
        raise click.UsageError("choose one of --analyze, --accept, --rollback, --undo, --diff")
    action = picked[0] if picked else "analyze"
    if allow and action != "rollback":
        raise click.UsageError("--allow-conflicts goes with --rollback")
    if dry_run and action not in ("accept", "rollback", "undo"):
        raise click.UsageError("--dry-run goes with --accept, --rollback or --undo")
    return action


def _analyze(repo: Path, as_json: bool) -> int:
    from switchex.review import render
    from switchex.review.analyze import analyze

    analysis = analyze(repo, load_usage(repo))
    if as_json:
        _emit_json(render.analysis_json(analysis))
    else:
        _show([render.analysis_table(analysis), render.analysis_footer(analysis)])
    return 0


def _diff(repo: Path, model: str, as_json: bool) -> int:
    from switchex.review import render
    from switchex.review.analyze import pending_diff

    patches = pending_diff(repo, model)
    if as_json:
        _emit_json(render.diff_json(model, patches))
    elif patches:
        _show(render.diff_renderables(patches))
    else:
        click.echo(f"Nothing pending for {model}.")
    return 0


def _change(action: str, model: str, repo: Path, as_json: bool, dry_run: bool, allow: bool) -> int:
    from switchex.review import render
    from switchex.review.accept import accept
    from switchex.review.rollback import rollback
    from switchex.review.undo import undo

    outcome: Outcome
    if action == "accept":
        outcome = accept(repo, model, dry_run=dry_run)
    elif action == "rollback":
        outcome = rollback(repo, model, dry_run=dry_run, allow_conflicts=allow)
    else:
        outcome = undo(repo, dry_run=dry_run)
    _journal_decision(repo, outcome)
    if as_json:
        _emit_json(render.outcome_json(outcome))
    else:
        _show(render.outcome_renderables(outcome))
    return EXIT_CONFLICT if outcome.blocked else 0


@click.command("review")
@click.option(
    "--analyze",
    "analyze_",
    is_flag=True,
    help="Per model: pending, accepted and rolled-back work (default).",
)
@click.option(
    "--accept",
    "accept_",
    metavar="MODEL",
    help="Mark MODEL's pending work accepted; files stay as they are.",
)
@click.option(
    "--rollback",
    "rollback_",
    metavar="MODEL",
    help="Remove MODEL's pending changes from the work tree (3-way).",
)
@click.option(
    "--undo", "undo_", is_flag=True, help="Restore the work tree from before the latest rollback."
)
@click.option("--diff", "diff_", metavar="MODEL", help="Show MODEL's pending changes.")
@click.option(
    "--dry-run", is_flag=True, help="Show what --accept/--rollback/--undo would do; write nothing."
)
@click.option(
    "--allow-conflicts",
    is_flag=True,
    help="With --rollback: write conflict markers instead of stopping.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--repo",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="The git work tree to review.",
)
def review(
    analyze_: bool,
    accept_: str | None,
    rollback_: str | None,
    undo_: bool,
    diff_: str | None,
    dry_run: bool,
    allow_conflicts: bool,
    as_json: bool,
    repo: Path,
) -> None:
    """Review what each model changed in the work tree: analyze (the default), --diff,
    --accept or --rollback MODEL, --undo.

    MODEL is a tier name (gemini-flash), an exact model id (qwen2.5-coder:7b) or `human`.
    Exit status: 0 done (or nothing to do), 1 error (unknown model, no switchex history,
    not a git work tree, lock busy, nothing to undo), 2 conflicts: nothing written
    (2 is also click's status for a usage error).
    """
    from switchex.errors import SwitchexError

    chosen = {"accept": accept_, "rollback": rollback_, "undo": undo_, "diff": diff_}
    action = _action(analyze_, chosen, dry_run, allow_conflicts)
    model = accept_ or rollback_ or diff_ or ""
    try:
        if action == "analyze":
            code = _analyze(repo, as_json)
        elif action == "diff":
            code = _diff(repo, model, as_json)
        else:
            code = _change(action, model, repo, as_json, dry_run, allow_conflicts)
    except SwitchexError as exc:
        _fail(str(exc), as_json)
    sys.exit(code)
