"""Turn the CSMS's wishes into the power the EVSE offers the car."""

from __future__ import annotations

from .profiles import ProfileCommand

_FOLLOWS_SETPOINT = frozenset(
    {
        "CentralSetpoint",
        "ExternalSetpoint",
        "CentralFrequency",
        "LocalFrequency",
        "LocalLoadBalancing",
    }
)


def requested_power_kw(
    command: ProfileCommand | None,
    evse_max_power_kw: float,
    station_limit_w: float | None,
    discharge_allowed: bool,
) -> float:
    """Return the power the EVSE asks of the car (positive = into the EV), before car limits.

    Without a profile the EVSE offers its maximum. ``CentralSetpoint`` and the other setpoint modes
    follow ``setpoint`` inside ``[dischargeLimit, limit]``; the charge-only modes follow ``limit``.
    Discharge needs both a mode that allows it and the transaction's permission.
    """
    if command is None:
        power_w = evse_max_power_kw * 1000.0
    elif command.operation_mode == "Idle":
        power_w = 0.0
    elif command.operation_mode in _FOLLOWS_SETPOINT and command.setpoint_w is not None:
        power_w = command.setpoint_w
        if command.limit_w is not None:
            power_w = min(power_w, command.limit_w)
        if command.discharge_limit_w is not None:
            power_w = max(power_w, command.discharge_limit_w)
    else:
        power_w = max(0.0, command.limit_w if command.limit_w is not None else evse_max_power_kw * 1000)
    if station_limit_w is not None:
        cap_w = max(0.0, station_limit_w)
        power_w = max(-cap_w, min(cap_w, power_w))
    power_kw = max(-evse_max_power_kw, min(evse_max_power_kw, power_w / 1000.0))
    if power_kw < 0 and not discharge_allowed:
        return 0.0
    return power_kw
