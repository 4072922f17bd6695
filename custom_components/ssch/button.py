"""Buttons: reset a station, unlock an EVSE's connector."""

from __future__ import annotations

from homeassistant.components.button import ButtonDeviceClass, ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entities.station import StationEntity
from .runtime import SschConfigEntry
from .stations.commands import async_run_command

PARALLEL_UPDATES = 1

RESET = ButtonEntityDescription(
    key="reset",
    translation_key="reset",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
)
UNLOCK = ButtonEntityDescription(
    key="unlock", translation_key="unlock", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """A reset button per station and an unlock button per EVSE."""
    server = entry.runtime_data.server
    for charger in entry.runtime_data.config.chargers:
        buttons: list[ButtonEntity] = [StationResetButton(entry.entry_id, server, charger, RESET)]
        buttons += [
            EvseUnlockButton(entry.entry_id, server, charger, UNLOCK, evse_id)
            for evse_id in range(1, charger.evse_count + 1)
        ]
        async_add_entities(buttons, config_subentry_id=charger.subentry_id)


class StationResetButton(StationEntity, ButtonEntity):
    """Reset the station when idle (OCPP Reset OnIdle)."""

    async def async_press(self) -> None:
        """Send the reset."""
        handle = self._server.station(self._charger.station_id)
        await async_run_command(self._charger.station_id, "Reset", handle.reset())


class EvseUnlockButton(StationEntity, ButtonEntity):
    """Release a cable stuck in the EVSE's connector."""

    async def async_press(self) -> None:
        """Send UnlockConnector."""
        assert self._evse_id is not None
        handle = self._server.station(self._charger.station_id)
        await async_run_command(self._charger.station_id, "UnlockConnector", handle.unlock(self._evse_id))
