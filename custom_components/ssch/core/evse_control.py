"""Who decides what one EVSE does: the user's goal and cap, an exclusion, a manual override, the car.

One record per EVSE, owned by the EMS and kept in its store, so every plan (the first one after a
restart or reload included) sees the same choices the user made.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)
DEFAULT_MIN_SOC_PCT = 30.0


class ChargeMode(StrEnum):
    """How a session is charged."""

    SMART = "smart"  # the plan decides, within the user's goal
    FAST = "fast"  # full power now until the target
    SOLAR_ONLY = "solar_only"  # only when it costs nothing: no energy is promised
    OFF = "off"  # no charging at all


@dataclass(slots=True)
class EvseGoal:
    """The user's goal; None fields fall back to what the car reports."""

    departure: datetime | None = None
    target_soc_pct: float | None = None
    min_soc_pct: float = DEFAULT_MIN_SOC_PCT
    v2g_allowed: bool = True
    mode: ChargeMode = ChargeMode.SMART

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "departure": self.departure.isoformat() if self.departure else None,
            "target_soc_pct": self.target_soc_pct,
            "min_soc_pct": self.min_soc_pct,
            "v2g_allowed": self.v2g_allowed,
            "mode": self.mode.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvseGoal:
        """Read what ``to_dict`` wrote."""
        departure = data.get("departure")
        target = data.get("target_soc_pct")
        return cls(
            departure=datetime.fromisoformat(departure) if departure else None,
            target_soc_pct=float(target) if target is not None else None,
            min_soc_pct=float(data.get("min_soc_pct", DEFAULT_MIN_SOC_PCT)),
            v2g_allowed=bool(data.get("v2g_allowed", True)),
            mode=ChargeMode(data.get("mode", ChargeMode.SMART.value)),
        )


@dataclass(slots=True)
class ManualOverride:
    """A person or automation steers the EVSE; ``until`` None holds until cleared."""

    until: datetime | None = None

    def expired_at(self, now: datetime) -> bool:
        """Whether the override is over at ``now``."""
        return self.until is not None and self.until <= now


@dataclass(slots=True)
class EvseControl:
    """Everything that decides whether and how the hub steers one EVSE."""

    goal: EvseGoal = field(default_factory=EvseGoal)
    cap_kw: float | None = None
    excluded: bool = False
    manual: ManualOverride | None = None
    # Battery size of the car the hub recognised at the EVSE (a configured vehicle), kWh.
    car_capacity_kwh: float | None = None
    # Learned from the station's behaviour and re-checked within minutes: not kept across restarts.
    not_following: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; what is learned at run time is left out."""
        return {
            "goal": self.goal.to_dict(),
            "cap_kw": self.cap_kw,
            "excluded": self.excluded,
            "manual": None
            if self.manual is None
            else {"until": self.manual.until.isoformat() if self.manual.until else None},
            "car_capacity_kwh": self.car_capacity_kwh,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvseControl:
        """Read what ``to_dict`` wrote."""
        manual = data.get("manual")
        cap = data.get("cap_kw")
        capacity = data.get("car_capacity_kwh")
        return cls(
            goal=EvseGoal.from_dict(data.get("goal") or {}),
            cap_kw=float(cap) if cap is not None else None,
            excluded=bool(data.get("excluded", False)),
            manual=None
            if manual is None
            else ManualOverride(datetime.fromisoformat(manual["until"]) if manual.get("until") else None),
            car_capacity_kwh=float(capacity) if capacity is not None else None,
        )


class EvseControls:
    """The control records of a hub's EVSEs, by EVSE key; an EVSE never touched has the defaults."""

    def __init__(self, records: Mapping[str, EvseControl] | None = None) -> None:
        """Start from ``records`` (restored), else from defaults."""
        self._records: dict[str, EvseControl] = dict(records or {})

    def __getitem__(self, key: str) -> EvseControl:
        """The record of ``key``, created on first use."""
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = EvseControl()
        return record

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` has a record."""
        return key in self._records

    def __iter__(self) -> Iterator[str]:
        """The keys with a record."""
        return iter(self._records)

    def overridden(self, key: str, now: datetime) -> bool:
        """Whether a manual setpoint holds the EVSE now; an expired one is dropped."""
        record = self._records.get(key)
        if record is None or record.manual is None:
            return False
        if record.manual.expired_at(now):
            record.manual = None
            return False
        return True

    def held_by_user(self, key: str, now: datetime) -> bool:
        """Whether the user took the EVSE out of the hub's control or steers it by hand now."""
        record = self._records.get(key)
        return record is not None and (record.excluded or self.overridden(key, now))

    def steerable(self, key: str, now: datetime) -> bool:
        """Whether the hub may plan and send setpoints to the EVSE now."""
        record = self._records.get(key)
        return record is None or not (record.not_following or self.held_by_user(key, now))

    def replace_with(self, other: EvseControls) -> None:
        """Take ``other``'s records (restored ones), keeping this object the one everyone reads."""
        self._records = dict(other._records)

    def cap_kw(self, key: str, most_kw: float) -> float:
        """The user's cap, never above what the EVSE can do."""
        record = self._records.get(key)
        cap = record.cap_kw if record is not None else None
        return most_kw if cap is None else min(cap, most_kw)

    def car_capacity_kwh(self, key: str, default_kwh: float) -> float:
        """The recognised car's battery size, else ``default_kwh``."""
        record = self._records.get(key)
        capacity = record.car_capacity_kwh if record is not None else None
        return default_kwh if capacity is None else capacity

    def set_car_capacities(self, capacities: Mapping[str, float]) -> None:
        """The cars recognised now; every other EVSE forgets its car."""
        for key, record in self._records.items():
            if key not in capacities:
                record.car_capacity_kwh = None
        for key, capacity in capacities.items():
            self[key].car_capacity_kwh = capacity

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {key: record.to_dict() for key, record in self._records.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvseControls:
        """Read what ``to_dict`` wrote; a record that cannot be read is dropped with a warning."""
        records: dict[str, EvseControl] = {}
        for key, item in data.items():
            try:
                records[key] = EvseControl.from_dict(item)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                _LOGGER.warning("Ignoring the saved settings of %s, they cannot be read: %s", key, err)
        return cls(records)
