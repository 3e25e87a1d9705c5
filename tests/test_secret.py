from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from switchex.secret import HOOK_SECRET_FILE, hook_secret, private_dir, read_hook_secret


@pytest.fixture
def open_umask() -> object:
    """A permissive umask, as some users have: modes must not depend on it."""
    previous = os.umask(0o002)
    yield
    os.umask(previous)


def test_the_hook_secret_is_created_once_private_and_stable(
    tmp_path: Path, open_umask: object
) -> None:
    state = tmp_path / "state"
    assert read_hook_secret(state) is None
    first = hook_secret(state)
    assert len(first) >= 40 and hook_secret(state) == first == read_hook_secret(state)
    assert (state / HOOK_SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert state.stat().st_mode & 0o777 == 0o700


def test_racing_creators_agree_on_one_secret(tmp_path: Path) -> None:
    found: list[str] = []
    threads = [
        threading.Thread(target=lambda: found.append(hook_secret(tmp_path / "s"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and found[0] == read_hook_secret(tmp_path / "s")


def test_an_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private_dir(shared)
    assert shared.stat().st_mode & 0o777 == 0o755
