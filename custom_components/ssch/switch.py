"""Switches: take an EVSE in or out of service (OCPP ChangeAvailability), or out of the hub's control."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .core.evse_key import evse_key
from .csms.server import CsmsServer
from .ems.coordinator import EmsCoordinator
from .entities.goals import V2G_ALLOWED, V2gConsent
from .entities.station import StationEntity
from .hub_config import ChargerConfig
from .runtime import SschConfigEntry
from .stations.commands import async_run_command

PARALLEL_UPDATES = 1

AVAILABILITY = SwitchEntityDescription(
    key="availability", translation_key="availability", entity_category=EntityCategory.CONFIG
)
CONTROLLED = SwitchEntityDescription(
    key="controlled", translation_key="controlled", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One availability switch per EVSE."""
    server = entry.runtime_data.server
    for charger in entry.runtime_data.config.chargers:
        evses = range(1, charger.evse_count + 1)
        ems = entry.runtime_data.ems
        async_add_entities(
            [
                *(
                    EvseAvailabilitySwitch(entry.entry_id, server, charger, AVAILABILITY, evse)
                    for evse in evses
                ),
                *(EvseControlledSwitch(entry.entry_id, server, charger, evse, ems) for evse in evses),
                *(
                    V2gConsent(ems, entry.entry_id, charger, evse, V2G_ALLOWED)
                    for evse in evses
                    if charger.bidirectional
                ),
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


class EvseControlledSwitch(StationEntity, SwitchEntity):
    """On while the hub plans and steers this EVSE; off leaves it to the station (e.g. for a test)."""

    def __init__(
        self, entry_id: str, server: CsmsServer, charger: ChargerConfig, evse_id: int, ems: EmsCoordinator
    ) -> None:
        """Controlled unless the user said otherwise."""
        super().__init__(entry_id, server, charger, CONTROLLED, evse_id)
        self._ems = ems
        self._key = evse_key(charger.station_id, evse_id)

    @property
    def available(self) -> bool:
        """The choice is the user's, online or not."""
        return True

    @property
    def is_on(self) -> bool:
        """The EVSE is part of the plan."""
        return not self._ems.controls[self._key].excluded

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let the hub steer the EVSE again."""
        await self._set(excluded=False)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Release the EVSE to the station's own limits."""
        await self._set(excluded=True)

    async def _set(self, *, excluded: bool) -> None:
        await self._ems.async_set_excluded(self._key, excluded)
        self.async_write_ha_state()
