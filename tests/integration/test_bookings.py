"""Booking actions: every error, the booking calendar, expiry, and bookings kept over a reload."""

from __future__ import annotations

import ast
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ssch.bookings.booking import BookingError
from custom_components.ssch.const import DOMAIN

from .bookings_common import book, hub_calendar, subentry_id, vehicle, vehicle_calendar, vehicle_device
from .common import hub_entry, load_hub


def _soon(hours: float = 2.0) -> Any:
    return (dt_util.utcnow() + timedelta(hours=hours)).replace(microsecond=0)


async def _events(hass: HomeAssistant, calendar: str) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": calendar, "start_date_time": dt_util.now(), "duration": {"days": 7}},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    events: list[dict[str, Any]] = response[calendar]["events"]  # type: ignore[index,assignment]
    return events


async def _refused(hass: HomeAssistant, key: str, service: str = "book_vehicle", **data: Any) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, service, data, blocking=True, return_response=service == "book_vehicle"
        )
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def _fleet(hass: HomeAssistant) -> MockConfigEntry:
    return await load_hub(
        hass,
        hub_entry(
            vehicle("Kona", capacity_kwh=64.0, consumption=16.0, id_token="KONA-1"),
            vehicle("Zoe", capacity_kwh=52.0, consumption=17.0),
        ),
    )


async def test_book_a_car_list_and_cancel(hass: HomeAssistant) -> None:
    """A booking of a car answers with its id and energy, shows in both calendars, and can be cancelled."""
    entry = await _fleet(hass)
    kona = vehicle_device(hass, entry, "Kona")
    pickup = _soon(3)
    response = await book(hass, device_id=kona, pickup=pickup, min_range_km=200, duration={"hours": 2})
    assert response["vehicle"] == "Kona"
    assert response["min_energy_kwh"] == 32.0
    assert response["pickup"] == pickup.isoformat()
    assert response["end"] == (pickup + timedelta(hours=2)).isoformat()
    anycar = await book(hass, pickup=_soon(5), min_energy_kwh=20)
    assert anycar["vehicle"] is None
    assert anycar["min_energy_kwh"] == 20.0

    events = await _events(hass, hub_calendar(hass, entry))
    assert [e["summary"] for e in events] == ["Kona: min. 200 km", "Any car: min. 20 kWh"]
    assert dt_util.parse_datetime(events[0]["start"]) == pickup
    assert response["booking_id"] in events[0]["description"]
    assert "32.0 kWh" in events[0]["description"]
    state = hass.states.get(hub_calendar(hass, entry))
    assert state is not None
    assert state.attributes["message"] == "Kona: min. 200 km"
    # A car's own calendar shows only that car's bookings.
    assert [e["summary"] for e in await _events(hass, vehicle_calendar(hass, entry, "Kona"))] == [
        "Kona: min. 200 km"
    ]
    assert await _events(hass, vehicle_calendar(hass, entry, "Zoe")) == []

    await hass.services.async_call(
        DOMAIN, "cancel_booking", {"booking_id": response["booking_id"]}, blocking=True
    )
    assert [e["summary"] for e in await _events(hass, hub_calendar(hass, entry))] == ["Any car: min. 20 kWh"]
    await _refused(hass, "unknown_booking", "cancel_booking", booking_id=response["booking_id"])


async def test_every_booking_error(hass: HomeAssistant) -> None:
    """Unknown car, missing or double minimum, past pickup, overlaps, no car free, beyond the battery."""
    entry = await _fleet(hass)
    kona, zoe = vehicle_device(hass, entry, "Kona"), vehicle_device(hass, entry, "Zoe")
    site = dr.async_get(hass).async_get_device({(DOMAIN, entry.entry_id)})
    assert site is not None
    await _refused(hass, "unknown_vehicle", device_id=site.id, pickup=_soon(), min_range_km=10)
    await _refused(hass, "unknown_vehicle", device_id="no-such-device", pickup=_soon(), min_range_km=10)
    await _refused(hass, "booking_target_required", device_id=kona, pickup=_soon())
    await _refused(
        hass, "booking_target_required", device_id=kona, pickup=_soon(), min_range_km=10, min_energy_kwh=5
    )
    await _refused(hass, "booking_in_past", device_id=kona, pickup=_soon(-1), min_range_km=10)
    # 500 km at 16 kWh/100 km is 80 kWh, more than the Kona's 64 kWh; 60 kWh exceed the Zoe's 52.
    await _refused(hass, "booking_beyond_battery", device_id=kona, pickup=_soon(), min_range_km=500)
    await _refused(hass, "booking_beyond_battery", device_id=zoe, pickup=_soon(), min_energy_kwh=60)
    # No car of the fleet holds 70 kWh.
    await _refused(hass, "booking_beyond_battery", pickup=_soon(), min_energy_kwh=70)

    first = await book(hass, device_id=kona, pickup=_soon(2), duration={"hours": 2}, min_range_km=100)
    await _refused(hass, "booking_overlaps", device_id=kona, pickup=_soon(3), min_range_km=100)
    # Right after the first booking ends the car is free again.
    await book(hass, device_id=kona, pickup=_soon(4), min_range_km=100)
    # Zoe is still free at 3 h, then every car is taken.
    await book(hass, pickup=_soon(3), min_energy_kwh=10)
    await _refused(hass, "no_car_free", pickup=_soon(3.5), min_energy_kwh=10)
    await _refused(hass, "no_car_free", device_id=zoe, pickup=_soon(2.5), min_energy_kwh=10)
    assert len(entry.runtime_data.bookings.bookings) == 3
    assert first["booking_id"] in entry.runtime_data.bookings.bookings


async def test_hub_choice_and_fleet_without_cars(hass: HomeAssistant) -> None:
    """Any car needs a hub when several are loaded; a hub without cars takes energies of a typical car."""
    fleet = await _fleet(hass)
    bare = await load_hub(hass, hub_entry(site={"name": "Depot"}))
    await _refused(hass, "hub_required", pickup=_soon(), min_energy_kwh=10)
    await _refused(hass, "unknown_hub", config_entry_id="nope", pickup=_soon(), min_energy_kwh=10)
    await _refused(
        hass, "range_needs_vehicle", config_entry_id=bare.entry_id, pickup=_soon(), min_range_km=10
    )
    await _refused(
        hass, "booking_beyond_battery", config_entry_id=bare.entry_id, pickup=_soon(), min_energy_kwh=61
    )
    # Without known cars any number of bookings may overlap: the hub cannot count its cars.
    for _ in range(3):
        await book(hass, config_entry_id=bare.entry_id, pickup=_soon(), min_energy_kwh=30)
    booked = await book(hass, config_entry_id=fleet.entry_id, pickup=_soon(), min_range_km=100)
    # Any car: the range is shown with the fleet's mean consumption (16.5 kWh/100 km).
    assert booked["min_energy_kwh"] == 16.5
    assert len(bare.runtime_data.bookings.bookings) == 3
    assert len(fleet.runtime_data.bookings.bookings) == 1


async def test_calendar_ui_creates_and_deletes_bookings(hass: HomeAssistant, hass_ws_client: Any) -> None:
    """Events made in the calendar are bookings: the title names the car and the minimum."""
    entry = await _fleet(hass)
    calendar = hub_calendar(hass, entry)
    start = dt_util.as_local(_soon(6))
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": calendar,
            "summary": "Zoe to the airport",
            "description": "needs 120 km",
            "start_date_time": start,
            "end_date_time": start + timedelta(hours=3),
        },
        blocking=True,
    )
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": vehicle_calendar(hass, entry, "Kona"),
            "summary": "Weekly shopping 12,5 kWh",
            "start_date_time": start,
            "end_date_time": start + timedelta(hours=1),
        },
        blocking=True,
    )
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": calendar,
            "summary": "Anyone: 15 kWh",
            "start_date_time": start + timedelta(days=1),
            "end_date_time": start + timedelta(days=1, hours=1),
        },
        blocking=True,
    )
    bookings = entry.runtime_data.bookings.upcoming()
    zoe = next(b for b in bookings if b.min_range_km == 120)
    assert entry.runtime_data.bookings.vehicle(zoe.vehicle_id).name == "Zoe"  # type: ignore[union-attr]
    assert zoe.end - zoe.pickup == timedelta(hours=3)
    kona = next(b for b in bookings if b.min_energy_kwh == 12.5)
    assert entry.runtime_data.bookings.vehicle(kona.vehicle_id).name == "Kona"  # type: ignore[union-attr]
    assert any(b.vehicle_id is None and b.min_energy_kwh == 15 for b in bookings)

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": calendar,
                "summary": "Zoe, no minimum",
                "start_date_time": start,
                "end_date_time": start + timedelta(hours=1),
            },
            blocking=True,
        )
    assert err.value.translation_key == "booking_target_required"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": calendar,
                "summary": "Kona 50 km",
                "start_date": start.date() + timedelta(days=2),
                "end_date": start.date() + timedelta(days=3),
            },
            blocking=True,
        )
    assert err.value.translation_key == "booking_needs_time"

    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": calendar, "uid": zoe.booking_id}
    )
    assert (await client.receive_json())["success"]
    assert zoe.booking_id not in entry.runtime_data.bookings.bookings
    # A car's calendar only deletes that car's bookings.
    await client.send_json_auto_id(
        {
            "type": "calendar/event/delete",
            "entity_id": vehicle_calendar(hass, entry, "Zoe"),
            "uid": kona.booking_id,
        }
    )
    assert not (await client.receive_json())["success"]
    assert kona.booking_id in entry.runtime_data.bookings.bookings


async def test_bookings_expire_and_survive_a_reload(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A booking is dropped once over; the others are kept across a reload of the hub."""
    entry = await _fleet(hass)
    kona = vehicle_device(hass, entry, "Kona")
    short = await book(hass, device_id=kona, pickup=_soon(1), duration={"minutes": 30}, min_range_km=50)
    long = await book(hass, pickup=_soon(1), duration={"hours": 5}, min_energy_kwh=25)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    manager = entry.runtime_data.bookings
    assert set(manager.bookings) == {short["booking_id"], long["booking_id"]}
    assert manager.bookings[short["booking_id"]].min_range_km == 50

    freezer.tick(timedelta(hours=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert set(manager.bookings) == {long["booking_id"]}
    assert [e["summary"] for e in await _events(hass, hub_calendar(hass, entry))] == ["Any car: min. 25 kWh"]


async def test_removing_a_car_drops_its_bookings(hass: HomeAssistant) -> None:
    """A car taken out of the hub takes its bookings along; the others stay."""
    entry = await _fleet(hass)
    zoe = await book(hass, device_id=vehicle_device(hass, entry, "Zoe"), pickup=_soon(1), min_energy_kwh=10)
    kona = await book(hass, device_id=vehicle_device(hass, entry, "Kona"), pickup=_soon(1), min_energy_kwh=10)
    assert hass.config_entries.async_remove_subentry(entry, subentry_id(entry, "Zoe"))
    await hass.async_block_till_done()
    assert set(entry.runtime_data.bookings.bookings) == {kona["booking_id"]}
    assert zoe["booking_id"] not in entry.runtime_data.bookings.bookings


BOOKING = {"booking_id": "b1", "pickup": "2099-01-01T08:00:00+00:00", "end": "2099-01-01T09:00:00+00:00"}
ASSIGNMENT = {"evse_key": "CS01:1", "transaction_id": "t", "target_soc_pct": 50.0}


@pytest.mark.parametrize(
    "saved",
    [
        {"bookings": [BOOKING | {"pickup": "not a time"}]},
        {"bookings": [BOOKING], "assignments": {"b1": ASSIGNMENT | {"departure": "never"}}},
        {"bookings": [BOOKING], "tokens": {"CS01:1": []}},
    ],
)
async def test_unreadable_saved_bookings_are_dropped(
    hass: HomeAssistant, hass_storage: dict[str, Any], saved: dict[str, Any]
) -> None:
    """A broken bookings file does not stop the hub from loading."""
    entry = hub_entry(vehicle("Kona"))
    hass_storage[f"{DOMAIN}.{entry.entry_id}.bookings"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.bookings",
        "data": saved,
    }
    await load_hub(hass, entry)
    assert entry.runtime_data.bookings.bookings == {}
    assert await _events(hass, hub_calendar(hass, entry)) == []


async def test_manager_refuses_what_the_actions_cannot_send(hass: HomeAssistant) -> None:
    """Called directly, the hub's bookings still refuse a car it does not have and an unknown booking."""
    manager = (await _fleet(hass)).runtime_data.bookings
    with pytest.raises(BookingError) as err:
        manager.book(vehicle_id="gone", pickup=_soon(), duration=None, min_range_km=10, min_energy_kwh=None)
    assert err.value.key == "unknown_vehicle"
    with pytest.raises(BookingError) as err:
        manager.cancel("gone")
    assert err.value.key == "unknown_booking"


def test_every_booking_refusal_is_translated() -> None:
    """Each reason a booking can be refused with has a message (they are not literal translation_keys)."""
    package = Path(__file__).resolve().parents[2] / "custom_components" / "ssch"
    exceptions = json.loads((package / "translations" / "en.json").read_text())["exceptions"]
    keys = {
        node.args[0].value
        for name in ("bookings/booking.py", "bookings/manager.py", "bookings/services.py", "calendar.py")
        for node in ast.walk(ast.parse((package / name).read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "BookingError"
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(keys) >= 8
    assert keys <= set(exceptions)
