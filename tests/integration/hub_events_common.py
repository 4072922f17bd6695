"""A hub with two single-EVSE chargers, cars for its simulated stations, and its EVSEs' ids."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.entities.devices import asset_identifier, evse_identifier
from custom_components.ssch.sim.config import CarVisit, V2xLimits
from custom_components.ssch.sim.station import SimulatedStation

from .common import charger_data, hub_entry, subentry

STATIONS = ("CS01", "CS02")


def two_bay_hub() -> MockConfigEntry:
    """Charger CS01 and Bay 2 (CS02), one EVSE each, as the simulated stations have."""
    return hub_entry(
        subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
        subentry("charger", charger_data("CS02", evse_count=1, name="Bay 2"), "CS02"),
    )


def car(station: SimulatedStation, *, hours: float, energy_kwh: float) -> CarVisit:
    """A 60 kWh car that wants 80 % (48 kWh) and leaves after ``hours``."""
    now = station.clock.now()
    return CarVisit(
        arrival=now,
        departure=now + timedelta(hours=hours),
        energy_initial_kwh=energy_kwh,
        capacity_kwh=60.0,
        target_soc_percent=80.0,
        v2x=V2xLimits(max_discharge_power_kw=10.0),
    )


def _subentry_id(entry: MockConfigEntry, station_id: str) -> str:
    return next(s.subentry_id for s in entry.subentries.values() if s.unique_id == station_id)


def evse_entity(hass: HomeAssistant, entry: MockConfigEntry, station_id: str, platform: str, key: str) -> str:
    """The entity id of one of EVSE 1's entities at a station."""
    unique_id = f"{entry.entry_id}_{_subentry_id(entry, station_id)}_evse1_{key}"
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def hub_entity(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The entity id of one of the site device's entities."""
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None, key
    return entity_id


def evse_device(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> str:
    """The device id of EVSE 1 at a station."""
    identifier = evse_identifier(entry.entry_id, _subentry_id(entry, station_id), 1)
    device = dr.async_get(hass).async_get_device(identifiers={identifier})
    assert device is not None
    return device.id


def station_device(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> str:
    """The device id of a station."""
    identifier = asset_identifier(entry.entry_id, _subentry_id(entry, station_id))
    device = dr.async_get(hass).async_get_device(identifiers={identifier})
    assert device is not None
    return device.id
