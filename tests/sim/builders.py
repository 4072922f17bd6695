"""Builders of the CSMS requests the simulator tests send."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call as call_v21
from ocpp.v201 import call as call_v201


def period(start_s: int = 0, **values: Any) -> dict[str, Any]:
    return {"start_period": start_s, **values}


def charging_profile(
    periods: list[dict[str, Any]],
    *,
    profile_id: int = 1,
    purpose: str = "TxProfile",
    kind: str = "Absolute",
    transaction_id: str | None = None,
    unit: str = "W",
    stack_level: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": profile_id,
        "stack_level": stack_level,
        "charging_profile_purpose": purpose,
        "charging_profile_kind": kind,
        "transaction_id": transaction_id,
        "charging_schedule": [
            {"id": profile_id, "charging_rate_unit": unit, "charging_schedule_period": periods}
        ],
        **extra,
    }


def set_profile_v21(profile: dict[str, Any], evse_id: int = 1) -> Any:
    return call_v21.SetChargingProfile(evse_id=evse_id, charging_profile=profile)


def set_profile_v201(profile: dict[str, Any], evse_id: int = 1) -> Any:
    return call_v201.SetChargingProfile(evse_id=evse_id, charging_profile=profile)


def central_setpoint(transaction_id: str | None, setpoint_w: float, profile_id: int = 1, **extra: Any) -> Any:
    """A 2.1 TxProfile that asks the car to follow ``setpoint_w`` (negative = discharge)."""
    return set_profile_v21(
        charging_profile(
            [period(operation_mode="CentralSetpoint", setpoint=setpoint_w)],
            profile_id=profile_id,
            transaction_id=transaction_id,
            **extra,
        )
    )
