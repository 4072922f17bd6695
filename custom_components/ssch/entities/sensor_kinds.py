"""The kinds of sensor the hub has many of: power in kW, energy counters and stored energy in kWh."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntityDescription, SensorStateClass
from homeassistant.const import UnitOfEnergy, UnitOfPower


def power_kw[D: SensorEntityDescription](
    cls: type[D], key: str, *, measured: bool = True, precision: int = 2, **fields: Any
) -> D:
    """A power in kW; ``measured`` False for a setpoint or plan value that has no long-term statistics."""
    return cls(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT if measured else None,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        suggested_display_precision=precision,
        **fields,
    )


def energy_counter_kwh[D: SensorEntityDescription](
    cls: type[D], key: str, *, precision: int = 2, **fields: Any
) -> D:
    """A monotonic kWh counter the Energy dashboard can use."""
    return cls(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=precision,
        **fields,
    )


def stored_energy_kwh[D: SensorEntityDescription](
    cls: type[D], key: str, *, precision: int = 1, **fields: Any
) -> D:
    """Energy that could be stored or held back (flexibility): a level, not a meter."""
    return cls(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=precision,
        **fields,
    )
