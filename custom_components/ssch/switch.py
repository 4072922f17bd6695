"""Switches: take an EVSE in or out of service (OCPP ChangeAvailability)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .charger_entity import StationEntity
from .runtime import SschConfigEntry
from .station_commands import async_run_command

PARALLEL_UPDATES = 1

AVAILABILITY = SwitchEntityDescription(
    key="availability", translation_key="availability", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One availability switch per EVSE."""
    server = entry.runtime_data.server
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            [
                EvseAvailabilitySwitch(entry.entry_id, server, charger, AVAILABILITY, evse_id)
                for evse_id in range(1, charger.evse_count + 1)
            ],
            config_subentry_id=charger.subentry_id,
        )


class EvseAvailabilitySwitch(StationEntity, SwitchEntity):
    """On while the EVSE is in service."""

    @property
    def is_on(self) -> bool:
        """The station reports the EVSE as anything but Unavailable."""
        return self.evse.status != "Unavailable"

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Put the EVSE in service."""
        await self._set(operative=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Take the EVSE out of service (a running session finishes first)."""
        await self._set(operative=False)

    async def _set(self, *, operative: bool) -> None:
        assert self._evse_id is not None
        handle = self._server.station(self._charger.station_id)
        await async_run_command(
            self._charger.station_id, "ChangeAvailability", handle.set_availability(operative, self._evse_id)
        )
