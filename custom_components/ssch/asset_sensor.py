"""Asset sensors: each asset device shows the live values of the entities it is mapped to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
)
from homeassistant.core import Event, EventStateChangedData, State, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_state_change_event

from .devices import asset_device_info
from .entity import SschEntity
from .hub_config import BatteryConfig, BuildingConfig, GridMeterConfig, PvConfig
from .runtime import SschConfigEntry
from .sensor_kinds import energy_counter_kwh, power_kw
from .units import mirrored_value

type AssetConfig = PvConfig | BatteryConfig | BuildingConfig | GridMeterConfig


@dataclass(frozen=True, kw_only=True)
class MirrorSensorDescription(SensorEntityDescription):
    """A sensor that follows a mapped entity, converted to the hub's units."""

    source_fn: Callable[[Any], str | None]


def _power(key: str, source_fn: Callable[[Any], str | None]) -> MirrorSensorDescription:
    return power_kw(MirrorSensorDescription, key, source_fn=source_fn)


def _energy(key: str, source_fn: Callable[[Any], str | None]) -> MirrorSensorDescription:
    return energy_counter_kwh(MirrorSensorDescription, key, source_fn=source_fn)


PV_SENSORS = (
    _power("pv_power", lambda c: c.power_entity),
    _energy("pv_energy", lambda c: c.energy_entity),
)
BATTERY_SENSORS = (
    MirrorSensorDescription(
        key="battery_soc",
        translation_key="battery_soc",
        source_fn=lambda c: c.soc_entity,
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
    ),
    _power("battery_power", lambda c: c.power_entity),
)
BUILDING_SENSORS = (
    _power("building_power", lambda c: c.power_entity),
    _energy("building_energy", lambda c: c.energy_entity),
)
GRID_METER_SENSORS = (
    _power("grid_import_power", lambda c: c.import_power_entity),
    _power("grid_export_power", lambda c: c.export_power_entity),
)

_MODELS = {
    PvConfig: "PV inverter",
    BatteryConfig: "Stationary battery",
    BuildingConfig: "Building",
    GridMeterConfig: "Grid meter",
}


def add_asset_sensors(entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback) -> None:
    """Add the sensors of every asset subentry to that subentry's device."""
    config = entry.runtime_data.config
    for asset, descriptions in _assets(config.pv, config.batteries, config.buildings, config.grid_meter):
        device = asset_device_info(entry.entry_id, asset.subentry_id, asset.name, _MODELS[type(asset)])
        async_add_entities(
            [
                MirrorSensor(f"{entry.entry_id}_{asset.subentry_id}", device, description, source)
                for description in descriptions
                if (source := description.source_fn(asset)) is not None
            ],
            config_subentry_id=asset.subentry_id,
        )


def _assets(
    pv: tuple[PvConfig, ...],
    batteries: tuple[BatteryConfig, ...],
    buildings: tuple[BuildingConfig, ...],
    grid_meter: GridMeterConfig | None,
) -> Iterator[tuple[AssetConfig, tuple[MirrorSensorDescription, ...]]]:
    yield from ((asset, PV_SENSORS) for asset in pv)
    yield from ((asset, BATTERY_SENSORS) for asset in batteries)
    yield from ((asset, BUILDING_SENSORS) for asset in buildings)
    if grid_meter is not None:
        yield grid_meter, GRID_METER_SENSORS


class MirrorSensor(SschEntity, SensorEntity):
    """Follows one mapped entity and is unavailable while that entity has no usable value."""

    entity_description: MirrorSensorDescription

    def __init__(
        self,
        unique_prefix: str,
        device_info: Any,
        description: MirrorSensorDescription,
        source: str,
    ) -> None:
        """Remember which entity to follow."""
        super().__init__(unique_prefix, device_info, description)
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
