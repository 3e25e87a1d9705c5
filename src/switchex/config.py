"""Configuration: the YAML file, `${VAR}` expansion, validation, the embedded default chain."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from switchex.errors import ConfigError
from switchex.gateway.proxy import NO_PROXY_WORDS, parse_proxy
from switchex.gateway.tls import check_ca_bundle
from switchex.providers import registry

ServerKind = Literal["llama.cpp", "ollama", "lm-studio", "vllm"]


def _known_kind(value: str) -> str:
    if value not in registry.names():
        raise ValueError(f"unknown provider kind {value!r}; known: {', '.join(registry.names())}")
    return value


ProviderKind = Annotated[str, AfterValidator(_known_kind)]
"""A provider kind: a name the tier registry (`switchex.providers.registry`) knows."""

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Loc = tuple[int | str, ...]
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierPrice(_Strict):
    """Dollars per million tokens, for models genai-prices does not know (local, private)."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


class TierCapabilities(_Strict):
    """What a tier's model can take; unset keys default from its model family."""

    vision: bool | None = None
    documents: bool | None = None
    thinking: bool | None = None
    server_tools: bool | None = None


class TierConfig(_Strict):
    """One tier of the chain."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    provider: ProviderKind
    base_url: str | None = None
    api_key: str | None = None
    models: dict[str, str] = Field(default_factory=dict)
    max_output_tokens: int | None = Field(default=None, gt=0)
    context_window: int | None = Field(default=None, gt=0)
    capabilities: TierCapabilities = Field(default_factory=TierCapabilities)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=600.0, gt=0, description="seconds for a whole answer")
    connect_timeout: float = Field(default=10.0, gt=0)
    first_byte_timeout: float = Field(
        default=120.0, gt=0, description="seconds to wait for the upstream's response headers"
    )
    requires_key: bool | None = None
    project: str | None = Field(default=None, description="vertex: the Google Cloud project")
    region: str | None = Field(default=None, description="vertex/bedrock: the cloud region")
    profile: str | None = Field(default=None, description="bedrock: the AWS profile")
    price: TierPrice | None = None
    forward_client_credentials: bool = Field(
        default=False,
        description="forward the client's own credentials and anthropic-beta to this tier "
        "(always done for Anthropic's API host)",
    )
    proxy: str | None = Field(default=None, description="proxy URL; none/'' = no proxy")
    ca_bundle: str | None = Field(default=None, description="PEM file of the CAs to trust")
    verify: bool = True

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in NO_PROXY_WORDS:
            parse_proxy(value)
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _loadable_bundle(cls, value: str | None) -> str | None:
        if value:
            check_ca_bundle(value)
        return value or None

    tool_call_text: Literal["auto", "off"] | None = Field(
        default=None, description="parse tool calls printed as text (openai tiers)"
    )
    server: ServerKind | None = Field(default=None, description="the local server software")

    @field_validator("api_key")
    @classmethod
    def _blank_key_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _needs_default_model(self) -> TierConfig:
        entry = registry.kind(self.provider)
        if entry.extra_module is not None:
            _check_extra(self.name, self.provider, entry.extra_module, entry.extra or "")
        for key in entry.required_keys:
            if not getattr(self, key):
                raise ValueError(f"tier {self.name!r}: provider {self.provider!r} needs `{key}`")
        if entry.needs_default_model and "default" not in self.models:
            raise ValueError(
                f"tier {self.name!r}: provider {self.provider!r} needs models.default "
                "(the model that serves requests)"
            )
        return self

    @model_validator(mode="after")
    def _openai_only_keys(self) -> TierConfig:
        keys = (("tool_call_text", self.tool_call_text), ("server", self.server))
        for key, value in keys:
            if value is not None and self.provider != "openai":
                raise ValueError(f"tier {self.name!r}: {key} applies to openai tiers only")
        return self

    @property
    def url(self) -> str:
        base = self.base_url or registry.kind(self.provider).default_base_url
        return base.rstrip("/")

    @property
    def host(self) -> str:
        """The upstream's host name, lower-case ("" when the URL has none)."""
        try:
            return (urlsplit(self.url).hostname or "").lower()
        except ValueError:
            return ""

    @property
    def key_required(self) -> bool:
        """Whether this tier is unusable without a key (local servers and Claude need none)."""
        if self.requires_key is not None:
            return self.requires_key
        return registry.kind(self.provider).key_required and self.host not in _LOOPBACK

    @property
    def uses_client_credentials(self) -> bool:
        """Whether the client's own credentials (and anthropic-beta) go to this tier.

        Only for a kind that can forward them, when the tier has no key of its own, and only
        to Anthropic's API host or a tier marked `forward_client_credentials: true`.
        """
        if self.api_key or not registry.kind(self.provider).client_credentials:
            return False
        return self.forwards_client_headers

    @property
    def forwards_client_headers(self) -> bool:
        """Whether the client's credential headers and `anthropic-beta` may reach this tier."""
        if not registry.kind(self.provider).client_credentials:
            return False
        return self.forward_client_credentials or self.host == registry.ANTHROPIC_API_HOST

    @property
    def loopback(self) -> bool:
        return self.host in _LOOPBACK

    @property
    def parses_text_tools(self) -> bool:
        """`tool_call_text`; by default on for openai tiers on loopback or a known server."""
        if self.provider != "openai" or self.tool_call_text == "off":
            return False
        return self.tool_call_text == "auto" or self.loopback or self.server is not None

    @property
    def usable(self) -> bool:
        return bool(self.api_key) or not self.key_required

    @property
    def key_state(self) -> str:
        """Whether the key is there, for status displays — never the key itself."""
        if self.api_key:
            return "present"
        if self.uses_client_credentials:
            return "client's own"
        if registry.kind(self.provider).cloud_credentials:
            return "cloud credentials"
        return "not needed" if self.usable else "missing"

    def model_for(self, requested: str) -> str:
        """The model this tier serves for the model name Claude Code asked for."""
        if requested in self.models:
            return self.models[requested]
        for pattern, model in self.models.items():
            if pattern != "default" and fnmatch.fnmatchcase(requested, pattern):
                return model
        return self.models.get("default", requested)


def _check_extra(name: str, provider: str, module: str, extra: str) -> None:
    """A kind from an optional extra: its module must be importable."""
    import importlib.util

    if importlib.util.find_spec(module.split(".")[0]) is None or (
        importlib.util.find_spec(module) is None
    ):
        raise ValueError(
            f"tier {name!r}: provider {provider!r} needs the {module} module: "
            f"pip install 'switchex[{extra}]'"
        )


class CooldownConfig(_Strict):
    """Seconds: backoff `initial` doubling to `maximum`; every upstream reset hint clamped to
    `max_reset`; a tier whose own key fails (auth_failed, billing) cools `auth`."""

    initial: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    maximum: float = Field(default=900.0, gt=0, allow_inf_nan=False)
    max_reset: float = Field(default=8 * 86400.0, gt=0, allow_inf_nan=False)
    auth: float = Field(default=3600.0, gt=0, allow_inf_nan=False)


class TrackingConfig(_Strict):
    enabled: bool = True
    max_file_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    repos: list[str] = Field(default_factory=list)  # paths/globs tracked besides `init`'s


class ClientKey(_Strict):
    """A client key of a served gateway (`server.keys`); the name goes to the journal."""

    name: str = Field(min_length=1)
    key: str = Field(min_length=16, description="a client's key for a gateway beyond loopback")


class ServerConfig(_Strict):
    """Where the gateway listens and whom it answers (see README, Security)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    public_names: list[str] = Field(default_factory=list)
    keys: list[ClientKey] = Field(default_factory=list)


class LimitsConfig(_Strict):
    """Inbound limits (every breach an Anthropic-shaped error and a journal row) and upstream
    caps (a longer SSE line or a bigger whole answer is a failure of the tier)."""

    request_body_bytes: int = Field(default=32 * 1024 * 1024, gt=0, le=256 * 1024 * 1024)
    head_bytes: int = Field(default=64 * 1024, ge=1024)
    headers: int = Field(default=100, gt=0)
    header_timeout: float = Field(default=10.0, gt=0, description="seconds to send a whole head")
    body_idle_timeout: float = Field(default=30.0, gt=0)
    body_timeout: float = Field(default=300.0, gt=0, description="seconds to send a whole body")
    sse_line_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    upstream_body_bytes: int = Field(default=64 * 1024 * 1024, gt=0)


class NotifyConfig(_Strict):
    """`notify`: a list of apprise URLs, or `{urls: [...], min_interval: 60}`."""

    urls: list[str] = Field(default_factory=list)
    min_interval: float = Field(default=60.0, ge=0, description="seconds between two per tier")

    @model_validator(mode="before")
    @classmethod
    def _list_form(cls, value: Any) -> Any:
        return {"urls": value} if isinstance(value, list) else value

    @field_validator("urls")
    @classmethod
    def _drop_blank_urls(cls, value: list[str]) -> list[str]:
        return [url for url in value if url.strip()]


class Config(_Strict):
    """The whole configuration; frozen, handed to the app factory."""

    tiers: list[TierConfig] = Field(min_length=1)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    cooldown: CooldownConfig = Field(default_factory=CooldownConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    ping_interval: float = Field(default=10.0, gt=0)
    state: str | None = Field(default=None, pattern=r"^(rediss?|unix)://")
    journal: str | None = Field(default=None, pattern=r"^postgres(ql)?://")
    source: str = "embedded default"
    key_vars: dict[str, str] = Field(default_factory=dict)  # tier -> the unset key's variable

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        names = [tier.name for tier in self.tiers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"tier names must be unique; repeated: {', '.join(duplicates)}")
        return self

    @property
    def active_tiers(self) -> list[TierConfig]:
        """The tiers that can serve: those whose key is present or not needed."""
        return [tier for tier in self.tiers if tier.usable]

    def tier(self, name: str) -> TierConfig:
        for tier in self.tiers:
            if tier.name == name:
                return tier
        known = ", ".join(t.name for t in self.tiers)
        raise ConfigError(f"unknown tier {name!r}; the chain has: {known}")


def expand_vars(
    value: Any, env: Mapping[str, str], unset: list[tuple[Loc, str]] | None = None, at: Loc = ()
) -> Any:
    """Expand `${VAR}` and `${VAR:-default}` in every string of a parsed YAML value.

    An unset (or empty) variable without a default expands to "" and is noted in `unset`
    with where it was, so the caller can refuse it where "" is not a value.
    """
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if not env.get(name) and default is None and unset is not None:
                unset.append((at, name))
            return env.get(name) or (default or "")

        return _VAR.sub(one, value)
    if isinstance(value, list):
        return [expand_vars(item, env, unset, (*at, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {k: expand_vars(item, env, unset, (*at, k)) for k, item in value.items()}
    return value


def default_config_data(env: Mapping[str, str]) -> dict[str, Any]:
    """The embedded chain: Claude → Gemini → DeepSeek (OpenRouter) → a local Ollama model."""
    notify = [env["DISCORD_WEBHOOK_URL"]] if env.get("DISCORD_WEBHOOK_URL") else []
    return {
        "tiers": [
            {"name": "claude", "provider": "anthropic", "api_key": env.get("ANTHROPIC_API_KEY")},
            {
                "name": "gemini-flash",
                "provider": "gemini",
                "api_key": env.get("GOOGLE_API_KEY") or env.get("GEMINI_API_KEY"),
                "models": {"default": "gemini-2.5-flash"},
            },
            {
                "name": "deepseek-r1",
                "provider": "openai",
                "base_url": "https://openrouter.ai/api/v1",
                "api_key": env.get("OPENROUTER_API_KEY"),
                "models": {"default": "deepseek/deepseek-r1"},
            },
            {
                "name": "local",
                "provider": "openai",
                "base_url": env.get("SWITCHEX_LOCAL_BASE_URL") or "http://127.0.0.1:11434/v1",
                "models": {"default": env.get("SWITCHEX_LOCAL_MODEL") or "qwen2.5-coder:7b"},
            },
        ],
        "notify": notify,
        "key_vars": {
            "gemini-flash": "GOOGLE_API_KEY or GEMINI_API_KEY",
            "deepseek-r1": "OPENROUTER_API_KEY",
        },
    }


def _unset_keys(data: dict[str, Any], unset: list[tuple[Loc, str]]) -> dict[str, str]:
    """Tier name -> variable of an unset `api_key`; drops the entries that may be empty."""
    keys: dict[str, str] = {}
    for loc, name in list(unset):
        if len(loc) == 3 and loc[0] == "tiers" and loc[2] == "api_key":
            tier = data["tiers"][loc[1]]
            keys[str(tier.get("name", loc[1]))] = name
            unset.remove((loc, name))
        elif loc[:1] == ("notify",):  # a blank notification URL is dropped, as documented
            unset.remove((loc, name))
    return keys


def parse_config(
    data: Any, env: Mapping[str, str], source: str, node: yaml.Node | None = None
) -> Config:
    """Validate parsed YAML (after `${VAR}` expansion) into a Config.

    An unset `${VAR}` is an error anywhere but in `api_key` (an absent key, whose variable
    `key_vars` remembers) and `notify`; `node` (from `yaml.compose`) gives errors their line.
    """
    from switchex.config_errors import describe, unset_vars

    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with a `tiers` list")
    unset: list[tuple[Loc, str]] = []
    expanded = expand_vars(data, env, unset)
    key_vars = _unset_keys(expanded, unset) if isinstance(expanded.get("tiers"), list) else {}
    if unset:
        raise ConfigError(unset_vars(unset, data, source, node))
    if env.get("DISCORD_WEBHOOK_URL") and "notify" not in expanded:
        expanded["notify"] = [env["DISCORD_WEBHOOK_URL"]]
    try:
        key_vars = {**expanded.get("key_vars", {}), **key_vars}
        return Config.model_validate({**expanded, "source": source, "key_vars": key_vars})
    except ValidationError as error:
        raise ConfigError(describe(error, Config, data, source, node)) from None


def find_config_file(explicit: str | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    """`--config`, else SWITCHEX_CONFIG, else ./switchex.yaml when it exists."""
    named = explicit or env.get("SWITCHEX_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found")
        return path
    local = cwd / "switchex.yaml"
    return local if local.is_file() else None


def load_config(
    explicit: str | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Config:
    """The configuration in force: a file if one is found, else the embedded default."""
    env = os.environ if env is None else env
    path = find_config_file(explicit, env, cwd or Path.cwd())
    if path is None:
        return parse_config(default_config_data(env), env, "embedded default")
    try:
        text = path.read_text(encoding="utf-8")
        data, node = yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_config(data, env, str(path), node)
