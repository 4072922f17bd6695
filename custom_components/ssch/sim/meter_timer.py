"""When the next periodic meter reading of a transaction is due (simulated time)."""

from __future__ import annotations

from datetime import datetime, timedelta


class MeterTimer:
    """A repeating deadline that runs while a transaction does; an interval of 0 switches it off."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.next_at: datetime | None = None
        self._running = False

    def start(self, now: datetime) -> None:
        """Start counting from ``now`` (a transaction began)."""
        self._running = True
        self._schedule(now)

    def stop(self) -> None:
        """Stop until the next :meth:`start` (the transaction ended)."""
        self._running = False
        self.next_at = None

    def fire_if_due(self, now: datetime) -> bool:
        """Tell whether a reading is due now; if so, the next one is one interval later."""
        if self.next_at is None or now < self.next_at:
            return False
        self._schedule(now)
        return True

    def set_interval(self, seconds: float, now: datetime) -> None:
        """Change the interval; a running timer counts the new interval from ``now``."""
        self.interval_s = seconds
        if self._running:
            self._schedule(now)

    def _schedule(self, now: datetime) -> None:
        running = self._running and self.interval_s > 0
        self.next_at = now + timedelta(seconds=self.interval_s) if running else None
