"""One log line per refused message, without flooding the log when a broker is full of junk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
import logging
import time

from .protocol import Reason, Refused

# The same reason is logged at warning level at most this often; the rest go to debug and are counted.
QUIET_S = 60.0


class RefusalLog:
    """Counts refusals per reason and logs each with its reason (never the payload or the key)."""

    def __init__(self, logger: logging.Logger, clock: Callable[[], float] = time.monotonic) -> None:
        """Log to ``logger``."""
        self._logger = logger
        self._clock = clock
        self._last_warned: dict[Reason, float] = {}
        self._held: Counter[Reason] = Counter()
        self.counts: Counter[Reason] = Counter()

    def refused(self, error: Refused, topic: str) -> None:
        """Log that a message on ``topic`` was dropped, and why."""
        reason = error.reason
        self.counts[reason] += 1
        now = self._clock()
        last = self._last_warned.get(reason)
        if last is not None and now - last < QUIET_S:
            self._held[reason] += 1
            self._logger.debug("Refused a community message on %s: %s", topic, error)
            return
        self._last_warned[reason] = now
        held = self._held.pop(reason, 0)
        suffix = f" ({held} more refused for the same reason since)" if held else ""
        self._logger.warning("Refused a community message on %s: %s%s", topic, error, suffix)
