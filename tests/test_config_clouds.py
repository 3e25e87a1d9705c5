"""Config for the cloud kinds: their keys, their extras, and what `config check` shows."""

from __future__ import annotations

import sys

import pytest

from switchex.config import parse_config
from switchex.errors import ConfigError


def config(tier: dict[str, object]) -> object:
    return parse_config({"tiers": [tier]}, {"PROJECT": "p1"}, "switchex.yaml")


def test_cloud_tiers_need_no_api_key_and_no_model_map() -> None:
    parsed = parse_config(
        {
            "tiers": [
                {"name": "v", "provider": "vertex", "project": "${PROJECT}", "region": "global"},
                {"name": "b", "provider": "bedrock", "region": "eu-west-1", "profile": "work"},
            ]
        },
        {"PROJECT": "p1"},
        "switchex.yaml",
    )
    vertex, bedrock = parsed.active_tiers
    assert (vertex.project, vertex.region, vertex.key_state) == (
        "p1",
        "global",
        "cloud credentials",
    )
    assert (bedrock.region, bedrock.profile) == ("eu-west-1", "work")
    assert bedrock.model_for("claude-sonnet-4-5") == "claude-sonnet-4-5"  # the kind maps it


def test_vertex_without_a_project_is_named() -> None:
    with pytest.raises(ConfigError, match=r"tier 1 \(v\).*'vertex' needs `project`"):
        config({"name": "v", "provider": "vertex"})


@pytest.mark.parametrize(
    ("kind", "module", "extra"),
    [("vertex", "google.auth", "vertex"), ("bedrock", "botocore", "bedrock")],
)
def test_a_missing_extra_is_named_with_the_install_command(
    kind: str, module: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if the extra were not installed
    with pytest.raises(ConfigError) as caught:
        config({"name": "c", "provider": kind, "project": "p"})
    assert f"pip install 'switchex[{extra}]'" in str(caught.value)
    assert "tier 'c'" in str(caught.value)


def test_unknown_keys_stay_errors_for_cloud_tiers() -> None:
    with pytest.raises(ConfigError, match="zone"):
        config({"name": "b", "provider": "bedrock", "zone": "x"})
