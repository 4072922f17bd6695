"""Energy counters from a signed power: what flowed in and what flowed out, never going backwards."""

from __future__ import annotations

from datetime import datetime, timedelta

# A longer gap (restart, stalled loop) is not integrated: no energy is invented.
MAX_GAP = timedelta(seconds=60)


class FlowMeter:
    """Integrates a signed power (positive = into the site or battery) into two counters."""

    def __init__(self) -> None:
        """Counters start at zero; sensors restore them after a restart."""
        self.power_kw: float | None = None
        self.in_kwh = 0.0
        self.out_kwh = 0.0
        self._last: datetime | None = None

    def add(self, now: datetime, power_kw: float) -> None:
        """Integrate the previous reading up to ``now`` and take the new one."""
        if self._last is not None and self.power_kw is not None and now - self._last <= MAX_GAP:
            energy = self.power_kw * (now - self._last).total_seconds() / 3600.0
            if energy >= 0:
                self.in_kwh += energy
            else:
                self.out_kwh -= energy
        self.power_kw = power_kw
        self._last = now

    def restore(self, in_kwh: float | None, out_kwh: float | None) -> None:
        """Continue from counters saved before a restart (never going backwards)."""
        if in_kwh is not None:
            self.in_kwh = max(self.in_kwh, in_kwh)
        if out_kwh is not None:
            self.out_kwh = max(self.out_kwh, out_kwh)
