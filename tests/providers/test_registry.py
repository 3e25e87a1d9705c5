from __future__ import annotations

import pytest

from switchex.config import parse_config
from switchex.errors import ConfigError
from switchex.providers import registry


def test_every_registered_kind_has_a_dialect_of_that_kind() -> None:
    for name in registry.names():
        dialect = registry.dialect(name)
        assert dialect.kind == name
        assert isinstance(dialect.passthrough, bool)


def test_config_accepts_exactly_the_registered_kinds() -> None:
    for name in registry.names():
        tier = {"name": "t", "provider": name, "models": {"default": "m"}, "api_key": "k"}
        tier.update({key: "x" for key in registry.kind(name).required_keys})
        assert parse_config({"tiers": [tier]}, {}, "t").tiers[0].provider == name
    with pytest.raises(ConfigError, match=r"unknown provider kind 'azure'.*anthropic"):
        parse_config({"tiers": [{"name": "t", "provider": "azure"}]}, {}, "t")


def test_default_base_url_and_key_requirement_come_from_the_registry() -> None:
    tiers = [
        {"name": "c", "provider": "anthropic"},
        {"name": "g", "provider": "gemini", "models": {"default": "gemini-2.5-flash"}},
    ]
    claude, gemini = parse_config({"tiers": tiers}, {}, "t").tiers
    assert claude.url == "https://api.anthropic.com" and claude.usable
    assert gemini.url == "https://generativelanguage.googleapis.com" and not gemini.usable


@pytest.mark.parametrize(
    ("route", "kind"),
    [
        ("anthropic/claude-sonnet-4-5", "anthropic"),
        ("gemini/gemini-2.5-flash", "gemini"),
        ("vertex_ai/gemini-2.5-pro", "gemini"),
        ("openrouter/deepseek/deepseek-r1", "openai"),
        ("ollama/qwen2.5-coder:7b", "openai"),
        ("vertex_ai/claude-sonnet-4-5@20250929", "vertex"),
        ("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"),
        ("azure/gpt-4o", None),
    ],
)
def test_litellm_routes_are_answered_by_the_registry(route: str, kind: str | None) -> None:
    found = registry.kind_for_litellm_route(route)
    assert (found.name if found else None) == kind


def test_the_longest_litellm_route_wins() -> None:
    assert registry.kind_for_litellm_route("vertex_ai/claude-opus-4-5") == registry.kind("vertex")
    assert registry.kind_for_litellm_route("vertex_ai/gemini-2.5-pro") == registry.kind("gemini")


def test_a_kind_whose_extra_is_missing_names_the_pip_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = registry.Kind("nowhere", "switchex.providers.not_installed:X", extra="nowhere")
    monkeypatch.setitem(registry._KINDS, missing.name, missing)
    with pytest.raises(ConfigError, match=r"pip install 'switchex\[nowhere\]'"):
        registry.dialect("nowhere")


def test_registering_a_kind_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        registry.register(registry.Kind("openai", "x:y"))
