from __future__ import annotations

from pathlib import Path

import pytest

from switchex.config import expand_vars, load_config, parse_config
from switchex.errors import ConfigError


def test_embedded_default_skips_tiers_without_keys() -> None:
    config = load_config(env={}, cwd=Path("/nonexistent"))
    assert [t.name for t in config.tiers] == ["claude", "gemini-flash", "deepseek-r1", "local"]
    assert [t.name for t in config.active_tiers] == ["claude", "local"]


def test_embedded_default_takes_keys_from_the_environment() -> None:
    env = {"GEMINI_API_KEY": "g", "OPENROUTER_API_KEY": "o", "DISCORD_WEBHOOK_URL": "https://d"}
    config = load_config(env=env, cwd=Path("/nonexistent"))
    assert [t.name for t in config.active_tiers] == [
        "claude",
        "gemini-flash",
        "deepseek-r1",
        "local",
    ]
    assert config.notify == ["https://d"]


def test_vars_expand_with_defaults() -> None:
    data = {"a": "${X}", "b": ["${Y:-fallback}"], "c": {"d": "x${X}y"}}
    assert expand_vars(data, {"X": "1"}) == {"a": "1", "b": ["fallback"], "c": {"d": "x1y"}}


def test_file_is_found_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "switchex.yaml").write_text(
        "tiers:\n  - name: only\n    provider: openai\n    base_url: http://127.0.0.1:1/v1\n"
        "    models: {default: m}\n"
    )
    config = load_config(env={}, cwd=tmp_path)
    assert config.tiers[0].name == "only"
    assert config.source.endswith("switchex.yaml")


@pytest.mark.parametrize(
    ("yaml_text", "named"),
    [
        ("tiers:\n  - name: x\n    provider: mistral\n", "tiers.0.provider"),
        ("tiers:\n  - name: x\n    provider: gemini\n", "models.default"),
        ("tiers:\n  - name: x\n    provider: anthropic\n    colour: red\n", "tiers.0.colour"),
        ("tiers: []\n", "tiers"),
        ("tiers:\n  - {name: a, provider: anthropic}\n  - {name: a, provider: anthropic}\n", "a"),
        ("- just\n- a list\n", "top level"),
        ("tiers: [\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, yaml_text: str, named: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), env={}, cwd=tmp_path)
    assert str(path) in str(caught.value)
    assert named in str(caught.value)


def test_missing_file_is_named() -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: configuration file not found"):
        load_config("nope.yaml", env={}, cwd=Path("/"))


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("claude-haiku-4-5", "small-model"),
        ("claude-opus-4-5", "big-model"),
        ("exact-name", "exact-target"),
    ],
)
def test_model_map_exact_then_glob_then_default(requested: str, expected: str) -> None:
    config = parse_config(
        {
            "tiers": [
                {
                    "name": "t",
                    "provider": "openai",
                    "base_url": "http://127.0.0.1/v1",
                    "models": {
                        "default": "big-model",
                        "*haiku*": "small-model",
                        "exact-name": "exact-target",
                    },
                }
            ]
        },
        {},
        "test",
    )
    assert config.tiers[0].model_for(requested) == expected


def test_anthropic_tier_without_map_keeps_the_requested_model() -> None:
    config = parse_config({"tiers": [{"name": "c", "provider": "anthropic"}]}, {}, "t")
    assert config.tiers[0].model_for("claude-opus-5-5") == "claude-opus-5-5"


def _tier(**extra: object) -> dict[str, object]:
    return {"name": "t", "provider": "openai", "models": {"default": "m"}, **extra}


@pytest.mark.parametrize(
    ("extra", "parses"),
    [
        ({"base_url": "http://127.0.0.1:11434/v1"}, True),  # loopback: on by default
        ({"base_url": "http://localhost:8080/v1", "tool_call_text": "off"}, False),
        ({"base_url": "https://openrouter.ai/api/v1"}, False),  # a cloud API: off
        ({"base_url": "https://gpu.lan/v1", "server": "llama.cpp"}, True),  # a known server
        ({"base_url": "https://openrouter.ai/api/v1", "tool_call_text": "auto"}, True),
    ],
)
def test_tool_call_text_defaults_to_local_servers(extra: dict[str, object], parses: bool) -> None:
    config = parse_config({"tiers": [_tier(api_key="k", **extra)]}, {}, "test")
    assert config.tiers[0].parses_text_tools is parses


@pytest.mark.parametrize(
    ("tier", "named"),
    [
        ({"name": "g", "provider": "gemini", "api_key": "k", "models": {"default": "m"},
          "tool_call_text": "auto"}, "tiers.0: Value error, tier 'g': tool_call_text applies"),
        (_tier(server="koboldcpp"), "tiers.0.server: Input should be 'llama.cpp'"),
        (_tier(tool_call_text="on"), "tiers.0.tool_call_text: Input should be 'auto' or 'off'"),
    ],
)  # fmt: skip
def test_bad_text_tool_keys_are_named(tier: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"tiers": [tier]}, {}, "switchex.yaml")
    assert named in str(caught.value)
