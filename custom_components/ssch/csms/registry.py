"""Configured stations and unknown stations waiting to be adopted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .clock import utc_now


@dataclass(frozen=True, slots=True)
class StationConfig:
    """What the installer configured for one station (the password only as a hash)."""

    password_hash: str
    evse_count: int = 1
    bidirectional: bool = False
    max_charge_kw: float = 11.0
    max_discharge_kw: float = 0.0
    ocpp_version: str | None = None  # declared by the installer; None: the first connection tells
    nominal_voltage_v: float = 230.0  # phase to neutral, to turn kW into amperes per phase
    min_current_a: float = 6.0  # below this an AC car does not charge (IEC 61851)


@dataclass(slots=True)
class PendingStation:
    """An unknown station that connected while adopting was enabled."""

    station_id: str
    remote: str | None
    first_seen: datetime = field(default_factory=utc_now)
    last_seen: datetime = field(default_factory=utc_now)
    vendor: str | None = None
    model: str | None = None


class StationRegistry:
    """Station id -> configuration, plus the pending (not yet adopted) stations."""

    def __init__(self, stations: Mapping[str, StationConfig] | None = None) -> None:
        self._stations: dict[str, StationConfig] = dict(stations or {})
        self.pending: dict[str, PendingStation] = {}

    def get(self, station_id: str) -> StationConfig | None:
        """Return the configuration of ``station_id``, if configured."""
        return self._stations.get(station_id)

    def __contains__(self, station_id: object) -> bool:
        return station_id in self._stations

    def configs(self) -> dict[str, StationConfig]:
        """A copy of the configured stations."""
        return dict(self._stations)

    def ids(self) -> list[str]:
        """Configured station ids."""
        return list(self._stations)

    def replace(self, stations: Mapping[str, StationConfig]) -> tuple[set[str], set[str], set[str]]:
        """Swap in a new configuration; return the (added, removed, changed) ids."""
        old = self._stations
        self._stations = dict(stations)
        added = set(stations) - set(old)
        removed = set(old) - set(stations)
        changed = {sid for sid in set(old) & set(stations) if old[sid] != stations[sid]}
        for station_id in added:
            self.pending.pop(station_id, None)
        return added, removed, changed
