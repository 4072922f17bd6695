"""OCPP 1.6 charging profiles of a one-connector station, and the limit they set at a moment.

Profiles arrive as the snake_case ``cs_charging_profiles`` dictionaries the ``ocpp`` library hands to
handlers; the library parses their numbers as ``Decimal``, so they are turned into floats on arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ocpp.v16.enums import ChargingProfilePurposeType, ChargingProfileStatus

from custom_components.ssch.sim.profile_timing import active_period, change_times

from .current import AcSupply, CurrentLimit
from .messages import CONNECTOR_ID

MAX_PROFILE = str(ChargingProfilePurposeType.charge_point_max_profile)
TX_DEFAULT = str(ChargingProfilePurposeType.tx_default_profile)
TX_PROFILE = str(ChargingProfilePurposeType.tx_profile)
ACCEPTED = str(ChargingProfileStatus.accepted)
REJECTED = str(ChargingProfileStatus.rejected)


def plain_numbers(data: Any) -> Any:
    """Return ``data`` with every ``Decimal`` turned into a float (int when whole)."""
    if isinstance(data, dict):
        return {key: plain_numbers(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain_numbers(value) for value in data]
    if isinstance(data, Decimal):
        return int(data) if data == data.to_integral_value() else float(data)
    return data


@dataclass(frozen=True, slots=True)
class ProfileRules:
    """What the station accepts: the schedule units ("A", "W"), stack levels, periods."""

    rate_units: frozenset[str]
    max_stack_level: int
    max_periods: int


@dataclass(frozen=True, slots=True)
class InstalledProfile:
    """A profile as received, with the connector it was set on and when it arrived."""

    payload: dict[str, Any]
    connector_id: int
    received_at: datetime

    @property
    def profile_id(self) -> int:
        return int(self.payload["charging_profile_id"])

    @property
    def purpose(self) -> str:
        return str(self.payload["charging_profile_purpose"])

    @property
    def stack_level(self) -> int:
        return int(self.payload["stack_level"])

    @property
    def schedule(self) -> dict[str, Any]:
        return dict(self.payload["charging_schedule"])


class SmartChargingProfiles:
    """The station's profiles: which one wins, and the limit it sets."""

    def __init__(self, rules: ProfileRules, supply: AcSupply) -> None:
        self._rules = rules
        self._supply = supply
        self._profiles: dict[int, InstalledProfile] = {}

    def __len__(self) -> int:
        return len(self._profiles)

    def install(
        self,
        connector_id: int,
        profile: dict[str, Any],
        now: datetime,
        transaction_running: bool,
        transaction_id: int | None,
    ) -> str:
        """Check and store a profile; return the SetChargingProfile status."""
        profile = plain_numbers(profile)
        if not self._acceptable(connector_id, profile, transaction_running, transaction_id):
            return REJECTED
        new = InstalledProfile(profile, connector_id, now)
        for stored in list(self._profiles.values()):
            same_slot = (stored.purpose, stored.stack_level, stored.connector_id) == (
                new.purpose,
                new.stack_level,
                connector_id,
            )
            if stored.profile_id == new.profile_id or same_slot:
                del self._profiles[stored.profile_id]
        self._profiles[new.profile_id] = new
        return ACCEPTED

    def _acceptable(
        self,
        connector_id: int,
        profile: dict[str, Any],
        transaction_running: bool,
        transaction_id: int | None,
    ) -> bool:
        schedule = profile.get("charging_schedule") or {}
        periods = schedule.get("charging_schedule_period") or []
        purpose = profile.get("charging_profile_purpose")
        checks = (
            connector_id in (0, CONNECTOR_ID),
            0 <= int(profile.get("stack_level", -1)) <= self._rules.max_stack_level,
            0 < len(periods) <= self._rules.max_periods,
            schedule.get("charging_rate_unit") in self._rules.rate_units,
            purpose != MAX_PROFILE or connector_id == 0,
            purpose != TX_PROFILE or (connector_id == CONNECTOR_ID and transaction_running),
            purpose != TX_PROFILE or profile.get("transaction_id") in (None, transaction_id),
            profile.get("charging_profile_kind") != "Recurring" or bool(profile.get("recurrency_kind")),
        )
        return all(checks)

    def clear(
        self,
        profile_id: int | None = None,
        connector_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
    ) -> bool:
        """Remove the profiles matching the id, or all the criteria given; tell whether any went."""

        def matches(stored: InstalledProfile) -> bool:
            if profile_id is not None:
                return stored.profile_id == profile_id
            checks = (
                (connector_id, stored.connector_id),
                (purpose, stored.purpose),
                (stack_level, stored.stack_level),
            )
            return all(wanted in (None, actual) for wanted, actual in checks)

        doomed = [pid for pid, stored in self._profiles.items() if matches(stored)]
        for pid in doomed:
            del self._profiles[pid]
        return bool(doomed)

    def end_transaction(self) -> None:
        """Drop the TxProfiles: they die with their transaction."""
        self.clear(purpose=TX_PROFILE)

    def limit_at(
        self, now: datetime, transaction_running: bool, relative_start: datetime
    ) -> CurrentLimit | None:
        """Return the limit in force at ``now`` (None: no profile limits the connector).

        The running transaction's TxProfile, else the connector's TxDefaultProfile, else the
        station-wide one (connector 0); capped by the ChargePointMaxProfile. Within a purpose the
        highest stack level whose schedule covers ``now`` wins.
        """
        slots = [(TX_DEFAULT, CONNECTOR_ID), (TX_DEFAULT, 0)]
        if transaction_running:
            slots.insert(0, (TX_PROFILE, CONNECTOR_ID))
        limits = (self._winner(purpose, connector, now, relative_start) for purpose, connector in slots)
        transaction_limit = next((limit for limit in limits if limit is not None), None)
        station_limit = self._winner(MAX_PROFILE, 0, now, relative_start)
        if transaction_limit is None:
            return station_limit
        return transaction_limit.capped_by(station_limit)

    def change_times(self, window: tuple[datetime, datetime], relative_start: datetime) -> set[datetime]:
        """Return the moments inside ``window`` at which some profile's limit may change."""
        moments: set[datetime] = set()
        for stored in self._profiles.values():
            moments |= change_times(
                stored.payload, stored.schedule, stored.received_at, relative_start, window
            )
        return moments

    def _winner(
        self, purpose: str, connector_id: int, now: datetime, relative_start: datetime
    ) -> CurrentLimit | None:
        ranked = sorted(
            (p for p in self._profiles.values() if (p.purpose, p.connector_id) == (purpose, connector_id)),
            key=lambda p: p.stack_level,
            reverse=True,
        )
        for stored in ranked:
            schedule = stored.schedule
            period = active_period(stored.payload, schedule, stored.received_at, relative_start, now)
            if period is not None:
                unit = str(schedule["charging_rate_unit"])
                phases = period.get("number_phases")
                return self._supply.limit(float(period["limit"]), unit, int(phases) if phases else None)
        return None
