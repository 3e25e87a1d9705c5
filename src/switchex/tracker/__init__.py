"""Which model wrote what: git snapshots of the work tree on refs/switchex/ (DESIGN §7).

snapshot.take_snapshot   staged tree → commit-tree → update-ref (CAS)
staging, treeedit        the chain's tree edited where the work tree differs (no index)
chain.read_chain         the chain back, trailers parsed
worker.Tracker           boundaries and hook batches → snapshots off the request path
toolbook                 tool_use id → model that emitted it; a batch's snapshot plan
session                  session id and repo hint of a Messages request
refnames, lock, log      ref-safe names, the per-repo writer lock, `switchex log`
"""

from switchex.tracker.attribution import AttributionBook
from switchex.tracker.lock import repo_lock
from switchex.tracker.log import timeline
from switchex.tracker.refnames import decode_ref_component, encode_ref_component
from switchex.tracker.session import repo_hint, session_id
from switchex.tracker.snapshot import (
    Attribution,
    SnapshotCommit,
    SnapshotResult,
    chain_ref,
    read_chain,
    resolve_worktree,
    take_snapshot,
)
from switchex.tracker.worker import Tracker

__all__ = [
    "Attribution",
    "AttributionBook",
    "SnapshotCommit",
    "SnapshotResult",
    "Tracker",
    "chain_ref",
    "decode_ref_component",
    "encode_ref_component",
    "read_chain",
    "repo_hint",
    "repo_lock",
    "resolve_worktree",
    "session_id",
    "take_snapshot",
    "timeline",
]
