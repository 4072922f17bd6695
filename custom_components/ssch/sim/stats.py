"""Counters a simulated station keeps about its OCPP traffic."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
import statistics
import time

MAX_ROUND_TRIP_SAMPLES = 50_000
SLOW_CALL_MS = 1000.0


@dataclass(slots=True)
class LinkStats:
    """What went over the wire, per action, and how long the CSMS took to answer."""

    calls_sent: Counter[str] = field(default_factory=Counter)
    calls_received: Counter[str] = field(default_factory=Counter)
    call_errors: int = 0
    call_timeouts: int = 0
    connects: int = 0
    malformed_frames_sent: int = 0
    round_trips_ms: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_ROUND_TRIP_SAMPLES))
    # (wall-clock time, action, round trip in ms) of the calls slower than SLOW_CALL_MS
    slow_calls: deque[tuple[float, str, float]] = field(default_factory=lambda: deque(maxlen=1000))

    def record_round_trip(self, action: str, round_trip_ms: float) -> None:
        self.round_trips_ms.append(round_trip_ms)
        if round_trip_ms > SLOW_CALL_MS:
            self.slow_calls.append((time.time(), action, round_trip_ms))

    @property
    def messages_total(self) -> int:
        """Return the number of CALLs sent plus CALLs received."""
        return sum(self.calls_sent.values()) + sum(self.calls_received.values())


def percentile(samples: list[float], fraction: float) -> float:
    """Return the ``fraction`` quantile (0..1) of ``samples``, or NaN when there are none."""
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    cut_points = statistics.quantiles(samples, n=1000, method="inclusive")
    index = min(len(cut_points) - 1, max(0, round(fraction * 1000) - 1))
    return cut_points[index]
