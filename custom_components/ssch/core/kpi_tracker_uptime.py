"""Share of observed time the charging stations were online."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .kpi_tracker_steps import finite


@dataclass(slots=True)
class _StationUptime:
    online: bool
    since: datetime | None  # None: observation paused (e.g. the hub was not running)
    online_s: float = 0.0
    observed_s: float = 0.0

    def close(self, at: datetime) -> None:
        if self.since is not None and at > self.since:
            seconds = (at - self.since).total_seconds()
            self.observed_s += seconds
            self.online_s += seconds if self.online else 0.0
        if self.since is None or at > self.since:
            self.since = at


class UptimeLedger:
    """Online time per station since it was first seen, across restarts."""

    def __init__(self) -> None:
        self._stations: dict[str, _StationUptime] = {}

    def update(self, station_id: str, online: bool, at: datetime) -> None:
        station = self._stations.setdefault(station_id, _StationUptime(online, at))
        station.close(at)
        station.online = online

    def resume(self, at: datetime) -> None:
        """Start observing again the stations paused by a restore."""
        for station in self._stations.values():
            if station.since is None:
                station.since = at

    def share(self, now: datetime) -> float | None:
        totals = self.to_dict(now).values()
        observed = sum(observed_s for _, _, observed_s in totals)
        return sum(online_s for _, online_s, _ in totals) / observed if observed > 0 else None

    def to_dict(self, until: datetime | None) -> dict[str, Any]:
        """Totals with the open intervals counted up to ``until`` (the last moment known to be observed)."""
        stored = {}
        for station_id, station in self._stations.items():
            open_s = 0.0
            if station.since is not None and until is not None:
                open_s = max(0.0, (until - station.since).total_seconds())
            online_s = station.online_s + (open_s if station.online else 0.0)
            stored[station_id] = [station.online, online_s, station.observed_s + open_s]
        return stored

    def load(self, data: dict[str, Any]) -> None:
        """Restore totals; the time until the next ``resume`` or ``update`` is not observed."""
        stations = {}
        for station_id, (online, online_s, observed_s) in data.items():
            if not isinstance(online, bool) or not 0 <= finite(online_s) <= finite(observed_s):
                raise ValueError(f"bad uptime for {station_id}")
            stations[str(station_id)] = _StationUptime(online, None, float(online_s), float(observed_s))
        self._stations = stations
