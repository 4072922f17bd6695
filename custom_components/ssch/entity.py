"""The base of every entity of the integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription


class SschEntity(Entity):
    """An entity of a hub device; names come from translations."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, unique_prefix: str, device_info: DeviceInfo, description: EntityDescription) -> None:
        """Bind the entity to its device."""
        self.entity_description = description
        self._attr_unique_id = f"{unique_prefix}_{description.key}"
        self._attr_device_info = device_info
