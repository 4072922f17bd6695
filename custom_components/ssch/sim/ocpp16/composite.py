"""GetCompositeSchedule: the limits the installed profiles set over the coming seconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from custom_components.ssch.sim.clock import ocpp_timestamp

from .current import AcSupply, CurrentLimit
from .profiles import SmartChargingProfiles


def composite_schedule(
    profiles: SmartChargingProfiles,
    *,
    hardware: CurrentLimit,
    supply: AcSupply,
    start: datetime,
    duration_s: int,
    unit: str,
    transaction_running: bool,
    relative_start: datetime,
) -> dict[str, Any]:
    """Return the ``charging_schedule`` of a GetCompositeSchedule answer, starting at ``start``.

    Each period gives the limit the station would apply from its ``start_period`` on: the winning
    profiles capped by the hardware (its maximum where no profile applies).
    """
    window = (start, start + timedelta(seconds=duration_s))
    moments = sorted({start} | profiles.change_times(window, relative_start))
    periods: list[dict[str, Any]] = []
    for moment in moments:
        limit = hardware.capped_by(profiles.limit_at(moment, transaction_running, relative_start))
        period = {
            "start_period": int((moment - start).total_seconds()),
            # the 1.6 schema wants multiples of 0.1
            "limit": round(supply.in_unit(limit, unit), 1),
            "number_phases": limit.phases,
        }
        if periods and periods[-1]["start_period"] == period["start_period"]:
            periods.pop()
        if not periods or _differs(periods[-1], period):
            periods.append(period)
    return {
        "duration": duration_s,
        "start_schedule": ocpp_timestamp(start),
        "charging_rate_unit": unit,
        "charging_schedule_period": periods,
    }


def _differs(earlier: dict[str, Any], later: dict[str, Any]) -> bool:
    return (earlier["limit"], earlier["number_phases"]) != (later["limit"], later["number_phases"])
