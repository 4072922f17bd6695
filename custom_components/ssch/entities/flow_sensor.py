"""Energy counters for the Energy dashboard: grid import/export and battery charge/discharge."""

from __future__ import annotations

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntityDescription,
)

from custom_components.ssch.core.flow_meter import FlowMeter
from custom_components.ssch.ems.coordinator import EmsCoordinator

from .base import SschCoordinatorEntity
from .devices import DeviceAnchor
from .sensor_kinds import energy_counter_kwh


def energy_counter(key: str) -> SensorEntityDescription:
    """A monotonic kWh counter."""
    return energy_counter_kwh(SensorEntityDescription, key)


class FlowEnergySensor(SschCoordinatorEntity, RestoreSensor):
    """Energy that flowed in or out of the grid connection or a battery, for the Energy dashboard."""

    def __init__(
        self,
        ems: EmsCoordinator,
        anchor: DeviceAnchor,
        description: SensorEntityDescription,
        meter: FlowMeter,
        *,
        inflow: bool,
    ) -> None:
        """Bind to a device and one direction of a meter."""
        super().__init__(ems, anchor, description)
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
