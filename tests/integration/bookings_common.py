"""Builders for tests of shared cars and their bookings."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN

from .common import subentry


def vehicle(
    name: str, capacity_kwh: float = 64.0, consumption: float = 16.0, id_token: str | None = None
) -> dict[str, Any]:
    """A vehicle subentry."""
    data: dict[str, Any] = {
        "name": name,
        "capacity_kwh": capacity_kwh,
        "consumption_kwh_per_100km": consumption,
    }
    if id_token is not None:
        data["id_token"] = id_token
    return subentry("vehicle", data, id_token or "") | {"unique_id": id_token}


def subentry_id(entry: MockConfigEntry, title: str) -> str:
    """The id of the subentry with this title."""
    return next(s.subentry_id for s in entry.subentries.values() if s.title == title)


def vehicle_device(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> str:
    """The device id of a shared car."""
    device = dr.async_get(hass).async_get_device({(DOMAIN, f"{entry.entry_id}_{subentry_id(entry, name)}")})
    assert device is not None
    assert device.model == "Shared vehicle"
    return device.id


def hub_calendar(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The hub's bookings calendar."""
    entity_id = er.async_get(hass).async_get_entity_id("calendar", DOMAIN, f"{entry.entry_id}_bookings")
    assert entity_id is not None
    return entity_id


def vehicle_calendar(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> str:
    """One car's bookings calendar."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "calendar", DOMAIN, f"{entry.entry_id}_{subentry_id(entry, name)}_vehicle_bookings"
    )
    assert entity_id is not None
    return entity_id


async def book(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call the booking action and return its response."""
    response = await hass.services.async_call(
        DOMAIN, "book_vehicle", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)
