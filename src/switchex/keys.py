"""Client keys of a served gateway (DESIGN.md §12, §13): which key, by name, made a request.

Keys come from `server.keys` (name + key) and, in team mode, from the journal's PostgreSQL
table `api_keys (name, key_sha256)`, re-read every `refresh` seconds off the request path.
Only sha256 digests are held and compared; a key is never logged or journaled, its name is.
A client presents its key as `x-switchex-key`, `x-api-key`, `Authorization: Bearer …`, or as
the password of HTTP Basic (what a browser sends for the dashboard).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import threading
from collections.abc import Mapping

from switchex.config import Config
from switchex.errors import RequestError

log = logging.getLogger("switchex.keys")

KEY_HEADER = "x-switchex-key"
GUARDED = frozenset({"/v1/messages", "/v1/messages/count_tokens", "/", "/status", "/metrics"})
GUARDED_PREFIXES = ("/api/", "/events", "/static/")  # the dashboard's data, feed and assets


def guarded(path: str) -> bool:
    """Whether a served gateway asks a client key for `path`."""
    return path in GUARDED or path.startswith(GUARDED_PREFIXES)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def presented(headers: Mapping[str, str]) -> list[str]:
    """The keys the client may have sent, in whichever of the accepted places they are."""
    found = [headers.get(KEY_HEADER, ""), headers.get("x-api-key", "")]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found.append(value.strip())
    elif scheme.lower() == "basic":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            found.append(base64.b64decode(value.strip(), validate=True).decode().partition(":")[2])
    return [key for key in found if key]


class KeyRing:
    """The accepted keys; `required` once the gateway is served beyond loopback or has keys."""

    def __init__(
        self, keys: Mapping[str, str], table: str | None = None, refresh: float = 30.0
    ) -> None:
        self._static = {digest(key): name for name, key in keys.items()}
        self._names = dict(self._static)
        self.required = bool(keys)
        self._table = table
        self._stop = threading.Event()
        if table is not None:
            self._load()
            thread = threading.Thread(target=self._poll, args=(refresh,), daemon=True)
            thread.start()

    @classmethod
    def from_config(cls, config: Config) -> KeyRing:
        return cls({k.name: k.key for k in config.server.keys}, config.journal)

    def key_name(self, headers: Mapping[str, str]) -> str | None:
        """The name of the valid key these headers carry, else None."""
        for key in presented(headers):
            name = self._names.get(digest(key))
            if name is not None:
                return name
        return None

    def refusal(self, path: str) -> RequestError:
        error = RequestError(
            f"switchex: {path} needs a client key of this gateway (send it as the "
            f"{KEY_HEADER} header, x-api-key, or a Bearer token); ask the gateway's operator",
            401,
            "authentication_error",
        )
        return error

    def close(self) -> None:
        self._stop.set()

    def _poll(self, every: float) -> None:
        while not self._stop.wait(every):
            self._load()

    def _load(self) -> None:
        """Re-read `api_keys` (missing table or PostgreSQL down: keep the last known keys)."""
        import psycopg

        assert self._table is not None
        try:
            with psycopg.connect(self._table, connect_timeout=3) as connection:
                rows = connection.execute("SELECT key_sha256, name FROM api_keys").fetchall()
        except psycopg.Error as error:
            log.debug("keys: api_keys not read: %s", error)
            return
        self._names = {**{str(d): str(n) for d, n in rows}, **self._static}
        self.required = self.required or bool(rows)
