"""Asset sensors: each asset device shows the live values of the entities it is mapped to."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import Event, EventStateChangedData, State, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_state_change_event

from custom_components.ssch.asset_kinds import ASSET_KINDS
from custom_components.ssch.ems.units import mirrored_value
from custom_components.ssch.runtime import SschConfigEntry

from .asset_descriptions import MirrorSensorDescription
from .base import SschEntity
from .devices import DeviceAnchor, asset_anchor


def add_asset_sensors(entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback) -> None:
    """Add the sensors of every asset subentry to that subentry's device."""
    config = entry.runtime_data.config
    for kind in ASSET_KINDS:
        if not kind.sensors or kind.device_model is None:
            continue
        for asset in kind.assets(config):
            anchor = asset_anchor(entry.entry_id, asset.subentry_id, asset.name, kind.device_model)
            async_add_entities(
                [
                    MirrorSensor(anchor, description, source)
                    for description in kind.sensors
                    if (source := description.source_fn(asset)) is not None
                ],
                config_subentry_id=asset.subentry_id,
            )


class MirrorSensor(SschEntity, SensorEntity):
    """Follows one mapped entity and is unavailable while that entity has no usable value."""

    entity_description: MirrorSensorDescription

    def __init__(
        self,
        anchor: DeviceAnchor,
        description: MirrorSensorDescription,
        source: str,
    ) -> None:
        """Remember which entity to follow."""
        super().__init__(anchor, description)
        self._source = source
        self._attr_extra_state_attributes = {"source_entity": source}

    async def async_added_to_hass(self) -> None:
        """Start following the source entity."""
        self._update(self.hass.states.get(self._source))
        self.async_on_remove(async_track_state_change_event(self.hass, self._source, self._on_source_change))

    @callback
    def _on_source_change(self, event: Event[EventStateChangedData]) -> None:
        self._update(event.data["new_state"])
        self.async_write_ha_state()

    def _update(self, state: State | None) -> None:
        value = mirrored_value(state, self.entity_description.device_class)
        self._attr_native_value = value
        self._attr_available = value is not None
