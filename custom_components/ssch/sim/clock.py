"""Compressible simulation time: one clock shared by every simulated station of a run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import time


class SimClock:
    """A clock running ``speed`` times faster than real time, anchored at ``start``.

    Physics and schedules use simulated time; sockets, timeouts and reconnect backoff stay in real
    time so a compressed run never makes the network look slower than it is.
    """

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.start = (start or datetime.now(UTC)).astimezone(UTC)
        self._real_anchor = time.monotonic()

    def now(self) -> datetime:
        """Return the current simulated time (timezone-aware UTC)."""
        return self.start + timedelta(seconds=self.elapsed_seconds())

    def elapsed_seconds(self) -> float:
        """Return the simulated seconds since ``start``."""
        return (time.monotonic() - self._real_anchor) * self.speed

    def to_real_seconds(self, simulated_seconds: float) -> float:
        """Convert a simulated duration into the real duration it takes."""
        return max(0.0, simulated_seconds) / self.speed

    async def sleep(self, simulated_seconds: float) -> None:
        """Sleep for a simulated duration."""
        await asyncio.sleep(self.to_real_seconds(simulated_seconds))

    async def sleep_until(self, when: datetime) -> None:
        """Sleep until the simulated time reaches ``when`` (returns at once if it is past)."""
        await self.sleep((when - self.now()).total_seconds())


def ocpp_timestamp(moment: datetime) -> str:
    """Format a time as OCPP wants it: RFC 3339 in UTC, milliseconds, ``Z`` suffix."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_ocpp_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp; a naive one is taken as UTC."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
