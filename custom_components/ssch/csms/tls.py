"""TLS for security profile 2 (server certificate, Basic auth inside the tunnel)."""

from __future__ import annotations

import ssl


def server_ssl_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """A server context with the installer's certificate chain; TLS 1.2 or newer only."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return context
