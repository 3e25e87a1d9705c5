"""Who may talk to the gateway: Host, Origin, content type, client keys (pure, no I/O).

The gateway is a server on the user's machine that every web page the user opens can reach.
Invariants kept here, for every endpoint:
- a `Host` that is not a loopback name, the bound address or a configured public name is
  refused (DNS rebinding: the attacker's name resolves to 127.0.0.1, the Host stays theirs);
- an `Origin` that is not the gateway's own origin is refused (cross-site pages);
- `Sec-Fetch-Site: cross-site|same-site` is refused except for a top-level navigation;
- a POST whose media type is not `application/json` is refused (a page can send `text/plain`
  without a CORS preflight);
- nothing here ever adds a CORS header.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from switchex.errors import RequestError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether a bind address reaches only this machine."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_form(address: str) -> str:
    """An address as it appears in a Host header (IPv6 in brackets), lower case."""
    address = address.lower()
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


@dataclass(frozen=True)
class Policy:
    """The Host values and origins this gateway answers to, for one bound port."""

    hosts: frozenset[str]
    origins: frozenset[str]

    @classmethod
    def build(cls, bound: str, port: int, public_names: Iterable[str] = ()) -> Policy:
        names = {*LOOPBACK_NAMES, _host_form(bound)} - {"0.0.0.0", "[::]"}
        hosts = {*names, *(f"{name}:{port}" for name in names)}
        for public in public_names:
            public = public.lower()
            hosts.add(public)
            if ":" not in public.strip("[]") or public.endswith("]"):
                hosts.add(f"{public}:{port}")
        origins = {f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")}
        return cls(frozenset(hosts), frozenset(origins))


def check(policy: Policy, method: str, headers: Mapping[str, str]) -> RequestError | None:
    """The refusal for a request's headers (lower-case names), or None when it may pass."""
    host = headers.get("host", "").lower()
    if host not in policy.hosts:
        return RequestError(
            f"Host {host or '(none)'!r} is not this gateway's address; refused "
            "(add it to server.public_names if it is yours)",
            421,
            "permission_error",
        )
    origin = headers.get("origin")
    if origin is not None and origin.lower() not in policy.origins:
        return RequestError(f"cross-origin request from {origin!r} refused", 403)
    site = headers.get("sec-fetch-site")
    if site in ("cross-site", "same-site") and headers.get("sec-fetch-mode") != "navigate":
        return RequestError(f"{site} request refused", 403)
    if method == "POST" and not is_json(headers.get("content-type", "")):
        return RequestError("content-type must be application/json", 415)
    return None


def is_json(content_type: str) -> bool:
    """`application/json`, with or without parameters such as `; charset=utf-8`."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def bearer_or_header(headers: Mapping[str, str], header: str) -> str:
    """A secret sent as `Authorization: Bearer …` or in its own header."""
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return headers.get(header, "")


def same_secret(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
