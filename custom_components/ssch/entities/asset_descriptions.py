"""What each asset device shows of the entities it is mapped to: one description per mirrored value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntityDescription, SensorStateClass
from homeassistant.const import PERCENTAGE

from .sensor_kinds import energy_counter_kwh, power_kw


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
