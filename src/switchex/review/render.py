"""Review results for people (rich) and for scripts (JSON-ready dicts with stable keys)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from switchex.review.analyze import Analysis, ModelUsage, SegmentPatch, Tally
from switchex.review.outcome import Outcome
from switchex.review.reverse import Conflict
from switchex.review.segments import Segment

Json = dict[str, Any]
DASH = "-"
PATCH_STYLES = (("+++", "bold"), ("---", "bold"), ("+", "green"), ("-", "red"), ("@@", "cyan"))


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else DASH


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def short(segments: tuple[Segment, ...] | list[Segment]) -> str:
    return ", ".join(s.commit[:7] for s in segments)


def patch_text(patch: str) -> Text:
    text = Text()
    for line in patch.splitlines(keepends=True):
        style = "bold" if line.startswith("diff --git") else ""
        for prefix, candidate in PATCH_STYLES:
            if not style and line.startswith(prefix):
                style = candidate
        text.append(line, style=style)
    return text


def span(first: datetime | None, last: datetime | None) -> str:
    if not first or not last:
        return DASH
    a, b = first.astimezone(), last.astimezone()
    start = f"{a:%m-%d %H:%M}"
    end = b.strftime("%H:%M" if a.date() == b.date() else "%m-%d %H:%M")
    return start if start.endswith(end) else f"{start}–{end}"


def _usage_cells(usage: ModelUsage | None) -> list[str]:
    if usage is None:
        return [DASH, DASH, DASH]
    tokens = f"{usage.input_tokens:,}/{usage.output_tokens:,}"
    return [str(usage.requests), tokens, money(usage.cost)]


def money(cost: float | None) -> str:
    """A cost for people: "unknown" when no price is known, never a silent $0."""
    if cost is None:
        return "unknown"
    return f"${cost:.2f}" if cost >= 0.01 or cost == 0 else f"${cost:.4f}"


def analysis_table(analysis: Analysis) -> Table:
    with_usage = any(r.usage for r in analysis.models)
    title = f"switchex review — {analysis.worktree}"
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("Model", no_wrap=True)
    table.add_column("Tier", overflow="fold")
    for header in ("Pending", "Files", "Lines", "Accepted", "Rolled back"):
        width = min(len(header), 8)
        table.add_column(header, justify="right", no_wrap=header == "Lines", min_width=width)
    for header in ("Requests", "Tokens in/out", "Cost") if with_usage else ():
        table.add_column(header, justify="right")
    table.add_column("When", no_wrap=True, min_width=11)
    for r in analysis.models:
        p = r.pending
        table.add_row(
            Text(r.model),
            Text(", ".join(r.tiers) or DASH),
            str(p.segments),
            str(len(p.files)),
            f"+{p.added} -{p.removed}",
            str(r.accepted.segments),
            str(r.rolled_back.segments),
            *(_usage_cells(r.usage) if with_usage else []),
            span(r.first, r.last),
        )
    return table


def analysis_footer(analysis: Analysis) -> Text:
    segments = sum(
        r.pending.segments + r.accepted.segments + r.rolled_back.segments for r in analysis.models
    )
    lines = [f"{analysis.chain_ref}: {segments} segments, {analysis.reverts} rollback/undo records"]
    if not any(r.usage for r in analysis.models):
        lines.append("requests, tokens and cost: not available (no journal)")
    if analysis.can_undo:
        lines.append(
            "`switchex review --undo` restores the work tree from before the last rollback"
        )
    if analysis.left_out:
        shown = ", ".join(analysis.left_out[:10])
        lines.append(f"left out of snapshots (size cap or unreadable), not reviewable: {shown}")
    pending = [r.model for r in analysis.models if r.pending.segments]
    if pending:
        lines.append("pending: " + ", ".join(pending) + "  (--diff / --accept / --rollback MODEL)")
    return Text("\n".join(lines), style="dim")


def tally_json(tally: Tally) -> Json:
    return {
        "segments": tally.segments,
        "files": list(tally.files),
        "added": tally.added,
        "removed": tally.removed,
        "commits": list(tally.commits),
    }


def analysis_json(analysis: Analysis) -> Json:
    models = [
        {
            "model": r.model,
            "tiers": list(r.tiers),
            "pending": tally_json(r.pending),
            "accepted": tally_json(r.accepted),
            "rolled_back": tally_json(r.rolled_back),
            "first": iso(r.first),
            "last": iso(r.last),
            "usage": vars(r.usage) if r.usage else None,
        }
        for r in analysis.models
    ]
    return {
        "repo": str(analysis.worktree),
        "chain": analysis.chain_ref,
        "models": models,
        "reverts": analysis.reverts,
        "can_undo": analysis.can_undo,
        "left_out": list(analysis.left_out),
    }


def segment_json(segment: Segment) -> Json:
    return {
        "commit": segment.commit,
        "parent": segment.parent,
        "model": segment.model,
        "tier": segment.tier,
        "kind": segment.kind,
        "time": iso(segment.time),
        "files": list(segment.files),
        "added": segment.added,
        "removed": segment.removed,
    }


def diff_renderables(patches: list[SegmentPatch]) -> Iterator[RenderableType]:
    for item in patches:
        s = item.segment
        yield Text(f"# segment {s.commit[:7]}  {s.who} ({s.tier})  {when(s.time)}", style="bold")
        yield patch_text(item.patch)


def diff_json(target: str, patches: list[SegmentPatch]) -> Json:
    items = [{**segment_json(p.segment), "patch": p.patch} for p in patches]
    return {"model": target, "segments": items}


def conflict_json(conflict: Conflict) -> Json:
    hunks = [vars(h) for h in conflict.hunks]
    return {
        "path": conflict.path,
        "segment": conflict.segment,
        "reason": conflict.reason,
        "hunks": hunks,
    }


def outcome_json(outcome: Outcome) -> Json:
    return {
        "action": outcome.action,
        "model": outcome.target,
        "dry_run": outcome.dry_run,
        "written": outcome.written,
        "blocked": outcome.blocked,
        "note": outcome.note,
        "segments": [segment_json(s) for s in outcome.segments],
        "changes": [{"path": c.path, "action": c.action} for c in outcome.changes],
        "conflicts": [conflict_json(c) for c in outcome.conflicts],
        "backup": outcome.backup_ref,
        "revert": outcome.revert,
        "patch": outcome.patch,
    }


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def headline(o: Outcome) -> str:
    files = plural(len(o.changes), "file")
    segs = f"{plural(len(o.segments), 'segment')} ({short(o.segments)})"
    if o.action == "accept":
        verb = "Would accept" if o.dry_run else "Accepted"
        return f"{verb} {o.target}: {segs}; files stay as they are:"
    if o.action == "rollback":
        if o.dry_run:
            return f"Dry run: rolling back {o.target}, {segs}, would change {files}."
        if o.conflicts:
            conflicted = plural(len({c.path for c in o.conflicts}), "file")
            return f"Partly rolled back {o.target}: {files} changed, {conflicted} conflicted."
        return f"Rolled back {o.target}: {segs}, {files} changed."
    if o.dry_run:
        return f"Dry run: undoing the rollback of {o.target} would change {files}."
    return f"Restored the work tree from before the rollback of {o.target}: {files} changed."


def quoted(label: str, text: str, style: str) -> Text:
    lines = text.splitlines() or [""]
    pad = " " * len(label)
    body = "\n".join(f"      {label if n == 0 else pad}| {line}" for n, line in enumerate(lines))
    return Text(body, style=style)


def conflict_lines(conflicts: tuple[Conflict, ...]) -> Iterator[Text]:
    for c in conflicts:
        yield Text(f"  {c.path}  (segment {c.segment[:7]}): {c.reason}", style="yellow")
        for h in c.hunks:
            where = f"line {h.line}" if h.count < 2 else f"lines {h.line}-{h.line + h.count - 1}"
            yield Text(f"    {where}:")
            yield quoted("now:      ", h.current, "red")
            yield quoted("undone:   ", h.restored, "green")


def blocked_lines(o: Outcome) -> Iterator[Text]:
    files = plural(len({c.path for c in o.conflicts}), "file")
    verb = "rolling back" if o.action == "rollback" else "undoing the rollback of"
    lead = f"Dry run: {verb}" if o.dry_run else verb.capitalize()
    yield Text(f"{lead} {o.target} conflicts with later edits in {files}; nothing written.")
    yield from conflict_lines(o.conflicts)
    yield Text("Resolve by hand, or run again with --allow-conflicts to write conflict markers.")


def outcome_renderables(o: Outcome) -> Iterator[RenderableType]:
    if o.note:
        yield Text(f"Nothing to do: {o.note} for {o.target}.")
        return
    if o.blocked:
        yield from blocked_lines(o)
        return
    yield Text(headline(o), style="bold")
    accepted = {f for s in o.segments for f in s.files} if o.action == "accept" else set()
    yield from (Text(f"  {path}") for path in sorted(accepted))
    yield from (Text(f"  {c.action:<7} {c.path}") for c in o.changes)
    if o.conflicts:
        note = "conflict markers where lines overlap, whole files left as they are"
        yield Text(f"Conflicts ({note}):", style="bold yellow")
        yield from conflict_lines(o.conflicts)
    if o.dry_run and o.patch:
        yield patch_text(o.patch)
    if o.dry_run:
        yield Text("Nothing written (dry run).", style="dim")
    if o.backup_ref and o.action == "rollback":
        yield Text(f"Backup: {o.backup_ref} (`switchex review --undo` restores it)", style="dim")
    elif o.backup_ref:
        yield Text(f"The work tree it replaced: {o.backup_ref}", style="dim")
