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
    assert config.notify.urls == ["https://d"]


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
        ("tiers:\n  - name: x\n    provider: mistral\n", "bad.yaml:3: tier 1 (x): provider"),
        ("tiers:\n  - name: x\n    provider: gemini\n", "models.default"),
        ("tiers:\n  - name: x\n    provider: anthropic\n    colour: red\n", 'unknown key "colour"'),
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


TIER = {"name": "c", "provider": "anthropic"}


@pytest.mark.parametrize(
    "notify",
    [["json://a", ""], {"urls": ["json://a"], "min_interval": 5}],
)
def test_notify_takes_a_list_or_a_mapping(notify: object) -> None:
    config = parse_config({"tiers": [TIER], "notify": notify}, {}, "t")
    assert config.notify.urls == ["json://a"]
    assert config.notify.min_interval in (60.0, 5.0)


def test_server_and_limits_are_validated_naming_the_key() -> None:
    config = parse_config(
        {"tiers": [TIER], "server": {"public_names": ["gw.example"]}, "limits": {"headers": 50}},
        {},
        "t",
    )
    assert (config.server.host, config.limits.headers) == ("127.0.0.1", 50)
    assert config.limits.request_body_bytes == 32 * 1024 * 1024
    with pytest.raises(ConfigError, match=r"server\.keys\.0\.key"):
        parse_config(
            {"tiers": [TIER], "server": {"keys": [{"name": "a", "key": "short"}]}}, {}, "t"
        )
    with pytest.raises(ConfigError, match=r"limits\.request_body_bytes"):
        parse_config({"tiers": [TIER], "limits": {"request_body_bytes": 0}}, {}, "t")


def test_unknown_key_names_line_tier_and_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "switchex.yaml"
    path.write_text(
        "tiers:\n  - name: claude\n    provider: anthropic\n  - name: gem\n"
        "    provider: gemini\n    modles: {default: g}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), env={}, cwd=tmp_path)
    assert f'{path}:6: tier 2 (gem): unknown key "modles" (did you mean "models"?)' in str(
        caught.value
    )


def test_unset_variable_outside_api_key_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "switchex.yaml"
    path.write_text(
        "tiers:\n  - name: local\n    provider: openai\n    base_url: ${LOCAL_URL}\n"
        "    models: {default: m}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), env={}, cwd=tmp_path)
    assert f"{path}:4: tier 1 (local): base_url: ${{LOCAL_URL}} is not set" in str(caught.value)
    assert load_config(str(path), env={"LOCAL_URL": "http://127.0.0.1:1/v1"}).tiers[0].base_url


def test_unset_api_key_is_an_absent_key_whose_variable_is_remembered(tmp_path: Path) -> None:
    path = tmp_path / "switchex.yaml"
    path.write_text(
        "tiers:\n  - name: or\n    provider: openai\n    base_url: https://openrouter.ai/api/v1\n"
        "    api_key: ${OPENROUTER_API_KEY}\n    models: {default: m}\n"
    )
    config = load_config(str(path), env={}, cwd=tmp_path)
    assert config.tiers[0].api_key is None
    assert config.key_vars == {"or": "OPENROUTER_API_KEY"}


def test_price_override_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "switchex.yaml"
    path.write_text(
        "tiers:\n  - name: local\n    provider: openai\n    base_url: http://127.0.0.1:1/v1\n"
        "    models: {default: m}\n    price: {input: 0.5, output: 1.5, cache_read: 0.1}\n"
    )
    price = load_config(str(path), env={}, cwd=tmp_path).tiers[0].price
    assert price is not None and (price.input, price.output, price.cache_read) == (0.5, 1.5, 0.1)


def test_cooldown_settings_default_and_refuse_non_finite_values() -> None:
    tiers = [{"name": "c", "provider": "anthropic"}]
    cooldown = parse_config({"tiers": tiers}, {}, "t").cooldown
    assert (cooldown.max_reset, cooldown.auth) == (8 * 86400, 3600)
    with pytest.raises(ConfigError, match=r"cooldown\.max_reset"):
        parse_config({"tiers": tiers, "cooldown": {"max_reset": "inf"}}, {}, "t")


@pytest.mark.parametrize(
    ("tier", "forwards"),
    [
        ({}, True),
        ({"base_url": "https://API.anthropic.com/"}, True),
        ({"base_url": "https://litellm.example"}, False),
        ({"base_url": "https://litellm.example", "forward_client_credentials": True}, True),
        ({"base_url": "https://api.anthropic.com.evil.example"}, False),
        ({"base_url": "https://api.anthropic.com@evil.example"}, False),
    ],
)
def test_client_credentials_go_to_anthropics_host_or_a_tier_marked_for_them(
    tier: dict[str, object], forwards: bool
) -> None:
    config = parse_config({"tiers": [{"name": "c", "provider": "anthropic", **tier}]}, {}, "t")
    assert config.tiers[0].forwards_client_headers is forwards
    assert config.tiers[0].uses_client_credentials is forwards


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
          "tool_call_text": "auto"}, "tier 1 (g): tier 'g': tool_call_text applies"),
        (_tier(server="koboldcpp"), "tier 1 (t): server: Input should be 'llama.cpp'"),
        (_tier(tool_call_text="on"), "tier 1 (t): tool_call_text: Input should be 'auto' or 'off'"),
    ],
)  # fmt: skip
def test_bad_text_tool_keys_are_named(tier: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"tiers": [tier]}, {}, "switchex.yaml")
    assert named in str(caught.value)
