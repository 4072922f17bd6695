"""Token bucket that bounds how many requests one station may send."""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """Allows ``burst`` requests at once and ``rate_per_s`` on average."""

    __slots__ = ("_burst", "_rate_per_s", "_stamp", "_tokens")

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self._rate_per_s = rate_per_s
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def allow(self) -> bool:
        """Take one token if there is one."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate_per_s)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    async def wait(self) -> None:
        """Take one token, sleeping until there is one."""
        if self.allow():
            return
        await asyncio.sleep((1.0 - self._tokens) / self._rate_per_s)
        self._stamp = time.monotonic()
        self._tokens = 0.0
