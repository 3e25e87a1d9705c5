"""SigV4 signing for the bedrock kind, with botocore's credential chain.

botocore finds the credentials (environment, `profile` in ~/.aws, SSO, instance roles) and
signs; nothing here computes a signature. Finding credentials may do blocking I/O (files,
the instance metadata service, an SSO refresh), so it runs in a worker thread once per
profile and again only when botocore says temporary credentials need refreshing. Signing
itself is a few HMACs and runs inline.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from switchex.errors import ConfigError, SwitchableError
from switchex.providers.base import UpstreamCall

if TYPE_CHECKING:
    from botocore.credentials import Credentials, ReadOnlyCredentials

SERVICE = "bedrock"
DEFAULT_REGION = "us-east-1"


def _require() -> None:
    try:
        import botocore.auth  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the bedrock provider needs botocore: pip install 'switchex[bedrock]'"
        ) from None


def profile_region(profile: str | None) -> str | None:
    """The region botocore would use for `profile` (AWS_REGION, AWS_DEFAULT_REGION, config)."""
    from botocore.session import Session

    region = Session(profile=profile).get_config_variable("region")
    return str(region) if region else None


def _load(profile: str | None) -> Credentials:
    from botocore.session import Session

    credentials = Session(profile=profile).get_credentials()
    if credentials is None:
        raise RuntimeError("botocore found no AWS credentials (environment, profile, role)")
    return credentials


def _frozen(credentials: Credentials) -> ReadOnlyCredentials:
    return credentials.get_frozen_credentials()


def sign(call: UpstreamCall, credentials: ReadOnlyCredentials, region: str) -> dict[str, str]:
    """The call's headers plus `Authorization`, `X-Amz-Date` (and the session token)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(call.method, call.url, dict(call.headers), call.body)
    SigV4Auth(credentials, SERVICE, region).add_auth(request)
    return {key: str(value) for key, value in request.headers.items()}


class Signer:
    """Signs calls with each profile's credentials (loaded once, refreshed when botocore says)."""

    def __init__(self) -> None:
        _require()
        self._loaded: dict[str | None, Credentials] = {}
        self._lock = asyncio.Lock()

    async def _credentials(self, profile: str | None) -> Credentials:
        found = self._loaded.get(profile)
        if found is not None:
            return found
        async with self._lock:
            if profile not in self._loaded:
                self._loaded[profile] = await asyncio.to_thread(_load, profile)
            return self._loaded[profile]

    async def credentials(self, profile: str | None) -> ReadOnlyCredentials:
        """Frozen credentials to sign one call with; refreshed in a thread when due."""
        from botocore.credentials import RefreshableCredentials

        credentials = await self._credentials(profile)
        if isinstance(credentials, RefreshableCredentials) and credentials.refresh_needed():
            return await asyncio.to_thread(_frozen, credentials)
        return _frozen(credentials)


def auth_failure(error: Exception) -> SwitchableError:
    return SwitchableError(
        502,
        f"no AWS credentials for Bedrock: {type(error).__name__}: {error}",
        "api_error",
        reason="auth_failed",
    )
