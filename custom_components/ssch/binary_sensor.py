"""Binary sensors: whether each charging station is connected to the hub."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entities.station import StationEntity
from .runtime import SschConfigEntry

PARALLEL_UPDATES = 0

CONNECTED = BinarySensorEntityDescription(
    key="connected", translation_key="connected", device_class=BinarySensorDeviceClass.CONNECTIVITY
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One connectivity sensor per station."""
    server = entry.runtime_data.server
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            [StationConnectedSensor(entry.entry_id, server, charger, CONNECTED)],
            config_subentry_id=charger.subentry_id,
        )


class StationConnectedSensor(StationEntity, BinarySensorEntity):
    """On while the station holds a websocket to the hub; itself always available."""

    @property
    def available(self) -> bool:
        """Connectivity is known even while the station is offline."""
        return True

    @property
    def is_on(self) -> bool:
        """Connected now."""
        return self.station.connected
