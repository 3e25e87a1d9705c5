"""`switchex review`: what each model changed, and accepting or rolling it back.

Two spellings of the same actions: subcommands (`switchex review rollback MODEL`) and the
original flags (`switchex review --rollback MODEL`), kept working. Usage errors exit 64
(EX_USAGE), apart from conflicts (2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from switchex.cli.options import state_dir_option
from switchex.cli.review_run import EXIT_USAGE, run_action

F = TypeVar("F", bound=Callable[..., Any])


class ReviewUsageError(click.UsageError):
    exit_code = EXIT_USAGE


class ReviewGroup(click.Group):
    """A group whose usage errors (its own or a subcommand's) exit 64, not click's 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise ReviewUsageError(exc.message, exc.ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise ReviewUsageError(exc.message, exc.ctx) from None


def _common(func: F) -> F:
    """--repo, --json and --state-dir (a subcommand's own, else the group's)."""
    func = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(func)
    func = click.option(
        "--repo",
        type=click.Path(path_type=Path),
        default=None,
        help="The git work tree to review (default: the current directory).",
    )(func)
    return state_dir_option(func)


def _inherit(
    ctx: click.Context, repo: Path | None, as_json: bool, state: str | None
) -> dict[str, Any]:
    parent = ctx.parent.params if ctx.parent is not None else {}
    return {
        "repo": repo or parent.get("repo") or Path("."),
        "as_json": as_json or bool(parent.get("as_json")),
        "state": state or parent.get("state_dir"),
    }


def _action(analyze_: bool, chosen: Mapping[str, object], dry_run: bool, allow: bool) -> str:
    picked = [name for name, value in chosen.items() if value]
    if len(picked) + analyze_ > 1:
        raise click.UsageError("choose one of --analyze, --accept, --rollback, --undo, --diff")
    action = picked[0] if picked else "analyze"
    if allow and action not in ("rollback", "undo"):
        raise click.UsageError("--allow-conflicts goes with --rollback or --undo")
    if dry_run and action not in ("accept", "rollback", "undo"):
        raise click.UsageError("--dry-run goes with --accept, --rollback or --undo")
    return action


_DRY_RUN = click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
_ALLOW = click.option(
    "--allow-conflicts",
    is_flag=True,
    help="Write what merges (conflict markers where lines overlap) instead of stopping; "
    "still exits 2.",
)


@click.group("review", cls=ReviewGroup, invoke_without_command=True)
@click.option("--analyze", "analyze_", is_flag=True, help="Same as `review analyze` (default).")
@click.option("--accept", "accept_", metavar="MODEL", help="Same as `review accept MODEL`.")
@click.option("--rollback", "rollback_", metavar="MODEL", help="Same as `review rollback MODEL`.")
@click.option("--undo", "undo_", is_flag=True, help="Same as `review undo`.")
@click.option("--diff", "diff_", metavar="MODEL", help="Same as `review diff MODEL`.")
@_DRY_RUN
@_ALLOW
@_common
@click.pass_context
def review(
    ctx: click.Context,
    analyze_: bool,
    accept_: str | None,
    rollback_: str | None,
    undo_: bool,
    diff_: str | None,
    dry_run: bool,
    allow_conflicts: bool,
    as_json: bool,
    repo: Path | None,
    state_dir: str | None,
) -> None:
    """Review what each model changed in the work tree: `analyze` (the default), `diff`,
    `accept` or `rollback` MODEL, `undo` (or the same as flags: --rollback MODEL ...).

    MODEL is a tier name (gemini-flash), an exact model id (qwen2.5-coder:7b) or `human`.
    Undo brings back what the latest rollback removed by the same 3-way merge, keeping work
    done since. Exit status: 0 done (or nothing to do), 1 error (unknown model, no switchex
    history, not a git work tree, lock busy, nothing to undo), 2 conflicts: nothing written,
    or with --allow-conflicts written with conflicted files listed; 64 usage error.
    """

    chosen = {"accept": accept_, "rollback": rollback_, "undo": undo_, "diff": diff_}
    if ctx.invoked_subcommand is not None:
        if any(chosen.values()) or analyze_ or dry_run or allow_conflicts:
            raise click.UsageError("use either a subcommand or the action flags, not both")
        return
    action = _action(analyze_, chosen, dry_run, allow_conflicts)
    model = accept_ or rollback_ or diff_ or ""
    run_action(
        action,
        model,
        repo or Path("."),
        as_json=as_json,
        dry_run=dry_run,
        allow=allow_conflicts,
        state=state_dir,
    )


@review.command("analyze")
@_common
@click.pass_context
def review_analyze(
    ctx: click.Context, repo: Path | None, as_json: bool, state_dir: str | None
) -> None:
    """Per model: pending, accepted and rolled-back work; requests, tokens and cost."""
    run_action("analyze", "", **_inherit(ctx, repo, as_json, state_dir))


@review.command("diff")
@click.argument("model")
@_common
@click.pass_context
def review_diff(
    ctx: click.Context, model: str, repo: Path | None, as_json: bool, state_dir: str | None
) -> None:
    """Show MODEL's pending changes."""
    run_action("diff", model, **_inherit(ctx, repo, as_json, state_dir))


@review.command("accept")
@click.argument("model")
@_DRY_RUN
@_common
@click.pass_context
def review_accept(
    ctx: click.Context,
    model: str,
    dry_run: bool,
    repo: Path | None,
    as_json: bool,
    state_dir: str | None,
) -> None:
    """Mark MODEL's pending work accepted; files stay as they are."""
    run_action("accept", model, dry_run=dry_run, **_inherit(ctx, repo, as_json, state_dir))


@review.command("rollback")
@click.argument("model")
@_DRY_RUN
@_ALLOW
@_common
@click.pass_context
def review_rollback(
    ctx: click.Context,
    model: str,
    dry_run: bool,
    allow_conflicts: bool,
    repo: Path | None,
    as_json: bool,
    state_dir: str | None,
) -> None:
    """Remove MODEL's pending changes from the work tree by 3-way merge, keeping later edits;
    a backup is taken first. Conflicts: nothing written, exit 2."""
    common = _inherit(ctx, repo, as_json, state_dir)
    run_action("rollback", model, dry_run=dry_run, allow=allow_conflicts, **common)


@review.command("undo")
@_DRY_RUN
@_ALLOW
@_common
@click.pass_context
def review_undo(
    ctx: click.Context,
    dry_run: bool,
    allow_conflicts: bool,
    repo: Path | None,
    as_json: bool,
    state_dir: str | None,
) -> None:
    """Bring back what the latest rollback removed, keeping work done since (3-way merge).
    Conflicts: nothing written, exit 2."""
    common = _inherit(ctx, repo, as_json, state_dir)
    run_action("undo", "", dry_run=dry_run, allow=allow_conflicts, **common)


__all__: Sequence[str] = ["review"]
