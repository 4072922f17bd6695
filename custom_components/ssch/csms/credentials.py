"""Basic-auth checks with a fast path for stations that reconnect with a known-good password."""

from __future__ import annotations

import asyncio
import base64
import binascii
from concurrent.futures import ThreadPoolExecutor
import functools
import hashlib
import hmac
import os
import time

from .auth import verify_password


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """Return ``(username, password)`` from an ``Authorization: Basic`` header."""
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, separator, password = decoded.partition(":")
    return (username, password) if separator else None


class CredentialCache:
    """Verifies passwords against scrypt hashes in an executor and remembers successes.

    The cache holds a keyed HMAC of the accepted password (never the password), bound to the hash
    it was checked against, so a changed password invalidates it.
    """

    def __init__(self, failure_lockout_s: float = 2.0) -> None:
        self._key = os.urandom(32)
        self._accepted: dict[str, tuple[str, bytes]] = {}
        # After a wrong password, the station's next attempts within the lockout fail without
        # running scrypt, so guessing cannot monopolise the verification thread.
        self._failure_lockout_s = failure_lockout_s
        self._locked_until: dict[str, float] = {}
        # One dedicated thread: a reconnect storm queues here instead of flooding the shared
        # executor, and at most one core goes to scrypt while the event loop keeps serving.
        self._executor: ThreadPoolExecutor | None = None

    def _fingerprint(self, station_id: str, password: str) -> bytes:
        return hmac.new(self._key, f"{station_id}\0{password}".encode(), hashlib.sha256).digest()

    async def verify(self, station_id: str, password: str, password_hash: str) -> bool:
        """Check ``password``; a cached success costs one HMAC instead of a scrypt run."""
        fingerprint = self._fingerprint(station_id, password)
        cached = self._accepted.get(station_id)
        if cached is not None and cached[0] == password_hash and hmac.compare_digest(cached[1], fingerprint):
            return True
        if time.monotonic() < self._locked_until.get(station_id, 0.0):
            return False
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csms-auth")
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(self._executor, verify_password, password, password_hash):
            self._locked_until[station_id] = time.monotonic() + self._failure_lockout_s
            return False
        self._locked_until.pop(station_id, None)
        self._accepted[station_id] = (password_hash, fingerprint)
        return True

    async def close(self) -> None:
        """Stop the verification thread; queued checks are dropped."""
        executor, self._executor = self._executor, None
        if executor is not None:
            shutdown = functools.partial(executor.shutdown, wait=True, cancel_futures=True)
            await asyncio.get_running_loop().run_in_executor(None, shutdown)

    def forget(self, station_id: str) -> None:
        """Drop the cached success of one station."""
        self._accepted.pop(station_id, None)
        self._locked_until.pop(station_id, None)
