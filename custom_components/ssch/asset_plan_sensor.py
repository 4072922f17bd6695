"""Plan sensors on the asset devices: PV forecast and curtailment, the battery's planned setpoint and wear."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .devices import asset_device_info
from .ems import EmsCoordinator
from .flow_sensor import FlowEnergySensor, energy_counter
from .runtime import SschConfigEntry
from .sensor_kinds import power_kw


@dataclass(frozen=True, kw_only=True)
class PlanSensorDescription(SensorEntityDescription):
    """A value read from the current plan; ``share`` splits site totals between assets."""

    value_fn: Callable[[EmsCoordinator, float], float | None]
    series_fn: Callable[[EmsCoordinator, float], list[float]] | None = None


def _kw(key: str, value_fn: Any, series_fn: Any = None) -> PlanSensorDescription:
    return power_kw(PlanSensorDescription, key, value_fn=value_fn, series_fn=series_fn)


PV_PLAN_SENSORS = (
    _kw(
        "pv_forecast",
        lambda ems, share: round(float(ems.data.snapshot.forecasts.pv_kw[0]) * share, 3),
        lambda ems, share: [round(float(v) * share, 3) for v in ems.data.snapshot.forecasts.pv_kw],
    ),
    _kw("pv_curtailment", lambda ems, share: round(float(ems.data.plan.pv_curtailment_kw[0]) * share, 3)),
)
BATTERY_PLAN_SENSORS = (
    _kw(
        "battery_setpoint",
        lambda ems, share: round(float(ems.data.plan.battery_power_kw[0]) * share, 3),
        lambda ems, share: [round(float(v) * share, 3) for v in ems.data.plan.battery_power_kw],
    ),
    PlanSensorDescription(
        key="battery_degradation",
        translation_key="battery_degradation",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda ems, _: ems.kpi_report().battery_degradation_increase_pct,
    ),
)


def add_asset_plan_sensors(
    entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """PV and battery devices show what the plan does with them."""
    ems, config = entry.runtime_data.ems, entry.runtime_data.config
    total_peak = sum(pv.peak_kwp for pv in config.pv) or 1.0
    total_capacity = sum(b.capacity_kwh for b in config.batteries) or 1.0
    for pv in config.pv:
        device = asset_device_info(entry.entry_id, pv.subentry_id, pv.name, "PV inverter")
        async_add_entities(
            [
                PlanSensor(ems, f"{entry.entry_id}_{pv.subentry_id}", device, d, pv.peak_kwp / total_peak)
                for d in PV_PLAN_SENSORS
            ],
            config_subentry_id=pv.subentry_id,
        )
    for battery in config.batteries:
        device = asset_device_info(entry.entry_id, battery.subentry_id, battery.name, "Stationary battery")
        share = battery.capacity_kwh / total_capacity
        prefix = f"{entry.entry_id}_{battery.subentry_id}"
        meter = ems.battery_meters[battery.subentry_id]
        async_add_entities(
            [
                *(PlanSensor(ems, prefix, device, d, share) for d in BATTERY_PLAN_SENSORS),
                FlowEnergySensor(
                    ems, prefix, device, energy_counter("battery_energy_charged"), meter, inflow=True
                ),
                FlowEnergySensor(
                    ems, prefix, device, energy_counter("battery_energy_discharged"), meter, inflow=False
                ),
            ],
            config_subentry_id=battery.subentry_id,
        )


class PlanSensor(CoordinatorEntity[EmsCoordinator], SensorEntity):
    """A value of the current plan for one asset."""

    _attr_has_entity_name = True
    # A new series with every plan: on the state for charts, not in the recorder.
    _unrecorded_attributes = frozenset({"times", "values_kw"})
    entity_description: PlanSensorDescription

    def __init__(
        self, ems: EmsCoordinator, prefix: str, device: Any, description: PlanSensorDescription, share: float
    ) -> None:
        """Bind to the asset's device."""
        super().__init__(ems)
        self.entity_description = description
        self._share = share
        self._attr_unique_id = f"{prefix}_{description.key}"
        self._attr_device_info = device

    @property
    def native_value(self) -> float | None:
        """The current step's value."""
        return self.entity_description.value_fn(self.coordinator, self._share)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The whole series with the step start times, for charts."""
        if self.entity_description.series_fn is None:
            return None
        plan = self.coordinator.data.plan
        return {
            "times": [t.isoformat() for t in plan.grid.times()],
            "values_kw": self.entity_description.series_fn(self.coordinator, self._share),
        }
