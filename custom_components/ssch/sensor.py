"""Sensor platform: asset sensors and charger sensors."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entities.asset_plan_sensor import add_asset_plan_sensors
from .entities.asset_sensor import add_asset_sensors
from .entities.charger_sensor import add_charger_sensors
from .entities.goals import TARGET_STATUS, TargetStatus
from .entities.site_sensor import add_site_sensors
from .runtime import SschConfigEntry
from .vpp.sensor import add_flexibility_sensors

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add every sensor of the hub's devices."""
    add_asset_sensors(entry, async_add_entities)
    add_asset_plan_sensors(entry, async_add_entities)
    add_charger_sensors(entry, async_add_entities)
    add_site_sensors(entry, async_add_entities)
    add_flexibility_sensors(hass, entry, async_add_entities)
    ems = entry.runtime_data.ems
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            [
                TargetStatus(ems, entry.entry_id, charger, evse, TARGET_STATUS)
                for evse in range(1, charger.evse_count + 1)
            ],
            config_subentry_id=charger.subentry_id,
        )
