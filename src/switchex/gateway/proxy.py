"""Which proxy, if any, a call to an upstream goes through.

    tier `proxy:` unset       the environment: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and
                              NO_PROXY (either case), read by `urllib.request` (which also
                              reads the system settings on macOS and Windows)
    tier `proxy: none` / ""   never a proxy
    tier `proxy: <URL>`       always that proxy (even for a loopback host)

A loopback host (127.0.0.0/8, ::1, localhost) never goes through the environment's proxy.
Only `http://` proxies are spoken: https origins through a CONNECT tunnel (TLS inside it),
http origins as absolute-form requests. Credentials in the proxy URL become
`Proxy-Authorization: Basic …` and are never shown: `Proxy.display` is host:port.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

log = logging.getLogger("switchex.gateway")
NO_PROXY_WORDS = frozenset({"", "none", "direct"})


@dataclass(frozen=True, slots=True)
class Proxy:
    """An http:// proxy; `authorization` is the Proxy-Authorization value, if any."""

    host: str
    port: int
    authorization: str | None = None

    @property
    def display(self) -> str:
        return f"{self.host}:{self.port}"


def parse_proxy(url: str) -> Proxy:
    """A proxy URL (`http://[user:pass@]host[:port]`, scheme optional) as a Proxy.

    Raises ValueError naming what is wrong, never echoing the credentials.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme.lower() != "http":
        raise ValueError(f"proxy scheme {parts.scheme!r} is not supported (only http://)")
    try:
        host, port = parts.hostname, parts.port or 80
    except ValueError:
        raise ValueError("proxy URL has an invalid port") from None
    if not host:
        raise ValueError("proxy URL has no host")
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    return Proxy(host, port, authorization)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def proxy_for(scheme: str, host: str, port: int, setting: str | None) -> Proxy | None:
    """The proxy for one origin under a tier's `proxy:` setting (None: the environment)."""
    if setting is not None:
        return None if setting.strip().lower() in NO_PROXY_WORDS else parse_proxy(setting)
    if is_loopback(host):
        return None
    proxies = urllib.request.getproxies()
    url = proxies.get(scheme) or proxies.get("all")
    if not url or urllib.request.proxy_bypass(f"{host}:{port}"):
        return None
    try:
        return parse_proxy(url)
    except ValueError as error:
        log.warning("ignoring the %s proxy from the environment: %s", scheme, error)
        return None
