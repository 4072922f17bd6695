"""A charging station's device says what the station told at boot (maker, model, serial, firmware),
and the devices of its EVSEs hang below it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from custom_components.ssch.csms.events import CsmsEvent, StationBooted
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.csms.state import StationState
from custom_components.ssch.entities.devices import asset_identifier, evse_identifier
from custom_components.ssch.hub_config import ChargerConfig, HubConfig
from custom_components.ssch.registry_compat import device_by_identifier


def station_model(charger: ChargerConfig) -> str:
    """What the device shows until the station tells its model."""
    return "V2G charging station" if charger.bidirectional else "Charging station"


def reported_identity(state: StationState) -> dict[str, Any]:
    """The device fields a station's BootNotification fills (only those it sent)."""
    identity = {
        "manufacturer": state.vendor,
        "model": state.model,
        "sw_version": state.firmware_version,
        "serial_number": state.serial_number,
    }
    return {field: value for field, value in identity.items() if value}


@callback
def async_describe_stations(hass: HomeAssistant, config: HubConfig, server: CsmsServer) -> None:
    """Bring each station device up to date and link its EVSE devices to it.

    The link is made in the registry, not through ``DeviceInfo``: its ``via_device`` is deprecated
    from Home Assistant 2026.8 and refused from 2026.9, while ``via_device_id`` does not exist before.
    """
    registry = dr.async_get(hass)
    for charger in config.chargers:
        station = device_by_identifier(
            registry, asset_identifier(config.entry_id, charger.subentry_id), config.entry_id
        )
        if station is None:
            continue
        changes = {
            field: value
            for field, value in reported_identity(server.state(charger.station_id)).items()
            if getattr(station, field) != value
        }
        if changes:
            registry.async_update_device(station.id, **changes)
        for evse_id in range(1, charger.evse_count + 1):
            evse = device_by_identifier(
                registry, evse_identifier(config.entry_id, charger.subentry_id, evse_id), config.entry_id
            )
            if evse is not None and evse.via_device_id != station.id:
                registry.async_update_device(evse.id, via_device_id=station.id)


def boot_listener(hass: HomeAssistant, config: HubConfig, server: CsmsServer) -> Callable[[CsmsEvent], None]:
    """A station that boots (e.g. after a firmware update) updates its device."""

    @callback
    def on_event(event: CsmsEvent) -> None:
        if isinstance(event, StationBooted):
            async_describe_stations(hass, config, server)

    return on_event
