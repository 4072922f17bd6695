"""After a 1.6 station boots: read what it can do, ask for the readings the EMS needs, and cap each
connector at the installer's limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ac import DEFAULT_PHASES, AcSupply
from .errors import CommandRejected, CsmsError
from .v16_requests import default_profile_request

if TYPE_CHECKING:
    from .station import Session

CONFIGURATION_KEYS = (
    "NumberOfConnectors",
    "SupportedFeatureProfiles",
    "ChargingScheduleAllowedChargingRateUnit",
    "ChargeProfileMaxStackLevel",
    "MeterValuesSampledData",
    "MeterValueSampleInterval",
)
MEASURANDS = ("Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC")
# What to ask for when a station refuses the full list (often because it has no SoC or voltage).
ESSENTIAL_MEASURANDS = ("Energy.Active.Import.Register", "Power.Active.Import")
_CHANGED = ("Accepted", "RebootRequired")


def _listed(value: str | None) -> set[str]:
    return {item.strip() for item in (value or "").split(",") if item.strip()}


def charging_rate_unit(allowed: str | None) -> str | None:
    """ "A" when the station takes current limits, "W" when it takes only power ones."""
    units = _listed(allowed)
    if "Current" in units:
        return "A"
    return "W" if "Power" in units else None


async def configure_station(session: Session) -> None:
    """The boot-time exchange; a station that refuses part of it keeps working with what it has."""
    try:
        values = await _read(session)
        await _ask_for_measurands(session, values.get("MeterValuesSampledData"))
        interval = str(session.settings.meter_interval_s)
        if values.get("MeterValueSampleInterval") != interval:
            await _change(session, "MeterValueSampleInterval", interval)
        profiles = values.get("SupportedFeatureProfiles")
        if profiles is None or "SmartCharging" in _listed(profiles):
            await _cap_connectors(session)
    except CsmsError as error:
        session.log_once("configure", f"boot configuration not completed: {error}")


async def _read(session: Session) -> dict[str, str]:
    response = await session.call("GetConfiguration", {"key": list(CONFIGURATION_KEYS)})
    values = {
        str(item["key"]): str(item["value"])
        for item in response.get("configurationKey", [])
        if item.get("value") is not None
    }
    session.state.variables.update(values)
    unit = charging_rate_unit(values.get("ChargingScheduleAllowedChargingRateUnit"))
    if unit is not None and unit != session.state.charging_rate_unit:
        session.state.charging_rate_unit = unit
        session.mark_dirty()
    return values


async def _change(session: Session, key: str, value: str) -> bool:
    response = await session.call("ChangeConfiguration", {"key": key, "value": value})
    if response.get("status") in _CHANGED:
        return True
    session.log_once(f"config:{key}", f"{key}={value} refused ({response.get('status')})")
    return False


async def _ask_for_measurands(session: Session, current: str | None) -> None:
    if set(MEASURANDS) <= _listed(current):
        return
    if not await _change(session, "MeterValuesSampledData", ",".join(MEASURANDS)):
        await _change(session, "MeterValuesSampledData", ",".join(ESSENTIAL_MEASURANDS))


async def _cap_connectors(session: Session) -> None:
    config = session.config
    if config is None:
        return
    supply = AcSupply(DEFAULT_PHASES, config.nominal_voltage_v, config.min_current_a)
    unit = session.state.charging_rate_unit or "A"
    for connector_id in range(1, config.evse_count + 1):
        request = default_profile_request(connector_id, config.max_charge_kw, unit=unit, supply=supply)
        response = await session.call(request.action, request.payload)
        if response.get("status") not in request.accepted:
            error = CommandRejected(request.action, str(response.get("status")))
            session.log_once("default_profile", f"connector limit not installed: {error}")
            return
