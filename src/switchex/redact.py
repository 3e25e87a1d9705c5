"""Keys written inside URLs, hidden before a URL is displayed or logged."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "api-key", "token", "access_token", "sig"})
HIDDEN = "***"
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@]*@")


def redact_url(url: str) -> str:
    """`url` with its user:password and key-like query values replaced by `***`."""
    url = _USERINFO.sub(rf"\1{HIDDEN}@", url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return HIDDEN
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name.lower() in SECRET_PARAMS for name, _ in pairs):
        return url
    query = urlencode(
        [(n, HIDDEN if n.lower() in SECRET_PARAMS else v) for n, v in pairs], safe="*"
    )
    return urlunsplit(parts._replace(query=query))
