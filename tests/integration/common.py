"""Builders for hubs, assets and source entities used across integration tests."""

from __future__ import annotations

import socket
from typing import Any
from uuid import uuid4

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.auth import hash_password
from demo.ports import free_port

SITE: dict[str, Any] = {
    "name": "Harbour hub",
    "import_limit_kw": 150.0,
    "export_limit_kw": 150.0,
    "host": "127.0.0.1",
    "port": 19000,
}
PLANNING = {
    "import_price_fixed": 0.30,
    "export_price_fixed": 0.08,
    "step_minutes": 15,
    "horizon_hours": 24,
    "adopt_unknown_stations": False,
}
CHARGER_PASSWORD = "correct-horse-battery"
_HASH_CACHE: dict[str, str] = {}


def charger_data(station_id: str = "CS01", **overrides: Any) -> dict[str, Any]:
    """Subentry data of a bidirectional two-EVSE charger."""
    if CHARGER_PASSWORD not in _HASH_CACHE:
        _HASH_CACHE[CHARGER_PASSWORD] = hash_password(CHARGER_PASSWORD)
    return {
        "name": f"Charger {station_id}",
        "station_id": station_id,
        "password_hash": _HASH_CACHE[CHARGER_PASSWORD],
        "evse_count": 2,
        "max_charge_kw": 11.0,
        "bidirectional": True,
        "max_discharge_kw": 11.0,
    } | overrides


PV_DATA = {
    "name": "Roof PV",
    "power_entity": "sensor.pv_power",
    "energy_entity": "sensor.pv_energy",
    "peak_kwp": 60.0,
}
BATTERY_DATA = {
    "name": "Basement battery",
    "soc_entity": "sensor.battery_soc",
    "power_entity": "sensor.battery_power",
    "control_entity": "number.battery_setpoint",
    "capacity_kwh": 100.0,
    "max_charge_kw": 50.0,
    "max_discharge_kw": 50.0,
    "soc_min": 10.0,
    "soc_max": 90.0,
    "efficiency": 0.95,
}
BUILDING_DATA = {
    "name": "Office",
    "power_entity": "sensor.office_power",
    "energy_entity": "sensor.office_energy",
    "flexible": False,
}
GRID_METER_DATA = {
    "name": "Grid connection",
    "import_power_entity": "sensor.grid_power",
}


def subentry(subentry_type: str, data: dict[str, Any], unique_id: str) -> dict[str, Any]:
    """A subentry as stored in a config entry."""
    return {
        "data": data,
        "subentry_type": subentry_type,
        "title": data["name"],
        "unique_id": unique_id,
    }


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on this loopback port now.

    Like every server, the probe sets SO_REUSEADDR: connections the stopped server closed linger
    in TIME_WAIT on the port, which only blocks a bind without it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
        return True


def hub_entry(
    *subentries: dict[str, Any], site: dict[str, Any] | None = None, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """A hub config entry with the given subentries, its OCPP server on a free loopback port."""
    site = SITE | {"port": free_port()} | (site or {})
    return MockConfigEntry(
        domain=DOMAIN,
        title=site["name"],
        unique_id=uuid4().hex,
        minor_version=2,
        data=site,
        options=PLANNING | (options or {}),
        subentries_data=list(subentries),
    )


def full_hub_entry() -> MockConfigEntry:
    """A hub with one of every asset."""
    return hub_entry(
        subentry("charger", charger_data(), "CS01"),
        subentry("pv", PV_DATA, "sensor.pv_power"),
        subentry("battery", BATTERY_DATA, "sensor.battery_power"),
        subentry("building", BUILDING_DATA, "sensor.office_power"),
        subentry("grid_meter", GRID_METER_DATA, "grid_meter"),
    )


def set_source_states(hass: HomeAssistant) -> None:
    """Plausible states for every entity the assets map."""
    hass.states.async_set("sensor.pv_power", "12500", {"unit_of_measurement": "W", "device_class": "power"})
    hass.states.async_set(
        "sensor.pv_energy", "1234.5", {"unit_of_measurement": "kWh", "device_class": "energy"}
    )
    hass.states.async_set("sensor.battery_soc", "55", {"unit_of_measurement": "%", "device_class": "battery"})
    hass.states.async_set(
        "sensor.battery_power", "-3.5", {"unit_of_measurement": "kW", "device_class": "power"}
    )
    hass.states.async_set("number.battery_setpoint", "0", {"unit_of_measurement": "kW"})
    hass.states.async_set(
        "sensor.office_power", "21.0", {"unit_of_measurement": "kW", "device_class": "power"}
    )
    hass.states.async_set(
        "sensor.office_energy", "5.5", {"unit_of_measurement": "MWh", "device_class": "energy"}
    )
    hass.states.async_set("sensor.grid_power", "40000", {"unit_of_measurement": "W", "device_class": "power"})
    hass.states.async_set("sensor.grid_export", "0", {"unit_of_measurement": "W", "device_class": "power"})
    hass.states.async_set("number.pv_limit", "100", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.pv_forecast", "10", {"unit_of_measurement": "kW", "device_class": "power"})
    hass.states.async_set("sensor.day_ahead", "0.25", {"unit_of_measurement": "EUR/kWh"})
    hass.states.async_set("sensor.feed_in", "80", {"unit_of_measurement": "EUR/MWh"})
    hass.states.async_set("sensor.temperature", "20", {"unit_of_measurement": "°C"})
