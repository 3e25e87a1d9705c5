"""The TLS contexts upstream connections use, built once per setting.

tier `ca_bundle: <PEM>`     trust exactly the CAs in that file
SSL_CERT_FILE / _DIR set    trust exactly those (as OpenSSL, curl and requests do)
otherwise                   the operating system's store, through `truststore`
                            (Keychain on macOS, the Windows store, OpenSSL's paths on Linux)
tier `verify: false`        no certificate or host name check at all (logged as a warning)
"""

from __future__ import annotations

import functools
import os
import ssl

import truststore


def tls_context(ca_bundle: str | None = None, verify: bool = True) -> ssl.SSLContext:
    """The client context for a tier's TLS settings; the same object for the same settings."""
    return _context(
        ca_bundle, verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    )


@functools.lru_cache(maxsize=32)
def _context(
    ca_bundle: str | None, verify: bool, cert_file: str | None, cert_dir: str | None
) -> ssl.SSLContext:
    if not verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_bundle:
        return ssl.create_default_context(cafile=os.path.expanduser(ca_bundle))
    if cert_file or cert_dir:
        return ssl.create_default_context(cafile=cert_file or None, capath=cert_dir or None)
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def check_ca_bundle(path: str) -> None:
    """Raise ValueError unless `path` is a readable PEM file of certificates."""
    try:
        ssl.create_default_context(cafile=os.path.expanduser(path))
    except (OSError, ssl.SSLError) as error:
        raise ValueError(f"cannot load CA certificates from {path}: {error}") from None
