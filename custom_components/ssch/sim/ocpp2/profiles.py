"""OCPP 2.x charging profiles a station has received, and what they ask for at a given moment.

Payloads arrive as the snake_case dictionaries the ``ocpp`` library hands to handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from custom_components.ssch.sim.profile_timing import active_period

STATION_MAX = "ChargingStationMaxProfile"
TX_DEFAULT = "TxDefaultProfile"
TX_PROFILE = "TxProfile"
_SUPPORTED_PURPOSES = (STATION_MAX, TX_DEFAULT, TX_PROFILE)


@dataclass(frozen=True, slots=True)
class ProfileCommand:
    """What the winning profile period asks for, in W (positive = into the EV)."""

    profile_id: int
    operation_mode: str | None
    limit_w: float | None
    setpoint_w: float | None
    discharge_limit_w: float | None


@dataclass(slots=True)
class StoredProfile:
    """A profile as received, plus the dynamic updates applied to it since."""

    payload: dict[str, Any]
    evse_id: int
    received_at: datetime
    dynamic_update: dict[str, float] = field(default_factory=dict)

    @property
    def profile_id(self) -> int:
        return int(self.payload["id"])

    @property
    def purpose(self) -> str:
        return str(self.payload["charging_profile_purpose"])

    @property
    def kind(self) -> str:
        return str(self.payload["charging_profile_kind"])

    @property
    def stack_level(self) -> int:
        return int(self.payload["stack_level"])

    def expired_offline(self, offline_seconds: float | None) -> bool:
        """Tell whether the station has been offline longer than this profile tolerates."""
        max_offline = self.payload.get("max_offline_duration")
        return offline_seconds is not None and max_offline is not None and offline_seconds > max_offline


class ProfileStore:
    """The charging profiles of one station with a single EVSE (id 1)."""

    def __init__(self, phases: int, voltage_v: float = 230.0) -> None:
        self._phases = phases
        self._voltage_v = voltage_v
        self._profiles: dict[int, StoredProfile] = {}

    def __len__(self) -> int:
        return len(self._profiles)

    def install(
        self, evse_id: int, profile: dict[str, Any], now: datetime, transaction_id: str | None
    ) -> str:
        """Validate and store a profile; return the OCPP status (``Accepted`` or ``Rejected``)."""
        purpose = profile.get("charging_profile_purpose")
        kind = profile.get("charging_profile_kind")
        if purpose not in _SUPPORTED_PURPOSES or not profile.get("charging_schedule"):
            return "Rejected"
        if purpose == STATION_MAX and (evse_id != 0 or kind == "Relative"):
            return "Rejected"
        if purpose != STATION_MAX and evse_id not in (0, 1):
            return "Rejected"
        if purpose == TX_PROFILE:
            wanted = profile.get("transaction_id")
            if transaction_id is None or (wanted is not None and wanted != transaction_id):
                return "Rejected"
        for stored in list(self._profiles.values()):
            same_slot = (
                stored.purpose == purpose
                and stored.stack_level == profile.get("stack_level")
                and stored.evse_id == evse_id
            )
            if same_slot:
                del self._profiles[stored.profile_id]
        self._profiles[int(profile["id"])] = StoredProfile(profile, evse_id, now)
        return "Accepted"

    def clear(self, profile_id: int | None = None, criteria: dict[str, Any] | None = None) -> bool:
        """Remove the profiles matching an id or criteria (none given: all); tell if any went."""
        criteria = criteria or {}

        def matches(stored: StoredProfile) -> bool:
            if profile_id is not None:
                return stored.profile_id == profile_id
            checks = (
                ("evse_id", stored.evse_id),
                ("charging_profile_purpose", stored.purpose),
                ("stack_level", stored.stack_level),
            )
            return all(criteria.get(key) in (None, value) for key, value in checks)

        doomed = [pid for pid, stored in self._profiles.items() if matches(stored)]
        for pid in doomed:
            del self._profiles[pid]
        return bool(doomed)

    def update_dynamic(self, profile_id: int, update: dict[str, Any]) -> bool:
        """Apply an ``UpdateDynamicSchedule`` to a stored dynamic profile; tell if it applied."""
        stored = self._profiles.get(profile_id)
        if stored is None or stored.kind != "Dynamic":
            return False
        for key in ("limit", "setpoint", "discharge_limit"):
            if update.get(key) is not None:
                stored.dynamic_update[key] = float(update[key])
        return True

    def end_transaction(self) -> None:
        """Drop the transaction profiles: they die with their transaction."""
        self.clear(criteria={"charging_profile_purpose": TX_PROFILE})

    def drop_expired_offline(self, offline_seconds: float | None) -> None:
        """Forget for good the profiles that become invalid after too long offline."""
        for pid, stored in list(self._profiles.items()):
            permanent = bool(stored.payload.get("invalid_after_offline_duration"))
            if permanent and stored.expired_offline(offline_seconds):
                del self._profiles[pid]

    def command_at(
        self,
        now: datetime,
        transaction_start: datetime | None,
        offline_seconds: float | None,
    ) -> ProfileCommand | None:
        """Return what the winning transaction profile asks for now, or None without one."""
        for purpose in (TX_PROFILE, TX_DEFAULT):
            for stored in self._ranked(purpose):
                if stored.expired_offline(offline_seconds):
                    continue
                command = self._evaluate(stored, now, transaction_start)
                if command is not None:
                    return command
        return None

    def station_limit_w(self, now: datetime, offline_seconds: float | None) -> float | None:
        """Return the station-wide power cap now, if a station max profile sets one."""
        for stored in self._ranked(STATION_MAX):
            if stored.expired_offline(offline_seconds):
                continue
            command = self._evaluate(stored, now, None)
            if command is not None and command.limit_w is not None:
                return command.limit_w
        return None

    def _ranked(self, purpose: str) -> list[StoredProfile]:
        candidates = [p for p in self._profiles.values() if p.purpose == purpose]
        return sorted(candidates, key=lambda p: p.stack_level, reverse=True)

    def _evaluate(
        self, stored: StoredProfile, now: datetime, transaction_start: datetime | None
    ) -> ProfileCommand | None:
        schedule: dict[str, Any] = stored.payload["charging_schedule"][0]
        active = active_period(stored.payload, schedule, stored.received_at, transaction_start or now, now)
        if active is None:
            return None
        period = {**active, **stored.dynamic_update}
        to_watts = self._watts_factor(schedule, period)

        def scaled(key: str) -> float | None:
            value = period.get(key)
            return None if value is None else float(value) * to_watts

        return ProfileCommand(
            profile_id=stored.profile_id,
            operation_mode=period.get("operation_mode"),
            limit_w=scaled("limit"),
            setpoint_w=scaled("setpoint"),
            discharge_limit_w=scaled("discharge_limit"),
        )

    def _watts_factor(self, schedule: dict[str, Any], period: dict[str, Any]) -> float:
        if schedule.get("charging_rate_unit") == "W":
            return 1.0
        phases = int(period.get("number_phases") or self._phases)
        return self._voltage_v * phases
