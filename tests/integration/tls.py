"""A throw-away self-signed certificate for TLS tests."""

from __future__ import annotations

from pathlib import Path

from tests.pki import issue


def write_self_signed(folder: Path, host: str = "127.0.0.1", valid_days: float = 1.0) -> tuple[Path, Path]:
    """Write a certificate and its key for ``host`` into ``folder``."""
    issued = issue(folder, host, ip=host, valid_days=valid_days)
    return issued.cert_path, issued.key_path
