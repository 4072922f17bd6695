"""Builders of 1.6 CSMS requests and readers of 1.6 station requests, for the simulator tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ocpp.v16 import call

from custom_components.ssch.sim import SimulatedStation

Readings = dict[tuple[str, str | None], str]


def profile16(
    limit: float | Decimal,
    *,
    purpose: str = "TxProfile",
    profile_id: int = 1,
    stack_level: int = 0,
    kind: str = "Relative",
    unit: str = "A",
    transaction_id: int | None = None,
    number_phases: int | None = None,
    periods: list[dict[str, Any]] | None = None,
    **schedule: Any,
) -> dict[str, Any]:
    """A ``csChargingProfiles`` in snake_case: one period of ``limit`` unless ``periods`` are given."""
    first: dict[str, Any] = {"start_period": 0, "limit": limit}
    if number_phases is not None:
        first["number_phases"] = number_phases
    profile: dict[str, Any] = {
        "charging_profile_id": profile_id,
        "stack_level": stack_level,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": kind,
        "charging_schedule": {
            "charging_rate_unit": unit,
            "charging_schedule_period": periods or [first],
            **schedule,
        },
    }
    if transaction_id is not None:
        profile["transaction_id"] = transaction_id
    return profile


def set_profile16(profile: dict[str, Any], connector_id: int = 1) -> Any:
    return call.SetChargingProfile(connector_id=connector_id, cs_charging_profiles=profile)


def tx_limit(station: SimulatedStation, amperes: float, **options: Any) -> Any:
    """A SetChargingProfile with a TxProfile of ``amperes`` for the station's running transaction."""
    transaction_id = station.transaction_id
    assert isinstance(transaction_id, int)
    return set_profile16(profile16(amperes, transaction_id=transaction_id, **options))


def readings(meter_values: dict[str, Any]) -> Readings:
    """The sampled values of the first MeterValue, keyed by (measurand, phase)."""
    return {
        (value["measurand"], value.get("phase")): value["value"]
        for value in meter_values["meter_value"][0]["sampled_value"]
    }


def statuses(payloads: list[dict[str, Any]], connector_id: int) -> list[str]:
    return [p["status"] for p in payloads if p["connector_id"] == connector_id]
