"""Base entities of a charging station and of its EVSEs."""

from __future__ import annotations

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import EntityDescription

from custom_components.ssch.const import MANUFACTURER
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.csms.state import EvseState, StationState
from custom_components.ssch.hub_config import ChargerConfig
from custom_components.ssch.stations.bridge import station_signal
from custom_components.ssch.stations.devices import reported_identity, station_model

from .base import SschEntity
from .devices import DeviceAnchor, asset_device_info, asset_unique_prefix, evse_identifier, evse_unique_prefix


def station_device_info(entry_id: str, charger: ChargerConfig, state: StationState) -> DeviceInfo:
    """The charging station's device (one per charger subentry), as the station described itself."""
    device = asset_device_info(entry_id, charger.subentry_id, charger.name, station_model(charger))
    device.update(reported_identity(state))  # type: ignore[typeddict-item]
    return device


def evse_device_info(entry_id: str, charger: ChargerConfig, evse_id: int) -> DeviceInfo:
    """One EVSE of a station is a device of its own."""
    return DeviceInfo(
        identifiers={evse_identifier(entry_id, charger.subentry_id, evse_id)},
        name=f"{charger.name} EVSE {evse_id}",
        manufacturer=MANUFACTURER,
        model="EVSE",
    )


def station_anchor(entry_id: str, charger: ChargerConfig, state: StationState) -> DeviceAnchor:
    """The charging station's device."""
    return DeviceAnchor(
        station_device_info(entry_id, charger, state), asset_unique_prefix(entry_id, charger.subentry_id)
    )


def evse_anchor(entry_id: str, charger: ChargerConfig, evse_id: int) -> DeviceAnchor:
    """The device of one EVSE."""
    return DeviceAnchor(
        evse_device_info(entry_id, charger, evse_id),
        evse_unique_prefix(entry_id, charger.subentry_id, evse_id),
    )


class StationEntity(SschEntity):
    """An entity of a charging station; unavailable while the station is offline."""

    def __init__(
        self,
        entry_id: str,
        server: CsmsServer,
        charger: ChargerConfig,
        description: EntityDescription,
        evse_id: int | None = None,
    ) -> None:
        """Bind to one station, or to one of its EVSEs when ``evse_id`` is given."""
        anchor = (
            station_anchor(entry_id, charger, server.state(charger.station_id))
            if evse_id is None
            else evse_anchor(entry_id, charger, evse_id)
        )
        super().__init__(anchor, description)
        self._entry_id = entry_id
        self._server = server
        self._charger = charger
        self._evse_id = evse_id

    @property
    def station(self) -> StationState:
        """What the server knows about the station now."""
        return self._server.state(self._charger.station_id)

    @property
    def evse(self) -> EvseState:
        """What the server knows about this entity's EVSE now."""
        assert self._evse_id is not None
        return self.station.evse(self._evse_id)

    @property
    def available(self) -> bool:
        """Values of an offline station are not current."""
        return self.station.connected

    async def async_added_to_hass(self) -> None:
        """Refresh whenever the server reports something about this station."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, station_signal(self._entry_id, self._charger.station_id), self._on_station_update
            )
        )

    @callback
    def _on_station_update(self) -> None:
        self.async_write_ha_state()
