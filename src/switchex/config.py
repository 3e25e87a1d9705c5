"""Configuration: the YAML file, `${VAR}` expansion, validation, the embedded default chain."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from switchex.errors import ConfigError

ProviderKind = Literal["anthropic", "openai", "gemini", "vertex", "bedrock"]
# Kinds whose credentials come from the cloud's own SDK (ADC, AWS profile), never `api_key`,
# and the module each needs from its optional extra.
CLOUD_EXTRAS = {"vertex": ("google.auth", "vertex"), "bedrock": ("botocore", "bedrock")}

DEFAULT_BASE_URLS: dict[str, str] = {
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com",
}

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierConfig(_Strict):
    """One tier of the chain."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    provider: ProviderKind
    base_url: str | None = None
    api_key: str | None = None
    models: dict[str, str] = Field(default_factory=dict)
    max_output_tokens: int | None = Field(default=None, gt=0)
    context_window: int | None = Field(default=None, gt=0)
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
    server: str | None = Field(
        default=None, description="openai: the server software, `llama.cpp` for its quirks"
    )

    @field_validator("api_key")
    @classmethod
    def _blank_key_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _needs_default_model(self) -> TierConfig:
        if self.provider in CLOUD_EXTRAS:
            _check_cloud_tier(self.name, self.provider, self.project)
        elif self.provider != "anthropic" and "default" not in self.models:
            raise ValueError(
                f"tier {self.name!r}: provider {self.provider!r} needs models.default "
                "(the model that serves requests)"
            )
        return self

    @property
    def url(self) -> str:
        base = self.base_url or DEFAULT_BASE_URLS.get(self.provider, "")
        return base.rstrip("/")

    @property
    def key_required(self) -> bool:
        """Whether this tier is unusable without a key (local servers and Claude need none)."""
        if self.requires_key is not None:
            return self.requires_key
        if self.provider == "anthropic" or self.provider in CLOUD_EXTRAS:
            return False
        host = re.sub(r"^https?://", "", self.url).split("/")[0].split(":")[0]
        return host not in {"127.0.0.1", "localhost", "::1", "[::1]"}

    @property
    def usable(self) -> bool:
        return bool(self.api_key) or not self.key_required

    @property
    def key_state(self) -> str:
        """Whether the key is there, for status displays — never the key itself."""
        if self.api_key:
            return "present"
        if self.provider == "anthropic":
            return "client's own"
        if self.provider in CLOUD_EXTRAS:
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


def _check_cloud_tier(name: str, provider: str, project: str | None) -> None:
    """A cloud tier needs its optional extra installed (and vertex a project)."""
    import importlib.util

    module, extra = CLOUD_EXTRAS[provider]
    if importlib.util.find_spec(module.split(".")[0]) is None or (
        importlib.util.find_spec(module) is None
    ):
        raise ValueError(
            f"tier {name!r}: provider {provider!r} needs the {module} module: "
            f"pip install 'switchex[{extra}]'"
        )
    if provider == "vertex" and not project:
        raise ValueError(f"tier {name!r}: provider 'vertex' needs `project` (the GCP project id)")


class CooldownConfig(_Strict):
    initial: float = Field(default=30.0, gt=0)
    maximum: float = Field(default=900.0, gt=0)


class TrackingConfig(_Strict):
    enabled: bool = True
    max_file_bytes: int = Field(default=50 * 1024 * 1024, gt=0)


class ClientKey(_Strict):
    """A client key of a served gateway (`server.keys`); the name goes to the journal."""

    name: str = Field(min_length=1)
    key: str = Field(min_length=16)


class ServerConfig(_Strict):
    keys: list[ClientKey] = Field(default_factory=list)


class Config(_Strict):
    """The whole configuration; frozen, handed to the app factory."""

    tiers: list[TierConfig] = Field(min_length=1)
    notify: list[str] = Field(default_factory=list)
    cooldown: CooldownConfig = Field(default_factory=CooldownConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    ping_interval: float = Field(default=10.0, gt=0)
    state: str | None = Field(default=None, pattern=r"^(rediss?|unix)://")
    journal: str | None = Field(default=None, pattern=r"^postgres(ql)?://")
    server: ServerConfig = Field(default_factory=ServerConfig)
    source: str = "embedded default"

    @field_validator("notify")
    @classmethod
    def _drop_blank_urls(cls, value: list[str]) -> list[str]:
        return [url for url in value if url.strip()]

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


def expand_vars(value: Any, env: Mapping[str, str]) -> Any:
    """Expand `${VAR}` and `${VAR:-default}` in every string of a parsed YAML value."""
    if isinstance(value, str):
        return _VAR.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_vars(item, env) for item in value]
    if isinstance(value, dict):
        return {key: expand_vars(item, env) for key, item in value.items()}
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
    }


def _format_error(error: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def parse_config(data: Any, env: Mapping[str, str], source: str) -> Config:
    """Validate parsed YAML (after `${VAR}` expansion) into a Config."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with a `tiers` list")
    data = expand_vars(data, env)
    if env.get("DISCORD_WEBHOOK_URL") and "notify" not in data:
        data["notify"] = [env["DISCORD_WEBHOOK_URL"]]
    try:
        return Config.model_validate({**data, "source": source})
    except ValidationError as error:
        raise ConfigError(_format_error(error, source)) from None


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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_config(data, env, str(path))
