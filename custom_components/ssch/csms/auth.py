"""Station credentials: passwords are stored only as salted scrypt hashes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

_SCHEME = "scrypt"
_N = 2**13
_R = 8
_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=_KEY_BYTES,
        maxmem=64 * 1024 * 1024,
    )


def hash_password(password: str) -> str:
    """Return a self-describing hash: ``scrypt$n$r$p$salt$key`` (base64)."""
    salt = os.urandom(_SALT_BYTES)
    key = _derive(password, salt, _N, _R, _P)
    return "$".join(
        (
            _SCHEME,
            str(_N),
            str(_R),
            str(_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(key).decode(),
        )
    )


def is_password_hash(value: str) -> bool:
    """Tell whether ``value`` is a hash made by :func:`hash_password`."""
    parts = value.split("$")
    return len(parts) == 6 and parts[0] == _SCHEME and all(p.isdigit() for p in parts[1:4])


def verify_password(password: str, stored_hash: str) -> bool:
    """Check ``password`` against ``stored_hash`` in constant time; malformed hashes never match."""
    if not is_password_hash(stored_hash):
        return False
    _, n, r, p, salt_b64, key_b64 = stored_hash.split("$")
    try:
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(key_b64, validate=True)
        key = _derive(password, salt, int(n), int(r), int(p))
    except (binascii.Error, ValueError, MemoryError):
        return False
    return hmac.compare_digest(key, expected)
