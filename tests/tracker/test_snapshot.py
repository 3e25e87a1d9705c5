"""take_snapshot: the chain it builds, and the user's repository it must leave alone."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from switchex.tracker import git as git_module
from switchex.tracker import snapshot as snapshot_module
from switchex.tracker.lock import repo_lock
from switchex.tracker.records import Attribution
from switchex.tracker.snapshot import chain_ref, read_chain, resolve_worktree, take_snapshot

from .helpers import AI, HUMAN, OTHER, git, make_repo, state, tree_files, write

REF = "refs/switchex/snapshots/main"
_NOBODY = ("--reuid=65534", "--regid=65534", "--clear-groups")


def test_first_snapshot_sits_on_head_with_exact_trailers(repo: Path) -> None:
    write(repo, "src/app.py", "print(2)\n")
    result = take_snapshot(repo, AI)
    assert result.skipped is None and result.changed
    assert result.parent == git(repo, "rev-parse", "HEAD")
    assert git(repo, "rev-parse", REF) == result.commit
    trailers = (
        "Switchex-Model: qwen2.5-coder:7b\nSwitchex-Tier: local\n"
        "Switchex-Session: sess-1\nSwitchex-Kind: ai"
    )
    assert git(repo, "log", "-1", "--format=%B", REF) == (
        f"switchex: qwen2.5-coder:7b (local)\n\n{trailers}"
    )
    assert git(repo, "log", "-1", "--format=%(trailers:only,unfold)", REF) == trailers
    who = git(repo, "log", "-1", "--format=%an <%ae> %cn <%ce>", REF)
    assert who == "switchex <switchex@localhost> switchex <switchex@localhost>"
    assert (result.files, result.added, result.removed) == (("src/app.py",), 1, 1)


def test_unchanged_tree_makes_no_commit(repo: Path) -> None:
    clean = take_snapshot(repo, AI)
    assert not clean.changed and clean.commit is None
    assert git(repo, "rev-parse", "-q", "--verify", REF, check=False) == ""
    write(repo, "README.md", "changed\n")
    first = take_snapshot(repo, AI)
    again = take_snapshot(repo, OTHER)
    assert (again.changed, again.commit, again.parent) == (False, None, first.commit)
    assert git(repo, "rev-parse", REF) == first.commit


def _hook(repo: Path, name: str, marker: Path) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text(f"#!/bin/sh\necho {name} >> '{marker}'\n")
    hook.chmod(0o755)


def test_user_repo_is_untouched_byte_for_byte(repo: Path, tmp_path: Path) -> None:
    write(repo, ".gitignore", "*.log\n")
    write(repo, "notes.txt", "".join(f"line {i}\n" for i in range(10)))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes")
    write(repo, "README.md", "stashed change\n")
    git(repo, "stash", "push", "-q", "-m", "keep me", "README.md")
    write(repo, "notes.txt", "LINE 0\n" + "".join(f"line {i}\n" for i in range(1, 10)))
    git(repo, "add", "notes.txt")  # staged hunk ...
    write(repo, "notes.txt", "LINE 0\n" + "".join(f"line {i}\n" for i in range(1, 9)) + "LINE 9\n")
    write(repo, "new.txt", "untracked\n")
    write(repo, "debug.log", "ignored\n")
    os.symlink("README.md", repo / "link")
    git(repo, "config", "switchex.test", "yes")
    marker = tmp_path / "hooks-ran"
    for name in ("reference-transaction", "post-index-change", "pre-commit", "post-commit"):
        _hook(repo, name, marker)
    before = state(repo)
    results = [take_snapshot(repo, AI)]
    assert state(repo) == before
    write(repo, "new.txt", "untracked, edited\n")
    before = state(repo)
    results += [take_snapshot(repo, OTHER), take_snapshot(repo, HUMAN)]
    assert state(repo) == before
    assert not marker.exists()
    assert [r.changed for r in results] == [True, True, False]
    files = tree_files(repo, REF)
    assert {"new.txt", "notes.txt", ".gitignore", "link"} <= files.keys()
    assert "debug.log" not in files and files["link"] == "120000"
    assert git(repo, "show", f"{REF}:notes.txt").splitlines()[::9] == ["LINE 0", "LINE 9"]
    assert git(repo, "diff", "--cached", "--stat").startswith("notes.txt | 2")  # still partial


def _file_to_dir(repo: Path) -> None:
    (repo / "README.md").unlink()
    write(repo, "README.md/inner.txt", "now a directory\n")


def _dir_to_file(repo: Path) -> None:
    shutil.rmtree(repo / "src")
    write(repo, "src", "now a file\n")


def _links_and_modes(repo: Path) -> None:
    (repo / "README.md").unlink()
    os.symlink("src/app.py", repo / "README.md")
    (repo / "src" / "app.py").chmod(0o755)


def _odd_names(repo: Path) -> None:
    for name in ("sp ace.txt", "é/ü.txt", "new\nline.txt", "-dash", "*star?", ":colon"):
        write(repo, name, name + "\n")
    (repo / "src" / "app.py").unlink()


def _intent_to_add(repo: Path) -> None:
    write(repo, "later.txt", "v1\n")
    git(repo, "add", "-N", "later.txt")
    write(repo, "later.txt", "v2\n")


def _split_index(repo: Path) -> None:
    git(repo, "config", "core.splitIndex", "true")
    git(repo, "update-index", "--split-index")
    write(repo, "README.md", "split\n")
    write(repo, "staged.txt", "staged\n")
    git(repo, "add", "staged.txt")


def _nested_repo(repo: Path) -> None:
    make_repo(repo / "vendor" / "lib")
    write(repo, ".gitignore", "*.tmp\nbuild/\n")
    write(repo, "build/out.o", "ignored\n")
    write(repo, "x.tmp", "ignored\n")


@pytest.mark.parametrize(
    "mutate",
    [
        _file_to_dir,
        _dir_to_file,
        _links_and_modes,
        _odd_names,
        _intent_to_add,
        _split_index,
        _nested_repo,
    ],
)
def test_snapshot_tree_equals_git_add_all(repo: Path, mutate: Callable[[Path], None]) -> None:
    mutate(repo)
    result = take_snapshot(repo, AI)
    assert result.skipped is None and result.changed
    scratch = repo.parent / "scratch-index"
    shutil.copy2(repo / ".git" / "index", scratch)
    env = {**os.environ, "GIT_INDEX_FILE": str(scratch)}
    for args in (["add", "-A"], ["write-tree"]):
        out = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert git(repo, "rev-parse", f"{REF}^{{tree}}") == out.stdout.strip()


def _conflicted(tmp: Path) -> Path:
    repo = make_repo(tmp / "repo", {"f.txt": "base\n"})
    git(repo, "checkout", "-q", "-b", "other")
    write(repo, "f.txt", "other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    write(repo, "f.txt", "main\n")
    git(repo, "commit", "-q", "-am", "main")
    return repo


def _in_conflict(*args: str) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        repo = _conflicted(tmp)
        git(repo, *args, check=False)
        return repo

    return build


def _bare(tmp: Path) -> Path:
    git(tmp, "init", "-q", "--bare", "bare.git")
    return tmp / "bare.git"


def _plain(tmp: Path) -> Path:
    (tmp / "plain").mkdir()
    return tmp / "plain"


def _index_locked(tmp: Path) -> Path:
    repo = make_repo(tmp / "repo")
    (repo / ".git" / "index.lock").write_text("")
    return repo


def _deleted(tmp: Path) -> Path:
    repo = make_repo(tmp / "repo")
    shutil.rmtree(repo)
    return repo


def _loop(tmp: Path) -> Path:
    os.symlink(tmp / "b", tmp / "a")
    os.symlink(tmp / "a", tmp / "b")
    return tmp / "a"


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (_plain, "not a git repository"),
        (_bare, "bare repository"),
        (_in_conflict("merge", "other"), "merge in progress"),
        (_in_conflict("rebase", "other"), "rebase in progress"),
        (_in_conflict("cherry-pick", "other"), "cherry-pick in progress"),
        (_index_locked, "index is locked"),
        (_deleted, "does not exist"),
        (_loop, "symlink loop"),
        (lambda tmp: tmp / "nowhere", "does not exist"),
    ],
)
def test_faults_are_skipped_and_change_nothing(
    tmp_path: Path, build: Callable[[Path], Path], reason: str
) -> None:
    path = build(tmp_path)
    is_repo = (path / ".git").exists()
    before = state(path) if is_repo else None
    result = take_snapshot(path, AI)
    assert result.skipped is not None and reason in result.skipped
    assert result.commit is None and not result.changed
    if is_repo:
        assert state(path) == before
        assert git(path, "for-each-ref", "refs/switchex/") == ""


def test_detached_head_works(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    write(repo, "README.md", "detached\n")
    result = take_snapshot(repo, AI)
    assert result.changed and result.parent == git(repo, "rev-parse", "HEAD")


def test_repo_without_commits_starts_a_parentless_chain(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    assert take_snapshot(tmp_path, AI).changed is False  # empty tree, nothing to record
    write(tmp_path, "a.txt", "a\n")
    result = take_snapshot(tmp_path, AI)
    assert result.changed and result.parent is None
    assert git(tmp_path, "rev-list", "--parents", "-n1", REF) == result.commit


def test_files_over_the_cap_are_left_out_and_named(repo: Path) -> None:
    write(repo, "big.bin", "x" * 4096)
    write(repo, "README.md", "y" * 4096)
    write(repo, "small.txt", "ok\n")
    result = take_snapshot(repo, AI, max_file_bytes=1000)
    assert result.changed and result.skipped_files == ("README.md", "big.bin")
    assert "larger than 1000 bytes" in result.notes[0]
    assert "big.bin" not in tree_files(repo, REF) and "small.txt" in tree_files(repo, REF)
    assert git(repo, "show", f"{REF}:README.md") == "hello"  # tracked: the index version stays


def test_unreadable_file_is_left_out_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:  # in CI: a failure, not a skip
        reason = "as root, needs setpriv (util-linux) to run git as another user"
        (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)
    base = Path(tempfile.mkdtemp())  # reachable by `nobody`, unlike tmp_path
    try:
        base.chmod(0o755)
        repo = make_repo(base / "repo")
        write(repo, "fine.txt", "yes\n")
        (repo / ".git" / "switchex" / "tmp").mkdir(parents=True)
        if os.geteuid() == 0:  # root reads anything: run git as `nobody` in a repo it owns
            subprocess.run(["chown", "-R", "65534:65534", str(base)], check=True)
            monkeypatch.setattr(git_module, "GIT", ("setpriv", *_NOBODY, "git"))
            monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
        write(repo, "secret.txt", "no\n").chmod(0)
        result = take_snapshot(repo, AI)
        subprocess.run(["chown", "-R", f"{os.geteuid()}:{os.getegid()}", str(base)], check=True)
        assert (result.skipped, result.changed, result.skipped_files) == (
            None,
            True,
            ("secret.txt",),
        )
        assert "could not read" in result.notes[0]
        assert {"fine.txt", "README.md"} <= tree_files(repo, REF).keys()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_symlinks_and_embedded_repositories(repo: Path) -> None:
    os.symlink("README.md", repo / "link")
    os.symlink("loop2", repo / "loop1")
    os.symlink("loop1", repo / "loop2")
    make_repo(repo / "vendor" / "lib")
    (repo / "scratch").mkdir()
    git(repo / "scratch", "init", "-q")  # no commit: cannot be a gitlink
    result = take_snapshot(repo, AI)
    assert result.skipped is None and result.skipped_files == ("scratch",)
    files = tree_files(repo, REF)
    assert files["link"] == files["loop1"] == files["loop2"] == "120000"
    assert files["vendor/lib"] == "160000"


def test_submodule_is_recorded_as_its_checked_out_commit(repo: Path, tmp_path: Path) -> None:
    lib = make_repo(tmp_path / "lib")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "lib")
    git(repo, "commit", "-q", "-m", "add lib")
    write(repo, "lib/README.md", "moved on\n")
    git(repo / "lib", "commit", "-q", "-am", "lib change")
    write(repo, "lib/dirty.txt", "not committed in lib\n")
    result = take_snapshot(repo, AI)
    assert result.files == ("lib",)
    entry = git(repo, "ls-tree", REF, "lib").split()
    assert entry[:3] == ["160000", "commit", git(repo / "lib", "rev-parse", "HEAD")]


def test_sparse_checkout_keeps_files_outside_the_cone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"a/x.txt": "x\n", "b/y.txt": "y\n"})
    git(repo, "sparse-checkout", "set", "a")
    assert not (repo / "b").exists()
    write(repo, "a/x.txt", "x2\n")
    result = take_snapshot(repo, AI)
    assert result.files == ("a/x.txt",)
    assert {"a/x.txt", "b/y.txt"} <= tree_files(repo, REF).keys()


def test_linked_worktree_has_its_own_chain(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "feature")
    wt = (tmp_path / "wt").resolve()
    write(wt, "src/app.py", "print('wt')\n")
    result = take_snapshot(wt / "src", AI)
    assert result.worktree == wt and result.ref == chain_ref(wt) == "refs/switchex/snapshots/wt-wt"
    assert result.parent == git(wt, "rev-parse", "HEAD") and result.changed
    assert resolve_worktree(wt / "src") == wt
    assert git(repo, "rev-parse", "-q", "--verify", REF, check=False) == ""
    assert read_chain(wt)[0].commit == result.commit and read_chain(repo) == []


def test_subdirectory_and_file_resolve_to_the_top_level(repo: Path) -> None:
    top = repo.resolve()
    assert resolve_worktree(repo / "src") == top
    assert resolve_worktree(repo / "src" / "app.py") == top
    assert resolve_worktree(repo / ".git") is None
    assert resolve_worktree(repo.parent) is None


def test_blame_on_the_chain_names_the_model_of_each_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"f.txt": "one\ntwo\nthree\n"})
    for text, who in [
        ("one\ntwo\nthree\nfour\n", AI),
        ("ONE\ntwo\nthree\nfour\n", OTHER),
        ("ONE\nTWO\nthree\nfour\n", HUMAN),
    ]:
        write(repo, "f.txt", text)
        assert take_snapshot(repo, who).changed
    blame = git(repo, "blame", "--line-porcelain", REF, "--", "f.txt").splitlines()
    shas = [m.group(1) for line in blame if (m := re.match(r"([0-9a-f]{40}) \d+ \d+", line))]
    models = {c.commit: c.model for c in read_chain(repo)}
    models[git(repo, "rev-parse", "HEAD")] = "user"
    assert [models[s] for s in shas] == ["gemini-2.5-flash", "human", "user", "qwen2.5-coder:7b"]


def _assert_linear_chain(repo: Path, commits: list[str]) -> None:
    chain = read_chain(repo)
    assert sorted(c.commit for c in chain) == sorted(commits)
    parents = [git(repo, "rev-parse", "HEAD")] + [c.commit for c in chain[:-1]]
    assert [c.parent for c in chain] == parents


def test_parallel_threads_never_lose_a_snapshot(repo: Path) -> None:
    results = []

    def work(i: int) -> None:
        for k in range(4):
            write(repo, f"t{i}_{k}.txt", f"{i} {k}\n")
            results.append(take_snapshot(repo, Attribution(f"model-{i}", "t", "s", "ai")))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.skipped is None for r in results)
    _assert_linear_chain(repo, [r.commit for r in results if r.commit])
    assert {f"t{i}_{k}.txt" for i in range(4) for k in range(4)} <= tree_files(repo, REF).keys()


_WRITER_CHILD = """
import json, sys
from pathlib import Path
from switchex.tracker.records import Attribution
from switchex.tracker.snapshot import take_snapshot
repo, name = Path(sys.argv[1]), sys.argv[2]
commits = []
for k in range(5):
    (repo / f"{name}_{k}.txt").write_text(str(k))
    r = take_snapshot(repo, Attribution(name, "t", "s", "ai"))
    assert r.skipped is None, r.skipped
    commits += [r.commit] if r.commit else []
print(json.dumps(commits))
"""


def test_parallel_processes_never_lose_a_snapshot(repo: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER_CHILD, str(repo), f"p{i}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    commits = [c for p in procs for c in json.loads(p.communicate(timeout=60)[0])]
    assert all(p.returncode == 0 for p in procs)
    _assert_linear_chain(repo, commits)
    assert {f"p{i}_{k}.txt" for i in range(2) for k in range(5)} <= tree_files(repo, REF).keys()


_LOOPING_CHILD = """
import sys, itertools
from pathlib import Path
from switchex.tracker.records import Attribution
from switchex.tracker.snapshot import take_snapshot
repo = Path(sys.argv[1])
print("ready", flush=True)
for k in itertools.count():
    (repo / f"k{k % 7}.txt").write_text(str(k) * (k % 500))
    take_snapshot(repo, Attribution("m", "t", "s", "ai"))
"""


def test_kill_9_during_snapshots_leaves_fsck_clean(repo: Path) -> None:
    rng = random.Random(7)
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", _LOOPING_CHILD, str(repo)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        threading.Event().wait(0.05 + rng.random() * 0.15)
        os.killpg(proc.pid, signal.SIGKILL)  # python and its git children
        proc.wait()
        proc.stdout.close()
    fsck = subprocess.run(["git", "fsck", "--full"], cwd=repo, capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert not any(w in fsck.stdout + fsck.stderr for w in ("error", "missing", "broken"))
    for lock in (repo / ".git" / "refs" / "switchex" / "snapshots").glob("*.lock"):
        os.utime(lock, (0, 0))  # a killed update-ref's lock, seen later
    write(repo, "after.txt", "after\n")
    assert take_snapshot(repo, AI).changed  # stale temp files and ref locks are swept
    chain = read_chain(repo)
    assert all(a.commit == b.parent for a, b in itertools.pairwise(chain))
    assert list((repo / ".git" / "switchex" / "tmp").iterdir()) == []


def test_compare_and_swap_race_is_retried(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "README.md", "mine\n")
    real_run = git_module.run
    moved: list[str] = []

    def racing_run(cwd: Path, args: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
        if args[0] == "update-ref" and not moved:
            tree = git(repo, "rev-parse", "HEAD^{tree}")
            msg = "other\n\nSwitchex-Model: x\nSwitchex-Tier: x\nSwitchex-Kind: ai"
            env = {**os.environ, "GIT_COMMITTER_EMAIL": "switchex@localhost"}
            other = subprocess.run(
                ["git", "commit-tree", tree, "-p", "HEAD", "-m", msg],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            git(repo, "update-ref", REF, other)
            moved.append(other)
        return real_run(cwd, args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshot_module, "run", racing_run)
    result = take_snapshot(repo, AI)
    assert result.changed and result.parent == moved[0]
    assert [c.commit for c in read_chain(repo)] == [moved[0], result.commit]


def test_lock_held_elsewhere_times_out_as_skipped(repo: Path) -> None:
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with repo_lock(repo):
            held.set()
            done.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        result = take_snapshot(repo, AI, lock_timeout=0.1)
    finally:
        done.set()
        thread.join()
    assert result.skipped is not None and "timed out" in result.skipped


def test_snapshot_inside_repo_lock_of_the_same_thread(repo: Path) -> None:
    write(repo, "README.md", "under lock\n")
    with repo_lock(repo, timeout=1):
        assert take_snapshot(repo, AI, lock_timeout=0.5).changed


@pytest.mark.parametrize(("existing_chain", "kind"), [(False, "baseline"), (True, "human")])
def test_baseline_only_starts_a_chain(repo: Path, existing_chain: bool, kind: str) -> None:
    if existing_chain:
        write(repo, "README.md", "earlier\n")
        take_snapshot(repo, AI)
    write(repo, "src/app.py", "print(3)\n")
    result = take_snapshot(repo, HUMAN, baseline=True)
    assert result.attribution.kind == read_chain(repo)[-1].kind == kind


def test_custom_message_keeps_the_trailers(repo: Path) -> None:
    write(repo, "README.md", "backup\n")
    revert = Attribution("gemini-2.5-flash", "gemini-flash", "", "revert")
    take_snapshot(repo, revert, message="switchex: backup before rollback")
    body = git(repo, "log", "-1", "--format=%B", REF).splitlines()
    assert body[0] == "switchex: backup before rollback"
    assert body[-2:] == ["Switchex-Session: ", "Switchex-Kind: revert"]
    assert read_chain(repo)[-1].attribution == revert


def test_settings_written_by_init_are_never_snapshotted(repo: Path) -> None:
    write(repo, ".claude/settings.local.json", '{"env": {}}\n')
    write(repo, "work.py", "x = 1\n")
    result = take_snapshot(repo, AI)
    assert result.files == ("work.py",)
