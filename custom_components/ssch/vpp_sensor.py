"""Flexibility sensors: per hub on its site device, and for all hubs on the VPP device."""

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
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .const import MANUFACTURER
from .ems.coordinator import EmsCoordinator
from .entities.devices import VPP_IDENTIFIER, site_device_info
from .entities.sensor_kinds import power_kw
from .runtime import SschConfigEntry
from .vpp.community_sensor import add_community_sensors
from .vpp.device import FLEX_ENERGY_HORIZON, FlexValues, Vpp, hub_flexibility, vpp


@dataclass(frozen=True, kw_only=True)
class FlexSensorDescription(SensorEntityDescription):
    """A flexibility figure; the same descriptions serve a hub and the VPP."""

    value_fn: Callable[[FlexValues], float]
    monetary: bool = False


def _power(key: str, value_fn: Callable[[FlexValues], float]) -> FlexSensorDescription:
    return power_kw(FlexSensorDescription, key, precision=1, value_fn=value_fn)


def _energy(key: str, value_fn: Callable[[FlexValues], float]) -> FlexSensorDescription:
    # Energy that could be stored or held back, not a meter: no total state class.
    return FlexSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=value_fn,
    )


def _revenue(key: str) -> FlexSensorDescription:
    # Accumulates for ever: Home Assistant's statistics can sum it.
    return FlexSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda values: values.revenue,
    )


HUB_SENSORS = (
    _energy("flexibility_energy_up", lambda values: values.up_kwh),
    _energy("flexibility_energy_down", lambda values: values.down_kwh),
    _power("flexibility_committed", lambda values: values.committed_kw),
    _revenue("flexibility_revenue"),
)
VPP_SENSORS = (
    _power("vpp_flexibility_up", lambda values: values.up_kw),
    _power("vpp_flexibility_down", lambda values: values.down_kw),
    _energy("vpp_flexibility_energy_up", lambda values: values.up_kwh),
    _energy("vpp_flexibility_energy_down", lambda values: values.down_kwh),
    _power("vpp_flexibility_committed", lambda values: values.committed_kw),
    _revenue("vpp_flexibility_revenue"),
)


def _attributes(values: FlexValues, description: FlexSensorDescription) -> dict[str, Any] | None:
    if description.key.endswith("committed"):
        return {"up_kw": round(values.committed_up_kw, 3), "down_kw": round(values.committed_down_kw, 3)}
    if "energy" in description.key:
        return {"horizon_hours": FLEX_ENERGY_HORIZON.total_seconds() / 3600.0}
    return None


def vpp_device_info() -> DeviceInfo:
    """The one VPP device of this Home Assistant."""
    return DeviceInfo(
        identifiers={VPP_IDENTIFIER},
        name="Virtual power plant",
        manufacturer=MANUFACTURER,
        model="Virtual power plant",
    )


def add_flexibility_sensors(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The hub's flexibility sensors; the hub joins the VPP, hosting its device if it is the first."""
    ems = entry.runtime_data.ems
    async_add_entities(
        [HubFlexSensor(ems, entry.entry_id, entry.title, d, hass.config.currency) for d in HUB_SENSORS]
    )
    plant = vpp(hass)

    def host(_: str) -> None:
        async_add_entities([VppSensor(plant, d, hass.config.currency) for d in VPP_SENSORS])

    entry.async_on_unload(plant.join(entry.entry_id, ems, host))
    add_community_sensors(hass, entry, async_add_entities)


class HubFlexSensor(CoordinatorEntity[EmsCoordinator], SensorEntity):
    """A flexibility figure of one hub, on its site device."""

    _attr_has_entity_name = True
    # One summary per open commitment: the book itself keeps them, the recorder need not.
    _unrecorded_attributes = frozenset({"commitments"})
    entity_description: FlexSensorDescription

    def __init__(
        self,
        ems: EmsCoordinator,
        entry_id: str,
        name: str,
        description: FlexSensorDescription,
        currency: str,
    ) -> None:
        """Bind to the hub's site device."""
        super().__init__(ems)
        self.entity_description = description
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = site_device_info(entry_id, name)
        if description.monetary:
            self._attr_native_unit_of_measurement = currency

    @property
    def available(self) -> bool:
        """Known whenever the hub has a plan (it always has one once loaded)."""
        return True

    @property
    def native_value(self) -> float:
        """Read from the hub's plan and commitments."""
        values = hub_flexibility(self.coordinator, dt_util.utcnow())
        return round(self.entity_description.value_fn(values), 3)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The commitments behind the committed power, the horizon behind energies."""
        values = hub_flexibility(self.coordinator, dt_util.utcnow())
        attributes = _attributes(values, self.entity_description)
        if attributes is not None and self.entity_description.key.endswith("committed"):
            now = dt_util.utcnow()
            attributes["commitments"] = [
                c.summary() for c in self.coordinator.flexibility.commitments if c.end > now
            ]
        return attributes


class VppSensor(SensorEntity):
    """A flexibility figure of every loaded hub together."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: FlexSensorDescription

    def __init__(self, plant: Vpp, description: FlexSensorDescription, currency: str) -> None:
        """Bind to the VPP device."""
        self._vpp = plant
        self.entity_description = description
        self._attr_unique_id = description.key
        self._attr_device_info = vpp_device_info()
        if description.monetary:
            self._attr_native_unit_of_measurement = currency

    async def async_added_to_hass(self) -> None:
        """Follow every hub's plans (the hosting hub has taken the VPP device over, see ``vpp/device.py``)."""
        self.async_on_remove(self._vpp.listen(self.async_write_ha_state))

    @property
    def native_value(self) -> float:
        """All hubs added up."""
        return round(self.entity_description.value_fn(self._vpp.total()), 3)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Which hubs are in, and the breakdown where there is one."""
        attributes = _attributes(self._vpp.total(), self.entity_description) or {}
        return attributes | {"hubs": len(self._vpp.hubs)}
