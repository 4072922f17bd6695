"""Date/time entities: when each EVSE's car must be ready."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entities.goals import DEPARTURE, DepartureGoal
from .runtime import SschConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """A departure goal per EVSE."""
    ems = entry.runtime_data.ems
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            [
                DepartureGoal(ems, entry.entry_id, charger, evse, DEPARTURE)
                for evse in range(1, charger.evse_count + 1)
            ],
            config_subentry_id=charger.subentry_id,
        )
