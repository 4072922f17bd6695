"""Sensors of the hub's site device: the EMS's status, its plan and its solver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfEnergy, UnitOfPower, UnitOfTime
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from custom_components.ssch.core.fallback import BACKEND as RULE_BASED_BACKEND
from custom_components.ssch.core.kpi_tracker import HubKpis
from custom_components.ssch.core.planner import SHIFTED_BACKEND
from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.runtime import SschConfigEntry

from .base import SschCoordinatorEntity
from .devices import site_anchor
from .flow_sensor import FlowEnergySensor, energy_counter

type SiteValue = str | float | None

# The plan's series change with every plan and run to thousands of bytes: kept on the state for cards,
# left out of the recorder (the whole plan is served by the ``get_plan`` action and ``ssch/plan``).
PLAN_SERIES = frozenset(
    {
        "times",
        "grid_import_kw",
        "grid_export_kw",
        "ev_power_kw",
        "battery_power_kw",
        "pv_curtailment_kw",
        "expected_arrivals_kwh",
    }
)


@dataclass(frozen=True, kw_only=True)
class SiteSensorDescription(SensorEntityDescription):
    """A value of the hub's energy management."""

    value_fn: Callable[[EmsCoordinator], SiteValue]
    attributes_fn: Callable[[EmsCoordinator], dict[str, Any]] | None = None


def _planned_now(ems: EmsCoordinator) -> float:
    return round(float(ems.data.plan.grid_import_kw[0] - ems.data.plan.grid_export_kw[0]), 3)


def _peak(ems: EmsCoordinator) -> float:
    return round(float(ems.data.plan.grid_import_kw.max()), 3)


# What a person reads for the stages that are not an engine ("cvxpy / Clarabel", "built-in / PIQP").
_STAGE_NAMES = {
    RULE_BASED_BACKEND: "rule-based fallback",
    SHIFTED_BACKEND: "previous plan, shifted",
}


def _solver_name(ems: EmsCoordinator) -> str:
    backend = ems.data.plan.diagnostics.backend
    return _STAGE_NAMES.get(backend, backend)


def _solve_time(ems: EmsCoordinator) -> float:
    return round(ems.data.plan.diagnostics.solve_time_s * 1000.0, 1)


def _latency(ems: EmsCoordinator) -> float | None:
    return None if ems.last_latency_s is None else round(ems.last_latency_s * 1000.0, 1)


SITE_SENSORS = (
    SiteSensorDescription(
        key="grid_power",
        translation_key="grid_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        suggested_display_precision=2,
        value_fn=lambda ems: None if ems.grid_meter.power_kw is None else round(ems.grid_meter.power_kw, 3),
    ),
    SiteSensorDescription(
        key="ems_status",
        translation_key="ems_status",
        device_class=SensorDeviceClass.ENUM,
        options=["ok", "degraded"],
        value_fn=lambda ems: ems.status()[0],
        attributes_fn=lambda ems: {"reason": ems.status()[1]},
    ),
    SiteSensorDescription(
        key="next_plan",
        translation_key="next_plan",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        value_fn=_planned_now,
        attributes_fn=lambda ems: ems.plan_attributes(),
    ),
    SiteSensorDescription(
        key="planned_import_peak",
        translation_key="planned_import_peak",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        value_fn=_peak,
    ),
    SiteSensorDescription(
        key="billed_peak",
        translation_key="billed_peak",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        suggested_display_precision=1,
        value_fn=lambda ems: round(ems.billed_peak.peak_kw, 3),
        attributes_fn=lambda ems: {"month": ems.billed_peak.month},
    ),
    SiteSensorDescription(
        key="import_limit",
        translation_key="import_limit",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        value_fn=lambda ems: ems.builder.limits_now(dt_util.utcnow())[0],
    ),
    SiteSensorDescription(
        key="solver_backend",
        translation_key="solver_backend",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_solver_name,
    ),
    # New values with every plan: off until someone looks into the solver's or the dispatch's speed.
    SiteSensorDescription(
        key="last_solve_time",
        translation_key="last_solve_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_solve_time,
    ),
    SiteSensorDescription(
        key="ems_latency",
        translation_key="ems_latency",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_latency,
    ),
)


def _kpi(
    key: str,
    read: Callable[[HubKpis], float | None],
    unit: str | None,
    *,
    device_class: SensorDeviceClass | None = None,
    precision: int = 1,
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT,
) -> SiteSensorDescription:
    def value(ems: EmsCoordinator) -> float | None:
        raw = read(ems.kpi_report())
        return None if raw is None else round(float(raw), precision + 1)

    return SiteSensorDescription(
        key=key,
        translation_key=key,
        native_unit_of_measurement=unit,
        device_class=device_class,
        state_class=state_class,
        suggested_display_precision=precision,
        value_fn=value,
    )


def _money(key: str, read: Callable[[HubKpis], float | None]) -> SiteSensorDescription:
    return _kpi(
        key,
        read,
        "EUR",
        device_class=SensorDeviceClass.MONETARY,
        precision=2,
        # Resets every day or month: not a statistic Home Assistant could sum.
        state_class=None,
    )


KPI_SENSORS = (
    _kpi("kpi_variance_reduction", lambda k: k.variance_reduction_pct, PERCENTAGE),
    _kpi("kpi_peak_reduction", lambda k: k.peak_reduction_pct, PERCENTAGE),
    _kpi("kpi_pv_self_consumption", lambda k: k.pv_self_consumption_pct, PERCENTAGE),
    _kpi("kpi_self_sufficiency", lambda k: k.self_sufficiency_pct, PERCENTAGE),
    _kpi("kpi_sessions_met", lambda k: k.sessions_met_pct, PERCENTAGE),
    _kpi(
        "kpi_unmet_energy",
        lambda k: k.unmet_energy_kwh,
        UnitOfEnergy.KILO_WATT_HOUR,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL,
    ),
    _kpi("kpi_battery_degradation", lambda k: k.battery_degradation_increase_pct, PERCENTAGE, precision=2),
    _kpi("kpi_charger_uptime", lambda k: k.charger_uptime_pct, PERCENTAGE),
    _money("kpi_cost_today", lambda k: k.energy_cost_today_eur),
    _money("kpi_cost_month", lambda k: k.energy_cost_month_eur),
    _money("kpi_savings_today", lambda k: k.savings_today_eur),
    _money("kpi_savings_month", lambda k: k.savings_month_eur),
    _kpi(
        "vpp_capacity_up", lambda k: k.flex_up_kw, UnitOfPower.KILO_WATT, device_class=SensorDeviceClass.POWER
    ),
    _kpi(
        "vpp_capacity_down",
        lambda k: k.flex_down_kw,
        UnitOfPower.KILO_WATT,
        device_class=SensorDeviceClass.POWER,
    ),
)


def add_site_sensors(entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback) -> None:
    """The site device's sensors."""
    ems = entry.runtime_data.ems
    site = site_anchor(entry.entry_id, entry.title)
    sensors: list[SensorEntity] = [SiteSensor(ems, site, d) for d in (*SITE_SENSORS, *KPI_SENSORS)]
    sensors += [
        FlowEnergySensor(ems, site, energy_counter("grid_import_energy"), ems.grid_meter, inflow=True),
        FlowEnergySensor(ems, site, energy_counter("grid_export_energy"), ems.grid_meter, inflow=False),
    ]
    async_add_entities(sensors)


class SiteSensor(SschCoordinatorEntity, SensorEntity):
    """A value of the hub's EMS, refreshed with every plan and dispatch."""

    _unrecorded_attributes = PLAN_SERIES
    entity_description: SiteSensorDescription

    @property
    def available(self) -> bool:
        """Status and limit are always known; plan values need a plan."""
        return True

    @property
    def native_value(self) -> SiteValue:
        """Read from the coordinator."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Series and reasons where the sensor has them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator)
