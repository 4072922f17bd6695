"""The month's billed peak: the highest average grid import over one metering interval this month.

Capacity tariffs bill the month's highest quarter-hour average import. The hub measures it as the grid
operator does: import (never export) averaged over clock-aligned intervals in local time, kept across
restarts, started afresh with each calendar month. Up to it, importing more costs no peak charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

METERING_INTERVAL = timedelta(minutes=15)
# An interval seen for less than this (the hub started or was down in it) does not set the peak.
MIN_COVERAGE = 0.5


@dataclass(slots=True)
class BilledPeak:
    """The billed peak of the current month, from readings of the grid power."""

    time_zone: str = "UTC"
    month: str | None = None
    peak_kw: float = 0.0
    _interval_start: datetime | None = None
    _energy_kwh: float = 0.0
    _seen_s: float = 0.0
    _last: tuple[datetime, float] | None = None

    def observe(self, now: datetime, grid_import_kw: float) -> None:
        """A reading of the import now (kW; export counts as none)."""
        local = now.astimezone(ZoneInfo(self.time_zone))
        start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
        if self._interval_start is not None and start != self._interval_start:
            self._close_interval()
        if self._interval_start != start:
            self._interval_start, self._energy_kwh, self._seen_s = start, 0.0, 0.0
            self._last = None
        month = f"{local.year:04d}-{local.month:02d}"
        if month != self.month:
            self.month, self.peak_kw = month, 0.0
        import_kw = max(0.0, grid_import_kw)
        if self._last is not None:
            seconds = (now - self._last[0]).total_seconds()
            if 0.0 < seconds <= METERING_INTERVAL.total_seconds():
                self._energy_kwh += self._last[1] * seconds / 3600.0
                self._seen_s += seconds
        self._last = (now, import_kw)

    def _close_interval(self) -> None:
        interval_s = METERING_INTERVAL.total_seconds()
        if self._seen_s >= MIN_COVERAGE * interval_s:
            average_kw = self._energy_kwh / (self._seen_s / 3600.0)
            self.peak_kw = max(self.peak_kw, average_kw)

    def to_dict(self) -> dict[str, Any]:
        """What survives a restart: the month and its peak (a running interval starts anew)."""
        return {"month": self.month, "peak_kw": self.peak_kw}

    @classmethod
    def from_dict(cls, data: dict[str, Any], time_zone: str) -> BilledPeak:
        """Read what ``to_dict`` wrote."""
        month = data.get("month")
        return cls(
            time_zone=time_zone,
            month=str(month) if month is not None else None,
            peak_kw=max(0.0, float(data.get("peak_kw", 0.0))),
        )
