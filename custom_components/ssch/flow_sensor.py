"""Energy counters for the Energy dashboard: grid import/export and battery charge/discharge."""

from __future__ import annotations

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntityDescription,
)
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .ems import EmsCoordinator
from .flow_meter import FlowMeter
from .sensor_kinds import energy_counter_kwh


def energy_counter(key: str) -> SensorEntityDescription:
    """A monotonic kWh counter."""
    return energy_counter_kwh(SensorEntityDescription, key)


class FlowEnergySensor(CoordinatorEntity[EmsCoordinator], RestoreSensor):
    """Energy that flowed in or out of the grid connection or a battery, for the Energy dashboard."""

    _attr_has_entity_name = True

    def __init__(
        self,
        ems: EmsCoordinator,
        unique_prefix: str,
        device: DeviceInfo,
        description: SensorEntityDescription,
        meter: FlowMeter,
        *,
        inflow: bool,
    ) -> None:
        """Bind to a device and one direction of a meter."""
        super().__init__(ems)
        self.entity_description = description
        self._attr_unique_id = f"{unique_prefix}_{description.key}"
        self._attr_device_info = device
        self._meter = meter
        self._inflow = inflow

    async def async_added_to_hass(self) -> None:
        """Continue the counter from before a restart."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        if last is not None and isinstance(last.native_value, int | float):
            value = float(last.native_value)
            self._meter.restore(value if self._inflow else None, None if self._inflow else value)

    @property
    def native_value(self) -> float:
        """The counter now."""
        return round(self._meter.in_kwh if self._inflow else self._meter.out_kwh, 4)
