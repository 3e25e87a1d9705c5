from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchex.fakes.bedrock import FakeBedrock

ACCESS_KEY = "AKIAFAKEFAKEFAKE0001"
SECRET_KEY = "fake/secret/key/for/tests/only/0000000000"


def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, region: str | None = None) -> None:
    """Static credentials from the environment; no ~/.aws files, no instance metadata."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    if region:
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    aws_env(monkeypatch, tmp_path)


@pytest.fixture
def bedrock() -> Iterator[FakeBedrock]:
    with FakeBedrock(access_key=ACCESS_KEY, secret_key=SECRET_KEY) as fake:
        yield fake  # type: ignore[misc]
