"""Turning a LiteLLM proxy config (the seed's `litellm_config.yaml`) into a switchex chain.

Pure: a parsed LiteLLM config in, switchex config data out. Which kind serves a LiteLLM
route (`gemini/…`, `ollama/…`, `vertex_ai/claude-…`) is the tier registry's answer
(`Kind.litellm_routes`); kind-specific keys are filled in by `_kind_fields`. The chain's
order is the first `fallbacks` entry (model, then its fallbacks) when there is one, else
the `model_list` order.
"""

from __future__ import annotations

import re
from typing import Any

from switchex.errors import ConfigError
from switchex.providers import registry

Json = dict[str, Any]

_OPENAI_BASES = {
    "openrouter": "https://openrouter.ai/api/v1",
    "deepseek": "https://api.deepseek.com/v1",
    "openai": "https://api.openai.com/v1",
    "groq": "https://api.groq.com/openai/v1",
    "together_ai": "https://api.together.xyz/v1",
    "mistral": "https://api.mistral.ai/v1",
}
_LOCAL_BASES = {
    "ollama": "http://127.0.0.1:11434",
    "ollama_chat": "http://127.0.0.1:11434",
    "lm_studio": "http://127.0.0.1:1234",
    "hosted_vllm": "http://127.0.0.1:8000",
}


def _secret(value: object) -> str | None:
    """LiteLLM's `os.environ/NAME` becomes `${NAME}`; literal keys are refused (never copied)."""
    if value is None:
        return None
    text = str(value)
    if text.startswith("os.environ/"):
        return "${" + text.removeprefix("os.environ/") + "}"
    raise ConfigError(
        "litellm config: a literal api_key is in the file; put it in an environment variable "
        "(os.environ/NAME) so switchex never stores it"
    )


def _v1(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


# LiteLLM's cloud parameters → switchex tier keys; credentials stay with the cloud SDK's chain.
_VERTEX_KEYS = {"vertex_project": "project", "vertex_location": "region"}
_BEDROCK_KEYS = {"aws_region_name": "region", "aws_profile_name": "profile"}
_CLOUD_SECRETS = (
    "vertex_credentials",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_role_name",
)


def _setting(value: object) -> str:
    text = str(value)
    return "${" + text.removeprefix("os.environ/") + "}" if text.startswith("os.environ/") else text


def _cloud_keys(name: str, params: Json, keys: dict[str, str]) -> Json:
    """Project/region/profile from a LiteLLM entry; credentials there are refused with a hint."""
    given = [key for key in _CLOUD_SECRETS if params.get(key)]
    if given:
        raise ConfigError(
            f"litellm config: {name!r} sets {given[0]}; switchex takes cloud credentials from "
            "the cloud's own chain (GOOGLE_APPLICATION_CREDENTIALS / gcloud ADC, AWS_* "
            "variables or an AWS profile): remove it and set those instead"
        )
    return {ours: _setting(params[theirs]) for theirs, ours in keys.items() if params.get(theirs)}


def _bedrock_model(name: str, route: str) -> str:
    """`invoke/anthropic.claude-…`, `us.anthropic.claude-…` → the Bedrock id; Claude only."""
    model = route.removeprefix("invoke/").removeprefix("converse/")
    if "anthropic.claude" not in model and not model.startswith("arn:"):
        raise ConfigError(
            f"litellm config: {name!r} routes to bedrock/{route}; only Claude models on Bedrock "
            "(bedrock/anthropic.claude-…) speak the Anthropic Messages body switchex sends"
        )
    return model


def _openai_base(prefix: str, base: object) -> str | None:
    if prefix in _LOCAL_BASES:
        return _v1(str(base or _LOCAL_BASES[prefix]))
    return _v1(str(base)) if base else _OPENAI_BASES.get(prefix)


def _kind_fields(kind: str, name: str, prefix: str, model: str, params: Json) -> Json:
    """The kind-specific tier keys for a LiteLLM entry the registry gave to `kind`.

    One branch per kind that needs more than `provider` and `models`; a new kind that needs
    fields of its own (vertex: project, region; bedrock: region) adds its branch here.
    """
    base = params.get("api_base")
    if kind == "openai":
        return {"base_url": _openai_base(prefix, base)}
    if kind == "anthropic" and base:
        return {"base_url": str(base).rstrip("/")}
    if kind == "vertex":
        return _cloud_keys(name, params, _VERTEX_KEYS)
    if kind == "bedrock":
        default = {"models": {"default": _bedrock_model(name, model)}}
        return {**default, **_cloud_keys(name, params, _BEDROCK_KEYS)}
    return {}


def tier_from_entry(entry: Json) -> Json:
    """One LiteLLM `model_list` entry as a switchex tier; the registry says which kind."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(entry.get("model_name", ""))).strip("-")
    params = entry.get("litellm_params") or {}
    route = str(params.get("model", ""))
    prefix, _, model = route.partition("/")
    if not name or not model:
        raise ConfigError(f"litellm config: cannot read model_list entry {entry!r}")
    kind = registry.kind_for_litellm_route(route)
    if kind is None:
        raise ConfigError(f"litellm config: provider {prefix!r} of {name!r} is not supported")
    tier: Json = {"name": name, "provider": kind.name, "models": {"default": model}}
    tier.update(_kind_fields(kind.name, name, prefix, model, params))
    key = _secret(params.get("api_key"))
    if key:
        tier["api_key"] = key
    return tier


def _order(names: list[str], config: Json) -> list[str]:
    settings = {**(config.get("litellm_settings") or {}), **(config.get("router_settings") or {})}
    for fallback in settings.get("fallbacks") or []:
        if isinstance(fallback, dict):
            for first, rest in fallback.items():
                chain = [first, *(rest or [])]
                return [n for n in chain if n in names] + [n for n in names if n not in chain]
    return names


def from_litellm(config: Any) -> Json:
    """Switchex config data for a parsed LiteLLM proxy config."""
    entries = config.get("model_list") if isinstance(config, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigError("litellm config: no model_list")
    by_name: dict[str, Json] = {}
    for entry in entries:
        # LiteLLM load-balances entries that share a model_name: the first one becomes the tier.
        by_name.setdefault(str(entry.get("model_name")), tier_from_entry(entry))
    return {"tiers": [by_name[name] for name in _order(list(by_name), config)]}
