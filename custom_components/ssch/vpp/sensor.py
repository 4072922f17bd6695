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
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.entities.base import SschCoordinatorEntity, SschEntity
from custom_components.ssch.entities.devices import DeviceAnchor, site_anchor, vpp_anchor
from custom_components.ssch.entities.sensor_kinds import power_kw, stored_energy_kwh
from custom_components.ssch.runtime import SschConfigEntry

from .community_sensor import add_community_sensors
from .device import FLEX_ENERGY_HORIZON, FlexValues, Vpp, hub_flexibility, vpp


@dataclass(frozen=True, kw_only=True)
class FlexSensorDescription(SensorEntityDescription):
    """A flexibility figure; the same descriptions serve a hub and the VPP."""

    value_fn: Callable[[FlexValues], float]
    monetary: bool = False


def _power(key: str, value_fn: Callable[[FlexValues], float]) -> FlexSensorDescription:
    return power_kw(FlexSensorDescription, key, precision=1, value_fn=value_fn)


def _energy(key: str, value_fn: Callable[[FlexValues], float]) -> FlexSensorDescription:
    return stored_energy_kwh(FlexSensorDescription, key, value_fn=value_fn)


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


def add_flexibility_sensors(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The hub's flexibility sensors; the hub joins the VPP, hosting its device if it is the first."""
    ems = entry.runtime_data.ems
    async_add_entities(
        [
            HubFlexSensor(ems, site_anchor(entry.entry_id, entry.title), d, hass.config.currency)
            for d in HUB_SENSORS
        ]
    )
    plant = vpp(hass)

    def host(_: str) -> None:
        async_add_entities([VppSensor(plant, d, hass.config.currency) for d in VPP_SENSORS])

    entry.async_on_unload(plant.join(entry.entry_id, ems, host))
    add_community_sensors(hass, entry, async_add_entities)


class HubFlexSensor(SschCoordinatorEntity, SensorEntity):
    """A flexibility figure of one hub, on its site device."""

    # One summary per open commitment: the book itself keeps them, the recorder need not.
    _unrecorded_attributes = frozenset({"commitments"})
    entity_description: FlexSensorDescription

    def __init__(
        self,
        ems: EmsCoordinator,
        site: DeviceAnchor,
        description: FlexSensorDescription,
        currency: str,
    ) -> None:
        """Bind to the hub's site device."""
        super().__init__(ems, site, description)
        self._values = FlexValues()
        if description.monetary:
            self._attr_native_unit_of_measurement = currency

    @callback
    def async_write_ha_state(self) -> None:
        """Work the figures out once per write: the state and its attributes both read them."""
        self._values = hub_flexibility(self.coordinator, dt_util.utcnow())
        super().async_write_ha_state()

    @property
    def available(self) -> bool:
        """Known whenever the hub has a plan (it always has one once loaded)."""
        return True

    @property
    def native_value(self) -> float:
        """Read from the hub's plan and commitments."""
        return round(self.entity_description.value_fn(self._values), 3)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The commitments behind the committed power, the horizon behind energies."""
        attributes = _attributes(self._values, self.entity_description)
        if attributes is not None and self.entity_description.key.endswith("committed"):
            now = dt_util.utcnow()
            attributes["commitments"] = [
                c.summary() for c in self.coordinator.flexibility.commitments if c.end > now
            ]
        return attributes


class VppSensor(SschEntity, SensorEntity):
    """A flexibility figure of every loaded hub together."""

    entity_description: FlexSensorDescription

    def __init__(self, plant: Vpp, description: FlexSensorDescription, currency: str) -> None:
        """Bind to the VPP device."""
        super().__init__(vpp_anchor(), description)
        self._vpp = plant
        self._total = FlexValues()
        if description.monetary:
            self._attr_native_unit_of_measurement = currency

    @callback
    def async_write_ha_state(self) -> None:
        """Add the hubs up once per write: the state and its attributes both read the total."""
        self._total = self._vpp.total()
        super().async_write_ha_state()

    async def async_added_to_hass(self) -> None:
        """Follow every hub's plans (the hosting hub has taken the VPP device over, see ``vpp/device.py``)."""
        self.async_on_remove(self._vpp.listen(self.async_write_ha_state))

    @property
    def native_value(self) -> float:
        """All hubs added up."""
        return round(self.entity_description.value_fn(self._total), 3)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Which hubs are in, and the breakdown where there is one."""
        attributes = _attributes(self._total, self.entity_description) or {}
        return attributes | {"hubs": len(self._vpp.hubs)}
