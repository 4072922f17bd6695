"""Select: how the hub uses its plans (automatic, advisory, off)."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .ems.coordinator import EmsCoordinator, EmsMode
from .entities.base import SschCoordinatorEntity
from .entities.devices import site_anchor
from .entities.goals import MODE, ChargeModeSelect
from .runtime import SschConfigEntry

PARALLEL_UPDATES = 0

EMS_MODE = SelectEntityDescription(
    key="ems_mode", translation_key="ems_mode", options=[m.value for m in EmsMode]
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The hub's mode, on the site device."""
    ems = entry.runtime_data.ems
    async_add_entities([EmsModeSelect(ems, entry.entry_id, entry.title)])
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            [
                ChargeModeSelect(ems, entry.entry_id, charger, evse, MODE)
                for evse in range(1, charger.evse_count + 1)
            ],
            config_subentry_id=charger.subentry_id,
        )


class EmsModeSelect(SschCoordinatorEntity, SelectEntity, RestoreEntity):
    """automatic: plans are applied; advisory: only published; off: chargers use their own limits."""

    entity_description: SelectEntityDescription

    def __init__(self, coordinator: EmsCoordinator, entry_id: str, name: str) -> None:
        """Bind to the hub's site device."""
        super().__init__(coordinator, site_anchor(entry_id, name), EMS_MODE)

    async def async_added_to_hass(self) -> None:
        """Keep the mode the operator chose across restarts."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in self.options and last.state != self.coordinator.mode:
            await self.coordinator.async_set_mode(EmsMode(last.state))

    @property
    def current_option(self) -> str:
        """The mode now."""
        return self.coordinator.mode.value

    async def async_select_option(self, option: str) -> None:
        """Change the mode."""
        await self.coordinator.async_set_mode(EmsMode(option))
