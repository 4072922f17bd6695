"""kW setpoints -> OCPP smart-charging payloads. The project's sign (positive = into the EV) is
converted here, at the protocol edge, and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .clock import format_timestamp

PROFILE_ID_BASE = 7100
STACK_LEVEL = 1
DEFAULT_MAX_OFFLINE_S = 120


@dataclass(frozen=True, slots=True)
class ClampedSetpoint:
    """A requested setpoint and what may actually be sent."""

    requested_kw: float
    applied_kw: float
    reason: str | None


@dataclass(frozen=True, slots=True)
class SetpointPlan:
    """Everything needed to turn a setpoint into a profile for one EVSE."""

    evse_id: int
    transaction_id: str
    power_kw: float
    max_charge_kw: float
    max_discharge_kw: float
    central_setpoint: bool
    duration_s: int | None = None
    max_offline_s: int = DEFAULT_MAX_OFFLINE_S


def profile_id_for(evse_id: int) -> int:
    """One stable profile id per EVSE, so a new profile replaces the previous one."""
    return PROFILE_ID_BASE + evse_id


def clamp_setpoint(
    power_kw: float,
    *,
    max_charge_kw: float,
    max_discharge_kw: float,
    discharge_possible: bool,
    min_charge_kw: float = 0.0,
) -> ClampedSetpoint:
    """Limit ``power_kw`` to what the EVSE and the protocol allow, saying why when it changes.

    A charging power below the car's minimum becomes the minimum or zero, whichever is nearer.
    """
    if power_kw < 0 and not discharge_possible:
        return ClampedSetpoint(power_kw, 0.0, "discharge not possible on this EVSE")
    if power_kw > max_charge_kw:
        return ClampedSetpoint(power_kw, max_charge_kw, "above the charging limit")
    if 0 < power_kw < min_charge_kw:
        nearer = min_charge_kw if power_kw >= min_charge_kw / 2 else 0.0
        return ClampedSetpoint(power_kw, nearer, "below the car's minimum charging current")
    if power_kw < -max_discharge_kw:
        return ClampedSetpoint(power_kw, -max_discharge_kw, "above the discharging limit")
    return ClampedSetpoint(power_kw, power_kw, None)


def _watts(power_kw: float) -> float:
    return round(power_kw * 1000.0, 1)


def _setpoint_fields(plan: SetpointPlan) -> dict[str, Any]:
    # OCPP 2.1: setpoint < 0 discharges; limit >= 0 caps charging; dischargeLimit <= 0 caps
    # discharging.
    return {
        "setpoint": _watts(plan.power_kw),
        "limit": _watts(plan.max_charge_kw),
        "dischargeLimit": -_watts(plan.max_discharge_kw),
    }


def set_charging_profile_request(plan: SetpointPlan, now: datetime) -> dict[str, Any]:
    """A TxProfile carrying the setpoint: a dynamic central setpoint, or a plain charging limit."""
    profile_id = profile_id_for(plan.evse_id)
    schedule: dict[str, Any] = {"id": profile_id, "chargingRateUnit": "W"}
    profile: dict[str, Any] = {
        "id": profile_id,
        "stackLevel": STACK_LEVEL,
        "chargingProfilePurpose": "TxProfile",
        "transactionId": plan.transaction_id,
    }
    if plan.central_setpoint:
        profile["chargingProfileKind"] = "Dynamic"
        profile["maxOfflineDuration"] = plan.max_offline_s
        profile["invalidAfterOfflineDuration"] = True
        period = {"startPeriod": 0, "operationMode": "CentralSetpoint", **_setpoint_fields(plan)}
    else:
        profile["chargingProfileKind"] = "Absolute"
        schedule["startSchedule"] = format_timestamp(now)
        period = {"startPeriod": 0, "limit": _watts(max(plan.power_kw, 0.0))}
    if plan.duration_s is not None:
        schedule["duration"] = plan.duration_s
    schedule["chargingSchedulePeriod"] = [period]
    profile["chargingSchedule"] = [schedule]
    return {"evseId": plan.evse_id, "chargingProfile": profile}


def update_dynamic_schedule_request(plan: SetpointPlan) -> dict[str, Any]:
    """A fast setpoint change for the dynamic profile already installed on the EVSE."""
    return {
        "chargingProfileId": profile_id_for(plan.evse_id),
        "scheduleUpdate": _setpoint_fields(plan),
    }


def clear_profile_request(evse_id: int) -> dict[str, Any]:
    """Remove the setpoint profile of one EVSE."""
    return {"chargingProfileId": profile_id_for(evse_id)}
