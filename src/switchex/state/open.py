"""Choosing the state store from the configuration."""

from __future__ import annotations

from switchex.config import Config
from switchex.errors import ConfigError
from switchex.state.base import MemoryStore, StateStore


def open_store(config: Config) -> StateStore:
    """`state: redis://…` → the shared store; otherwise this process's memory."""
    if not config.state:
        return MemoryStore()
    try:
        from switchex.state.redis_store import RedisStore
    except ImportError:
        raise ConfigError(
            "state: redis:// needs the team extra: pip install 'switchex[team]'"
        ) from None
    return RedisStore(config.state)


def scoped_tiers(config: Config) -> frozenset[str]:
    """Tiers cooled per client credential: on the client's own credentials, in a shared setup.

    A gateway of one user (no shared state, no client keys) keeps one state per tier.
    """
    if not config.state and not config.server.keys:
        return frozenset()
    return frozenset(tier.name for tier in config.active_tiers if tier.uses_client_credentials)
