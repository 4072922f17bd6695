"""A booking becomes the departure goal of the car that serves it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.evse_control import EvseGoal
from custom_components.ssch.csms.events import TransactionEnded, TransactionStarted
from custom_components.ssch.diagnostics import async_get_config_entry_diagnostics

from .bookings_common import book, vehicle, vehicle_device
from .common import (
    car_visit,
    charger_data,
    goal_entity,
    hub_entry,
    load_hub,
    running,
    set_source_states,
    station_config,
    subentry,
    until,
)


def _soon(hours: float) -> datetime:
    return (dt_util.utcnow() + timedelta(hours=hours)).replace(microsecond=0)


def _session(entry: MockConfigEntry) -> object:
    sessions = entry.runtime_data.ems.data.snapshot.sessions
    assert len(sessions) == 1
    return sessions[0]


def _evse_goal(entry: MockConfigEntry, key: str) -> EvseGoal:
    return entry.runtime_data.ems.controls[key].goal


async def test_booking_drives_the_plugged_in_car(hass: HomeAssistant) -> None:
    """The booked car, known by its idToken, gets the pickup and minimum as goals; the user still wins."""
    set_source_states(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            vehicle("Kona", capacity_kwh=64.0, consumption=16.0, id_token="KONA-TAG"),
        ),
    )
    ems, manager = entry.runtime_data.ems, entry.runtime_data.bookings
    pickup = _soon(3)
    booked = await book(hass, device_id=vehicle_device(hass, entry, "Kona"), pickup=pickup, min_range_km=200)
    departure_entity = goal_entity(hass, entry, "datetime", "goal_departure")
    target_entity = goal_entity(hass, entry, "number", "goal_target_soc")

    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(replace(car_visit(station), id_token="kona-tag"))
        await until(lambda: manager.serving(booked["booking_id"]) == "CS01:1")
        await ems.async_refresh()
        # 200 km at 16 kWh/100 km: 32 kWh of the Kona's 64 kWh by pickup (not the car's own 8 h).
        await until(lambda: _session(entry).departure == pickup)
        assert _session(entry).target_energy_kwh == 32.0
        assert _session(entry).capacity_kwh == 64.0
        await until(lambda: hass.states.get(target_entity).state == "50.0")
        assert dt_util.parse_datetime(hass.states.get(departure_entity).state) == pickup

        # The user asks for more afterwards: that holds, and survives a reload with the booking.
        await hass.services.async_call(
            "number", "set_value", {"entity_id": target_entity, "value": 90}, blocking=True
        )
        await ems.async_refresh()
        await until(lambda: _session(entry).target_energy_kwh == pytest.approx(57.6))
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        ems, manager = entry.runtime_data.ems, entry.runtime_data.bookings
        assert manager.serving(booked["booking_id"]) == "CS01:1"
        assert _evse_goal(entry, "CS01:1").departure == pickup
        assert _evse_goal(entry, "CS01:1").target_soc_pct == 90.0

        # Cancelled: the departure goes back to the car's own, the user's target stays.
        await hass.services.async_call(
            DOMAIN, "cancel_booking", {"booking_id": booked["booking_id"]}, blocking=True
        )
        assert _evse_goal(entry, "CS01:1").departure is None
        assert _evse_goal(entry, "CS01:1").target_soc_pct == 90.0

        # Any car: the plugged-in car fits and takes it at once.
        second_pickup = _soon(2)
        anycar = await book(hass, pickup=second_pickup, min_energy_kwh=20)
        assert manager.serving(anycar["booking_id"]) == "CS01:1"
        assert _evse_goal(entry, "CS01:1").departure == second_pickup
        assert _evse_goal(entry, "CS01:1").target_soc_pct == 32.0  # 20 of 64 kWh, rounded up
        await until(lambda: ems.data.snapshot.sessions and _session(entry).departure == second_pickup)

        # The car leaves before pickup: its goals are given back, the booking waits for a car.
        station.unplug()
        await until(lambda: manager.serving(anycar["booking_id"]) is None)
        assert _evse_goal(entry, "CS01:1").departure is None
        assert _evse_goal(entry, "CS01:1").target_soc_pct == 90.0
        assert anycar["booking_id"] in manager.bookings
    await until(lambda: not entry.runtime_data.server.state("CS01").connected)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def _plug(
    entry: MockConfigEntry, station_id: str, transaction_id: str, token: str | None, soc: float
) -> None:
    evse = entry.runtime_data.server.state(station_id).evse(1)
    evse.start_session(transaction_id)
    evse.ev_soc_pct = soc
    entry.runtime_data.bookings.handle_station_event(TransactionStarted(station_id, 1, transaction_id, token))


async def test_any_car_goes_to_the_best_fitting_car(hass: HomeAssistant) -> None:
    """Own bookings first; any-car bookings go to a car that holds the minimum, known cars preferred."""
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            subentry("charger", charger_data("CS02", evse_count=1), "CS02"),
            vehicle("Zoe", capacity_kwh=52.0, consumption=17.0, id_token="ZOE-TAG-77"),
            # Without an idToken the van is an unknown car at the charger.
            vehicle("Van", capacity_kwh=75.0, consumption=25.0),
        ),
    )
    manager = entry.runtime_data.bookings
    _plug(entry, "CS01", "tx-zoe", "zoe:tag:77", 90.0)
    _plug(entry, "CS02", "tx-guest", None, 20.0)
    assert entry.runtime_data.ems.controls.car_capacity_kwh("CS01:1", 0.0) == 52.0
    assert entry.runtime_data.ems.controls.car_capacity_kwh("CS01:2", 0.0) == 0.0

    big = await book(hass, pickup=_soon(2), min_energy_kwh=55)
    assert manager.serving(big["booking_id"]) == "CS02:1"  # the Zoe's 52 kWh are too few
    assert _evse_goal(entry, "CS02:1").target_soc_pct == 92.0  # 55 of a typical 60 kWh
    small = await book(hass, pickup=_soon(3), min_range_km=100)
    assert manager.serving(small["booking_id"]) == "CS01:1"
    assert _evse_goal(entry, "CS01:1").target_soc_pct == 33.0  # 17 of 52 kWh

    # The Zoe is booked itself before that: its own booking takes the car, the any-car one waits.
    own = await book(hass, device_id=vehicle_device(hass, entry, "Zoe"), pickup=_soon(1), min_energy_kwh=30)
    assert manager.serving(own["booking_id"]) == "CS01:1"
    assert manager.serving(small["booking_id"]) is None
    assert _evse_goal(entry, "CS01:1").departure == manager.bookings[own["booking_id"]].pickup
    assert _evse_goal(entry, "CS01:1").target_soc_pct == 58.0

    # The guest leaves: the station reports the end before it clears the session.
    manager.handle_station_event(TransactionEnded("CS02", 1, "tx-guest", 4.0, "EVDisconnected"))
    entry.runtime_data.server.state("CS02").evse(1).end_session()
    assert manager.serving(big["booking_id"]) is None
    assert _evse_goal(entry, "CS02:1") == EvseGoal()
    # Nothing fits a 55 kWh booking now; the other events change nothing.
    manager.handle_station_event(TransactionEnded("CS09", 1, "tx-unknown", 0.0, None))
    assert manager.serving(big["booking_id"]) is None

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert "TAG-77" not in repr(diagnostics)
    assert diagnostics["bookings"]["serving"] == {own["booking_id"]: "CS01:1"}
    assert len(diagnostics["bookings"]["bookings"]) == 3
