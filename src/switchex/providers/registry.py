"""The tier registry: the one place that maps a provider kind to its dialect and its facts.

Config validation, `switchex config check`, `config import-litellm`, the gateway's tier
building and its endpoints ask this module, never a list of their own. Adding a kind is one
package under `switchex.providers` plus one `register(Kind(...))` line at the bottom of this
file. Dialects are named by import path and loaded on first use, so reading the config does
not import every translator (nor an optional extra a kind may need).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from switchex.errors import ConfigError

if TYPE_CHECKING:
    from switchex.providers.base import Provider
    from switchex.providers.counting import TokenCounter

ANTHROPIC_API_HOST = "api.anthropic.com"


@dataclass(frozen=True)
class Kind:
    """What the gateway knows about one provider kind.

    `dialect` is `"module:Class"`, a class constructed without arguments that implements
    `providers.base.Provider`. `default_base_url` is used when a tier gives none ("" means a
    tier must give one). `key_required` says whether a remote tier of this kind is unusable
    without `api_key` (a loopback host never needs one). `needs_default_model`: a tier must
    name `models.default` (kinds that cannot serve Claude's model names as they are).
    `client_credentials`: the kind may forward the client's own credentials (see
    `providers.anthropic.forward_headers`). `counter`: `"module:Class"` of its token counter
    (`providers.counting.TokenCounter`), None when `/v1/messages/count_tokens` estimates.
    `litellm_routes`: prefixes of a LiteLLM `model` route this kind serves (the longest
    matching prefix over all kinds wins). `extra` names the pip extra a dialect needs, for the
    error when it is missing, and `extra_module` the module that extra provides (checked when
    the config is read). `required_keys`: tier keys a tier of this kind must set.
    `cloud_credentials`: the kind authenticates with the cloud's own credential chain (ADC, an
    AWS profile), never `api_key`.
    """

    name: str
    dialect: str
    default_base_url: str = ""
    key_required: bool = True
    needs_default_model: bool = True
    client_credentials: bool = False
    counter: str | None = None
    litellm_routes: tuple[str, ...] = ()
    extra: str | None = None
    extra_module: str | None = None
    required_keys: tuple[str, ...] = ()
    cloud_credentials: bool = False


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (one line per kind, below); a repeated name is a programming error."""
    if kind.name in _KINDS:
        raise ValueError(f"provider kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def names() -> list[str]:
    """The registered kinds, in registration order."""
    return list(_KINDS)


def kind(name: str) -> Kind:
    """The kind called `name`, or a ConfigError listing the known ones."""
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(_KINDS)
        raise ConfigError(f"unknown provider kind {name!r}; known kinds: {known}") from None


@cache
def _dialect_class(name: str) -> Callable[[], Provider]:
    entry = kind(name)
    module_name, _, class_name = entry.dialect.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        if entry.extra is None:
            raise
        raise ConfigError(
            f"provider kind {name!r} needs an optional extra: pip install 'switchex[{entry.extra}]'"
            f" ({error})"
        ) from None
    factory: Callable[[], Provider] = getattr(module, class_name)
    return factory


def dialect(name: str) -> Provider:
    """A fresh dialect (the Provider implementation) for the kind called `name`."""
    return _dialect_class(name)()


def counter(name: str) -> TokenCounter | None:
    """The token counter of the kind called `name`, None when it has none."""
    path = kind(name).counter
    if path is None:
        return None
    module_name, _, class_name = path.partition(":")
    factory: Callable[[], TokenCounter] = getattr(importlib.import_module(module_name), class_name)
    return factory()


def kind_for_litellm_route(route: str) -> Kind | None:
    """The kind serving a LiteLLM `model` route (`gemini/...`, `vertex_ai/claude-...`)."""
    matches = [
        (len(prefix), entry)
        for entry in _KINDS.values()
        for prefix in entry.litellm_routes
        if route.startswith(prefix)
    ]
    return max(matches, key=lambda match: match[0])[1] if matches else None


_OPENAI_ROUTES = ("openai/", "openrouter/", "deepseek/", "groq/", "together_ai/", "mistral/")
_LOCAL_ROUTES = ("ollama/", "ollama_chat/", "lm_studio/", "hosted_vllm/")

# -- the kinds: one line each --------------------------------------------------------------
register(
    Kind(
        "anthropic",
        "switchex.providers.anthropic:AnthropicProvider",
        default_base_url=f"https://{ANTHROPIC_API_HOST}",
        key_required=False,
        needs_default_model=False,
        client_credentials=True,
        counter="switchex.providers.counting:AnthropicCounter",
        litellm_routes=("anthropic/",),
    )
)
register(
    Kind(
        "openai",
        "switchex.providers.openai:OpenAIProvider",
        counter="switchex.providers.counting:TokenizeCounter",
        litellm_routes=_OPENAI_ROUTES + _LOCAL_ROUTES,
    )
)
register(
    Kind(
        "gemini",
        "switchex.providers.gemini:GeminiProvider",
        default_base_url="https://generativelanguage.googleapis.com",
        counter="switchex.providers.counting:GeminiCounter",
        litellm_routes=("gemini/", "vertex_ai/"),
    )
)
register(
    Kind(
        "vertex",
        "switchex.providers.vertex:VertexProvider",
        key_required=False,
        needs_default_model=False,
        litellm_routes=("vertex_ai/claude-",),
        extra="vertex",
        extra_module="google.auth",
        required_keys=("project",),
        cloud_credentials=True,
    )
)
register(
    Kind(
        "bedrock",
        "switchex.providers.bedrock:BedrockProvider",
        key_required=False,
        needs_default_model=False,
        litellm_routes=("bedrock/",),  # Claude only: litellm_import names the others
        extra="bedrock",
        extra_module="botocore",
        cloud_credentials=True,
    )
)
