"""Google access tokens for the vertex kind, from Application Default Credentials.

google-auth does the work (ADC discovery, service accounts, user credentials, workload
identity); its refresh is blocking HTTP, so it runs in a worker thread, never on the event
loop. The token is cached until google-auth considers it near expiry (`valid` turns false a
few minutes before the real expiry); concurrent requests share one refresh.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from switchex.errors import ConfigError, SwitchableError

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)


def _require() -> None:
    try:
        import google.auth
        import google.auth.transport.requests  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the vertex provider needs google-auth and requests: pip install 'switchex[vertex]'"
        ) from None


def _default_credentials() -> Credentials:
    import google.auth

    credentials, _ = google.auth.default(scopes=list(SCOPES))
    return credentials


def _refresh(credentials: Credentials) -> None:
    from google.auth.transport.requests import Request

    credentials.refresh(Request())  # type: ignore[no-untyped-call]


class TokenSource:
    """Bearer tokens from injected credentials, or from ADC on first use."""

    def __init__(self, credentials: Credentials | None = None) -> None:
        _require()
        self._credentials = credentials
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        """A valid access token; SwitchableError (auth_failed) when none can be had."""
        credentials = self._credentials
        if credentials is not None and credentials.valid and credentials.token:
            return str(credentials.token)
        async with self._lock:
            try:
                return await self._fresh()
            except Exception as error:  # google-auth raises many kinds; all mean "no token"
                raise SwitchableError(
                    502,
                    f"no Google access token for Vertex AI: {type(error).__name__}: {error}",
                    "api_error",
                    reason="auth_failed",
                ) from None

    async def _fresh(self) -> str:
        if self._credentials is None:
            self._credentials = await asyncio.to_thread(_default_credentials)
        credentials = self._credentials
        if not (credentials.valid and credentials.token):
            await asyncio.to_thread(_refresh, credentials)
        if not credentials.token:
            raise RuntimeError("google-auth gave no token")
        return str(credentials.token)
