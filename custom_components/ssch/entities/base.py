"""The base of every entity of the integration: bound to a device anchor, named by translations."""

from __future__ import annotations

from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from custom_components.ssch.ems.coordinator import EmsCoordinator

from .devices import DeviceAnchor


class SschEntity(Entity):
    """An entity of a hub device; its unique id and device come from the anchor."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, anchor: DeviceAnchor, description: EntityDescription) -> None:
        """Bind the entity to its device."""
        self.entity_description = description
        self._attr_unique_id = anchor.unique_id(description.key)
        self._attr_device_info = anchor.device_info


class SschCoordinatorEntity(SschEntity, CoordinatorEntity[EmsCoordinator]):
    """An entity that shows what the hub's EMS plans or measures; refreshed with every plan."""

    def __init__(self, ems: EmsCoordinator, anchor: DeviceAnchor, description: EntityDescription) -> None:
        """Bind to the EMS and to the device."""
        CoordinatorEntity.__init__(self, ems)
        SschEntity.__init__(self, anchor, description)
