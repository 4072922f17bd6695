"""Numeric values of Home Assistant states in the hub's units (kW, kWh, %)."""

from __future__ import annotations

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, UnitOfEnergy, UnitOfPower
from homeassistant.core import State
from homeassistant.util.unit_conversion import EnergyConverter, PowerConverter


def mirrored_value(state: State | None, device_class: SensorDeviceClass | None) -> float | None:
    """The numeric value of ``state`` in kW, kWh or %, or None when it has none."""
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    unit = state.attributes.get("unit_of_measurement")
    try:
        if device_class is SensorDeviceClass.POWER:
            return PowerConverter.convert(value, unit, UnitOfPower.KILO_WATT)
        if device_class is SensorDeviceClass.ENERGY:
            return EnergyConverter.convert(value, unit, UnitOfEnergy.KILO_WATT_HOUR)
    except (KeyError, ValueError):
        return None
    return value
