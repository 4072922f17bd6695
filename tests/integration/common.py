"""Builders for hubs, assets and source entities used across integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
import socket
from typing import Any
from uuid import uuid4

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.auth import hash_password
from custom_components.ssch.entities.devices import evse_identifier
from custom_components.ssch.sim.clock import SimClock
from custom_components.ssch.sim.config import CarVisit, StationConfig, V2xLimits
from custom_components.ssch.sim.station import SimulatedStation
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
VEHICLE_DATA = {"name": "Pool car", "capacity_kwh": 58.0, "consumption_kwh_per_100km": 17.0}
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


async def until(predicate: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Wait for something that happens over the network."""
    async with asyncio.timeout(timeout_s):
        while not predicate():  # noqa: ASYNC110 - the predicates read state that has no event of its own
            await asyncio.sleep(0.02)


async def load_hub(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def station_config(entry: MockConfigEntry, station_id: str, **overrides: Any) -> StationConfig:
    return StationConfig(
        station_id=station_id,
        url=f"ws://127.0.0.1:{entry.data['port']}/ocpp",
        password=CHARGER_PASSWORD,
        meter_interval_s=10.0,
        reconnect_initial_s=0.1,
        reconnect_max_s=0.5,
        **overrides,
    )


@asynccontextmanager
async def running(config: StationConfig, speed: float = 20.0) -> AsyncIterator[SimulatedStation]:
    """A simulated station for the duration of a block."""
    station = SimulatedStation(config, SimClock(speed=speed))
    await station.start()
    try:
        yield station
    finally:
        await station.stop()


def charger_entity(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str, evse: int | None = 1
) -> str:
    sub = next(s for s in entry.subentries.values() if s.subentry_type == "charger")
    suffix = f"_evse{evse}" if evse is not None else ""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{entry.entry_id}_{sub.subentry_id}{suffix}_{key}"
    )
    assert entity_id is not None, key
    return entity_id


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def evse_device(hass: HomeAssistant, entry: MockConfigEntry, evse: int = 1) -> str:
    sub = next(s for s in entry.subentries.values() if s.subentry_type == "charger")
    device = dr.async_get(hass).async_get_device(
        identifiers={evse_identifier(entry.entry_id, sub.subentry_id, evse)}
    )
    assert device is not None
    return device.id


def car_visit(station: SimulatedStation, hours: float = 8.0) -> CarVisit:
    now = station.clock.now()
    return CarVisit(
        arrival=now,
        departure=now + timedelta(hours=hours),
        energy_initial_kwh=20.0,
        capacity_kwh=60.0,
        target_soc_percent=80.0,
        v2x=V2xLimits(max_discharge_power_kw=10.0),
    )


def goal_entity(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    sub = next(s for s in entry.subentries.values() if s.subentry_type == "charger")
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{entry.entry_id}_{sub.subentry_id}_evse1_{key}"
    )
    assert entity_id is not None, key
    return entity_id


def site_entity(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None, key
    return entity_id


def flexible_site(name: str = "Harbour hub") -> MockConfigEntry:
    """A hub whose flexibility is a battery next to a building, measured at the grid connection."""
    return hub_entry(
        subentry("battery", BATTERY_DATA, "sensor.battery_power"),
        subentry("building", BUILDING_DATA, "sensor.office_power"),
        subentry("grid_meter", GRID_METER_DATA, "grid_meter"),
        site={"name": name},
    )


async def load_flexible_site(hass: HomeAssistant, name: str = "Harbour hub") -> MockConfigEntry:
    """A loaded hub whose plan knows the building: the first plan after loading has no history yet."""
    entry = await load_hub(hass, flexible_site(name))
    ems = entry.runtime_data.ems
    # As if the hub had been running for a few minutes: the forecast reads the building's recent past.
    ems.builder.record(dt_util.utcnow() - timedelta(minutes=5), ems.builder.live(dt_util.utcnow()))
    await ems.async_refresh()
    assert entry.runtime_data.ems.data.snapshot.forecasts.building_kw[0] == pytest.approx(21.0)
    return entry


def set_flexible_site_sources(hass: HomeAssistant) -> None:
    set_source_states(hass)
    hass.states.async_set("sensor.battery_power", "0", {"unit_of_measurement": "kW", "device_class": "power"})


def sensor_by_unique_id(hass: HomeAssistant, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def sensor_state_by_unique_id(hass: HomeAssistant, unique_id: str) -> State:
    state = hass.states.get(sensor_by_unique_id(hass, unique_id))
    assert state is not None, unique_id
    return state


async def request_flexibility(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "request_flexibility", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)
