from __future__ import annotations

import pytest
from platformdirs import user_state_dir

from switchex import paths


@pytest.mark.parametrize("xdg", [None, "", "/tmp/xdg-state"])
def test_default_state_dir_is_platformdirs_one(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if xdg is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", xdg)
    assert paths.default_state_dir() == user_state_dir("switchex", appauthor=False)


def test_state_dir_prefers_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SWITCHEX_STATE_DIR", "~/from-env")
    assert paths.state_dir("/given") == "/given"
    assert paths.state_dir(None).endswith("/from-env") and "~" not in paths.state_dir(None)
