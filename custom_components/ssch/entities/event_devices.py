"""The devices the hub's bus events concern: an EVSE's device, or its station's for a station-wide report.

Events carry the device id so that device triggers, blueprints and phone replies address one EVSE
without guessing from names.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.hub_config import HubConfig
from custom_components.ssch.registry_compat import device_by_identifier

from .devices import asset_identifier, evse_identifier

ATTR_SESSION_ID = "session_id"
_EVSE_SUFFIX = "_evse"


def event_device_id(
    hass: HomeAssistant, config: HubConfig, station_id: str, evse_id: int | None
) -> str | None:
    """The EVSE's device, or the station's when the report is not about one EVSE (none or 0)."""
    charger = next((c for c in config.chargers if c.station_id == station_id), None)
    if charger is None:
        return None
    if evse_id:
        identifier = evse_identifier(config.entry_id, charger.subentry_id, evse_id)
    else:
        identifier = asset_identifier(config.entry_id, charger.subentry_id)
    device = device_by_identifier(dr.async_get(hass), identifier, config.entry_id)
    return device.id if device is not None else None


def station_identifier_of_evse(device: dr.DeviceEntry) -> tuple[str, str] | None:
    """The station device's identifier when ``device`` is an EVSE of this integration, else None."""
    for domain, value in device.identifiers:
        station, suffix, number = value.rpartition(_EVSE_SUFFIX)
        if domain == DOMAIN and suffix and number.isdigit():
            return (DOMAIN, station)
    return None


def station_device_id_of_evse(hass: HomeAssistant, device_id: str) -> str | None:
    """The id of the station device an EVSE device belongs to."""
    registry = dr.async_get(hass)
    device = registry.async_get(device_id)
    identifier = station_identifier_of_evse(device) if device is not None else None
    station = registry.async_get_device(identifiers={identifier}) if identifier is not None else None
    return station.id if station is not None else None
