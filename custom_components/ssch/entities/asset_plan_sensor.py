"""Plan sensors on the asset devices: PV forecast and curtailment, each battery's planned setpoint, wear."""

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
import numpy as np

from custom_components.ssch.asset_kinds import device_model
from custom_components.ssch.const import SUBENTRY_BATTERY, SUBENTRY_PV
from custom_components.ssch.core.model import FloatArray, rounded_list
from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.runtime import SschConfigEntry

from .base import SschCoordinatorEntity
from .devices import DeviceAnchor, asset_anchor
from .flow_sensor import FlowEnergySensor, energy_counter
from .sensor_kinds import power_kw

# An asset's part of a site series (PV by peak power, batteries as the dispatcher splits the pool).
AssetPart = Callable[[EmsCoordinator, FloatArray], FloatArray]


@dataclass(frozen=True, kw_only=True)
class PlanSensorDescription(SensorEntityDescription):
    """A value read from the current plan; the ``AssetPart`` gives the asset's part of site series."""

    value_fn: Callable[[EmsCoordinator, AssetPart], float | None]
    series_fn: Callable[[EmsCoordinator, AssetPart], list[float]] | None = None


def _first(values: FloatArray) -> float:
    return round(float(values[0]), 3)


def _pv_part(share: float) -> AssetPart:
    return lambda _, series: np.asarray(series) * share


def _battery_part(index: int) -> AssetPart:
    # The split is made once per plan (``EmsResult.battery_parts_kw``), not on every state write.
    return lambda ems, _: ems.data.battery_parts_kw[index]


def _kw(key: str, value_fn: Any, series_fn: Any = None) -> PlanSensorDescription:
    return power_kw(PlanSensorDescription, key, value_fn=value_fn, series_fn=series_fn)


PV_PLAN_SENSORS = (
    _kw(
        "pv_forecast",
        lambda ems, part: _first(part(ems, ems.data.snapshot.forecasts.pv_kw)),
        lambda ems, part: rounded_list(part(ems, ems.data.snapshot.forecasts.pv_kw)),
    ),
    _kw("pv_curtailment", lambda ems, part: _first(part(ems, ems.data.plan.pv_curtailment_kw))),
)
BATTERY_PLAN_SENSORS = (
    _kw(
        "battery_setpoint",
        lambda ems, part: _first(part(ems, ems.data.plan.battery_power_kw)),
        lambda ems, part: rounded_list(part(ems, ems.data.plan.battery_power_kw)),
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
    for pv in config.pv:
        anchor = asset_anchor(entry.entry_id, pv.subentry_id, pv.name, device_model(SUBENTRY_PV))
        part = _pv_part(pv.peak_kwp / total_peak)
        async_add_entities(
            [PlanSensor(ems, anchor, d, part) for d in PV_PLAN_SENSORS], config_subentry_id=pv.subentry_id
        )
    for index, battery in enumerate(config.batteries):
        anchor = asset_anchor(
            entry.entry_id, battery.subentry_id, battery.name, device_model(SUBENTRY_BATTERY)
        )
        meter = ems.battery_meters[battery.subentry_id]
        async_add_entities(
            [
                *(PlanSensor(ems, anchor, d, _battery_part(index)) for d in BATTERY_PLAN_SENSORS),
                FlowEnergySensor(ems, anchor, energy_counter("battery_energy_charged"), meter, inflow=True),
                FlowEnergySensor(
                    ems, anchor, energy_counter("battery_energy_discharged"), meter, inflow=False
                ),
            ],
            config_subentry_id=battery.subentry_id,
        )


class PlanSensor(SschCoordinatorEntity, SensorEntity):
    """A value of the current plan for one asset."""

    # A new series with every plan: on the state for charts, not in the recorder.
    _unrecorded_attributes = frozenset({"times", "values_kw"})
    entity_description: PlanSensorDescription

    def __init__(
        self,
        ems: EmsCoordinator,
        anchor: DeviceAnchor,
        description: PlanSensorDescription,
        part: AssetPart,
    ) -> None:
        """Bind to the asset's device."""
        super().__init__(ems, anchor, description)
        self._part = part

    @property
    def native_value(self) -> float | None:
        """The current step's value."""
        return self.entity_description.value_fn(self.coordinator, self._part)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The whole series with the step start times, for charts."""
        if self.entity_description.series_fn is None:
            return None
        plan = self.coordinator.data.plan
        return {
            "times": [t.isoformat() for t in plan.grid.times()],
            "values_kw": self.entity_description.series_fn(self.coordinator, self._part),
        }
