"""TLS for security profiles 2 (server certificate, Basic auth inside the tunnel) and 3 (client
certificates signed by the hub's CA, the station id in the subject's common name)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
import ssl

from cryptography import x509


def server_ssl_context(certfile: str, keyfile: str, client_ca: str | None = None) -> ssl.SSLContext:
    """A server context with the installer's certificate chain; TLS 1.2 or newer only.

    With ``client_ca``, a station may present a certificate that this CA signed (profile 3); one that
    does not still logs in with its password (profile 2), so both can share the port.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    if client_ca:
        context.load_verify_locations(cafile=client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL
        # Python 3.13 checks certificates strictly (an authority key identifier, among others);
        # certificates that chargers' firmware makes often lack it, while the CA's signature is sound.
        context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    return context


def peer_common_name(transport: asyncio.BaseTransport | None) -> str | None:
    """The common name of the verified certificate a station presented, if it presented one."""
    certificate = transport.get_extra_info("peercert") if transport is not None else None
    if not certificate:
        return None
    for relative_name in certificate.get("subject", ()):
        for key, value in relative_name:
            if key == "commonName":
                return str(value)
    return None


def certificate_expiry(certfile: str) -> datetime:
    """When the first certificate of a PEM chain expires (blocking file read)."""
    return x509.load_pem_x509_certificate(Path(certfile).read_bytes()).not_valid_after_utc
