"""The entities the demo's simulated site publishes, and the numbers its devices take setpoints from."""

from __future__ import annotations

from typing import Any, Final

PV_POWER: Final = "sensor.demo_pv_power"
BUILDING_POWER: Final = "sensor.demo_building_power"
BATTERY_POWER: Final = "sensor.demo_battery_power"
BATTERY_SOC: Final = "sensor.demo_battery_soc"
IMPORT_PRICE: Final = "sensor.demo_import_price"
EXPORT_PRICE: Final = "sensor.demo_export_price"
# Declared in the demo's configuration.yaml.
BATTERY_SETPOINT: Final = "input_number.demo_battery_setpoint"
PV_LIMIT: Final = "input_number.demo_pv_power_limit"

PRICE_UNIT: Final = "EUR/kWh"


def power_attributes(name: str, icon: str) -> dict[str, Any]:
    """Attributes of a power sensor the hub's asset flows accept (and the history graph draws)."""
    return {
        "friendly_name": name,
        "unit_of_measurement": "kW",
        "device_class": "power",
        "state_class": "measurement",
        "icon": icon,
    }


def soc_attributes(name: str) -> dict[str, Any]:
    """Attributes of a state-of-charge sensor."""
    return {
        "friendly_name": name,
        "unit_of_measurement": "%",
        "device_class": "battery",
        "state_class": "measurement",
    }


def price_attributes(name: str, forecast: list[dict[str, Any]]) -> dict[str, Any]:
    """A price sensor with an ENTSO-e style ``prices`` forecast (``time``/``price`` items)."""
    return {
        "friendly_name": name,
        "unit_of_measurement": PRICE_UNIT,
        "icon": "mdi:cash",
        "prices": forecast,
    }
