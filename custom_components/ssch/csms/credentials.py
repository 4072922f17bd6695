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

_MAX_LOCKOUT_S = 60.0
# scrypt releases the GIL: two threads admit a reconnect storm twice as fast on two cores or more.
_SCRYPT_THREADS = min(2, os.cpu_count() or 1)
_MAX_TRACKED_ADDRESSES = 10_000


class ChecksBusy(Exception):
    """Too many password checks are queued; the station should try again later."""


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

    def __init__(self, failure_lockout_s: float = 2.0, max_queued_checks: int = 256) -> None:
        self._key = os.urandom(32)
        self._accepted: dict[str, tuple[str, bytes]] = {}
        # After a wrong password, further attempts from the same address within the lockout fail
        # without running scrypt (the lockout doubles with each failure, up to a minute). It is kept
        # per address, not per station: a stranger guessing a station's password from elsewhere
        # must not keep the real station out.
        self._failure_lockout_s = failure_lockout_s
        self._locked: dict[str, tuple[float, int]] = {}
        self._max_queued_checks = max_queued_checks
        self._queued_checks = 0
        # Dedicated threads: a reconnect storm queues here instead of flooding the shared executor,
        # and at most two cores go to scrypt while the event loop keeps serving.
        self._executor: ThreadPoolExecutor | None = None

    def _fingerprint(self, station_id: str, password: str) -> bytes:
        return hmac.new(self._key, f"{station_id}\0{password}".encode(), hashlib.sha256).digest()

    async def verify(self, station_id: str, password: str, password_hash: str, remote: str = "") -> bool:
        """Check ``password`` sent from address ``remote``; a cached success costs one HMAC.

        Raises :class:`ChecksBusy` when too many checks are queued (a flood): the caller answers
        "try again later" rather than burning the CPU on scrypt.
        """
        fingerprint = self._fingerprint(station_id, password)
        cached = self._accepted.get(station_id)
        if cached is not None and cached[0] == password_hash and hmac.compare_digest(cached[1], fingerprint):
            return True
        now = time.monotonic()
        if now < self._locked.get(remote, (0.0, 0))[0]:
            return False
        if self._queued_checks >= self._max_queued_checks:
            raise ChecksBusy
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=_SCRYPT_THREADS, thread_name_prefix="csms-auth")
        self._queued_checks += 1
        try:
            accepted = await asyncio.get_running_loop().run_in_executor(
                self._executor, verify_password, password, password_hash
            )
        finally:
            self._queued_checks -= 1
        if not accepted:
            self._lock_out(remote, time.monotonic())
            return False
        self._accepted[station_id] = (password_hash, fingerprint)
        return True

    def _lock_out(self, remote: str, now: float) -> None:
        failures = self._locked.get(remote, (0.0, 0))[1] + 1
        lockout = min(self._failure_lockout_s * 2 ** min(failures - 1, 10), _MAX_LOCKOUT_S)
        self._locked[remote] = (now + lockout, failures)
        if len(self._locked) > _MAX_TRACKED_ADDRESSES:
            # Bound the memory a spray from many addresses can take: forget expired lockouts.
            self._locked = {address: entry for address, entry in self._locked.items() if entry[0] > now}

    async def close(self) -> None:
        """Stop the verification thread; queued checks are dropped."""
        executor, self._executor = self._executor, None
        if executor is not None:
            shutdown = functools.partial(executor.shutdown, wait=True, cancel_futures=True)
            await asyncio.get_running_loop().run_in_executor(None, shutdown)

    def forget(self, station_id: str) -> None:
        """Drop the cached success of one station."""
        self._accepted.pop(station_id, None)
