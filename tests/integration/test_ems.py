"""The EMS inside Home Assistant: plans reach simulated stations and keep the grid limit."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.sim.config import CarVisit, Misbehaviour

from .common import (
    BATTERY_DATA,
    BUILDING_DATA,
    PV_DATA,
    car_visit,
    charger_data,
    hub_entry,
    load_hub,
    running,
    set_source_states,
    site_entity,
    station_config,
    subentry,
    until,
)


def _hub(import_limit_kw: float) -> MockConfigEntry:
    return hub_entry(
        subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
        subentry("charger", charger_data("CS02", evse_count=1, name="Bay 2"), "CS02"),
        subentry("pv", PV_DATA, "sensor.pv_power"),
        subentry("building", BUILDING_DATA, "sensor.office_power"),
        subentry("battery", BATTERY_DATA, "sensor.battery_power"),
        site={"import_limit_kw": import_limit_kw},
    )


async def test_plan_keeps_the_grid_limit_with_two_cars(hass: HomeAssistant) -> None:
    """Two cars that would draw 22 kW next to a 21 kW building share what a 30 kW connection leaves."""
    set_source_states(hass)
    hass.states.async_set("sensor.pv_power", "0", {"unit_of_measurement": "W"})
    hass.states.async_set("sensor.battery_power", "0", {"unit_of_measurement": "kW"})
    entry = await load_hub(hass, _hub(import_limit_kw=30.0))
    status = site_entity(hass, entry, "sensor", "ems_status")
    assert hass.states.get(status).state in ("ok", "degraded")
    assert hass.states.get(site_entity(hass, entry, "select", "ems_mode")).state == "automatic"

    async with AsyncExitStack() as stack:
        stations = [
            await stack.enter_async_context(running(station_config(entry, sid))) for sid in ("CS01", "CS02")
        ]
        for station in stations:
            await station.wait_connected()
            station.plug_in(car_visit(station))
        await until(lambda: all(s.last_setpoint is not None for s in stations), timeout_s=20)
        await until(lambda: sum(s.power_kw for s in stations) <= 30.0 - 21.0 + 0.5, timeout_s=20)
        plan = hass.states.get(site_entity(hass, entry, "sensor", "next_plan"))
        assert plan is not None
        assert len(plan.attributes["times"]) == 96
        assert max(plan.attributes["grid_import_kw"]) <= 30.0 + 0.5
        backend = hass.states.get(site_entity(hass, entry, "sensor", "solver_backend")).state
        assert backend == "cvxpy / Clarabel"

        # Off: the hub releases the stations to their own limits.
        await hass.services.async_call(
            "select", "select_option",
            {"entity_id": site_entity(hass, entry, "select", "ems_mode"), "option": "off"},
            blocking=True,
        )  # fmt: skip
        await until(
            lambda: all(
                s.last_setpoint is not None and s.last_setpoint.action == "ClearChargingProfile"
                for s in stations
            )
        )


async def test_broken_source_raises_a_repair_naming_it(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A building meter that stays unavailable beyond the hold time is replaced and reported."""
    set_source_states(hass)
    entry = await load_hub(hass, _hub(import_limit_kw=150.0))
    hass.states.async_set("sensor.office_power", "unavailable")
    issue_id = f"source_unavailable_{entry.entry_id}_sensor.office_power"
    await entry.runtime_data.ems.async_refresh()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    freezer.tick(timedelta(minutes=16))
    async_fire_time_changed(hass)
    await entry.runtime_data.ems.async_refresh()
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["entity_id"] == "sensor.office_power"
    assert hass.states.get(site_entity(hass, entry, "sensor", "ems_status")).state == "degraded"

    hass.states.async_set("sensor.office_power", "12", {"unit_of_measurement": "kW"})
    await entry.runtime_data.ems.async_refresh()
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_grid_limit_action_is_obeyed_at_once(
    hass: HomeAssistant, entity_registry_enabled_by_default: None
) -> None:
    """Lowering the import limit corrects every charging station before the action returns."""
    set_source_states(hass)
    hass.states.async_set("sensor.pv_power", "0", {"unit_of_measurement": "W"})
    hass.states.async_set("sensor.battery_power", "0", {"unit_of_measurement": "kW"})
    events = async_capture_events(hass, "ssch_grid_signal")
    at_risk = async_capture_events(hass, "ssch_target_at_risk")
    plans = async_capture_events(hass, "ssch_plan_changed")
    entry = await load_hub(hass, _hub(import_limit_kw=150.0))
    assert plans
    assert plans[-1].data["hub"] == "Harbour hub"
    async with AsyncExitStack() as stack:
        stations = [
            await stack.enter_async_context(running(station_config(entry, sid))) for sid in ("CS01", "CS02")
        ]
        for station in stations:
            await station.wait_connected()
            station.plug_in(car_visit(station, hours=1.5))
        # Both cars, with the needs they reported, are in the plan and charge.
        ems = entry.runtime_data.ems
        await until(
            lambda: (
                sum(s.departure < dt_util.utcnow() + timedelta(hours=2) for s in ems.data.snapshot.sessions)
                == 2
            ),
            timeout_s=20,
        )
        await until(lambda: sum(s.power_kw for s in stations) > 15.0, timeout_s=20)
        await until(lambda: all(s.last_setpoint is not None for s in stations), timeout_s=20)
        for station in stations:
            station.last_setpoint = None

        await hass.services.async_call(
            DOMAIN, "set_grid_limit", {"import_limit_kw": 27.0, "duration": {"minutes": 30}}, blocking=True
        )
        # When the action returns, every station has its new setpoint and applies it.
        assert all(s.last_setpoint is not None for s in stations)
        assert sum(s.power_kw for s in stations) <= 27.0 - 21.0 + 0.5
        assert float(hass.states.get(site_entity(hass, entry, "sensor", "import_limit")).state) == 27.0
        latency = float(hass.states.get(site_entity(hass, entry, "sensor", "ems_latency")).state)
        assert 0.0 < latency < 1000.0
        # KPIs are numbers in their range while the hub runs.
        entry.runtime_data.ems._kpi_cache = None
        entry.runtime_data.ems.async_update_listeners()
        uptime = float(hass.states.get(site_entity(hass, entry, "sensor", "kpi_charger_uptime")).state)
        assert 0.0 < uptime <= 100.0
        cost = float(hass.states.get(site_entity(hass, entry, "sensor", "kpi_cost_today")).state)
        assert cost >= 0.0
        assert float(hass.states.get(site_entity(hass, entry, "sensor", "grid_import_energy")).state) > 0.0

        assert [e.data["state"] for e in events] == ["started"]
        assert events[0].data["import_limit_kw"] == 27.0
        # Six kW left for two nearly empty cars: their targets cannot be met, and users hear of it.
        await until(lambda: len({e.data["station_id"] for e in at_risk}) == 2, timeout_s=15)
        assert at_risk[0].data["reason"]

        # The signal and the plan survive a reload; the reconnected stations are steered again.
        before = {s.station_id: s.last_setpoint for s in stations}
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        await until(lambda: all(s.last_setpoint is not before[s.station_id] for s in stations), timeout_s=20)
        await until(lambda: sum(s.power_kw for s in stations) <= 27.0 - 21.0 + 0.5)
        assert float(hass.states.get(site_entity(hass, entry, "sensor", "import_limit")).state) == 27.0
        assert entry.runtime_data.ems.builder.signals[0].import_limit_kw == 27.0

        await hass.services.async_call(DOMAIN, "clear_grid_signal", {}, blocking=True)
        assert float(hass.states.get(site_entity(hass, entry, "sensor", "import_limit")).state) == 150.0
        assert [e.data["state"] for e in events][-1] == "ended"


async def test_grid_limit_validation(hass: HomeAssistant) -> None:
    """A signal needs a limit, must not be over already, and must name a loaded hub."""
    set_source_states(hass)
    entry = await load_hub(hass, _hub(import_limit_kw=150.0))
    cases = [
        ({}, "grid_limit_required"),
        (
            {"import_limit_kw": 5, "start": "2001-01-01T00:00:00+00:00", "duration": {"hours": 1}},
            "grid_signal_in_past",
        ),
        ({"import_limit_kw": 5, "config_entry_id": "nope"}, "unknown_hub"),
    ]
    for data, key in cases:
        with pytest.raises(ServiceValidationError) as refused:
            await hass.services.async_call(DOMAIN, "set_grid_limit", data, blocking=True)
        assert refused.value.translation_key == key
    await load_hub(hass, _hub(import_limit_kw=100.0))
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(DOMAIN, "clear_grid_signal", {}, blocking=True)
    assert refused.value.translation_key == "hub_required"
    await hass.services.async_call(
        DOMAIN, "clear_grid_signal", {"config_entry_id": entry.entry_id}, blocking=True
    )


async def test_battery_and_curtailment_follow_the_plan(hass: HomeAssistant) -> None:
    """The battery's setpoint entity and the PV limit entity get the plan's current step."""
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                "battery_setpoint": {"min": -50, "max": 50, "step": 0.1, "unit_of_measurement": "kW"},
                "pv_limit": {"min": 0, "max": 100, "step": 1, "unit_of_measurement": "%", "initial": 50},
            }
        },
    )
    set_source_states(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("pv", PV_DATA | {"curtailment_entity": "input_number.pv_limit"}, "sensor.pv_power"),
            subentry("battery", BATTERY_DATA | {"control_entity": "input_number.battery_setpoint"}, "b"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
        ),
    )
    ems = entry.runtime_data.ems
    await ems.async_dispatch(ems.data)
    await hass.async_block_till_done()
    planned = ems.data.plan.setpoints_at(ems.data.plan.grid.start)
    assert float(hass.states.get("input_number.battery_setpoint").state) == pytest.approx(
        planned.battery_power_kw, abs=0.1
    )
    # The building takes more than the PV makes: nothing to curtail, the inverter is released to 100 %.
    assert planned.pv_curtailment_kw == pytest.approx(0.0, abs=0.05)
    assert float(hass.states.get("input_number.pv_limit").state) == 100.0
    registry = er.async_get(hass)
    subs = {sub.subentry_type: sub.subentry_id for sub in entry.subentries.values()}
    setpoint = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{subs['battery']}_battery_setpoint"
    )
    forecast = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{subs['pv']}_pv_forecast")
    assert setpoint is not None
    assert forecast is not None
    assert float(hass.states.get(setpoint).state) == pytest.approx(planned.battery_power_kw, abs=0.01)
    assert len(hass.states.get(forecast).attributes["values_kw"]) == 96
    wear = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{subs['battery']}_battery_degradation"
    )
    assert wear is not None
    discharged = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{subs['battery']}_battery_energy_discharged"
    )
    assert discharged is not None
    # The battery reports -3.5 kW: after 36 s its discharge counter shows 0.035 kWh.
    meter = ems.battery_meters[subs["battery"]]
    meter.add(dt_util.utcnow(), -3.5)
    meter.add(dt_util.utcnow() + timedelta(seconds=36), -3.5)
    ems.async_update_listeners()
    assert float(hass.states.get(discharged).state) >= 0.035


async def test_evse_can_be_taken_out_of_control(hass: HomeAssistant) -> None:
    """Switching 'controlled' off releases the EVSE to the station; on brings it back into the plan."""
    set_source_states(hass)
    entry = await load_hub(hass, _hub(import_limit_kw=150.0))
    sub = next(s for s in entry.subentries.values() if s.unique_id == "CS01")
    switch = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{entry.entry_id}_{sub.subentry_id}_evse1_controlled"
    )
    assert switch is not None
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        await until(lambda: station.last_setpoint is not None)
        await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
        await until(lambda: station.last_setpoint.action == "ClearChargingProfile")
        await until(lambda: all(s.evse_id != "CS01:1" for s in entry.runtime_data.ems.data.snapshot.sessions))
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
        await until(lambda: station.last_setpoint.action == "SetChargingProfile")
    assert hass.states.get(switch).state == "on"


async def test_new_prices_replan_at_once(hass: HomeAssistant) -> None:
    """A price entity that announces new prices makes the hub plan again with them."""
    set_source_states(hass)
    entry = await load_hub(
        hass, hub_entry(options={"import_price_entity": "sensor.day_ahead", "import_price_fixed": None})
    )
    ems = entry.runtime_data.ems
    assert float(ems.data.snapshot.prices.import_eur_per_kwh[0]) == pytest.approx(0.25)
    plans = async_capture_events(hass, "ssch_plan_changed")
    hass.states.async_set("sensor.day_ahead", "0.41", {"unit_of_measurement": "EUR/kWh"})
    await until(lambda: bool(plans))
    await hass.async_block_till_done()
    assert float(ems.data.snapshot.prices.import_eur_per_kwh[0]) == pytest.approx(0.41)


async def test_station_that_ignores_setpoints_is_planned_around(hass: HomeAssistant) -> None:
    """Firmware that keeps charging at full power is detected; the other station takes the whole cut."""
    set_source_states(hass)
    hass.states.async_set("sensor.pv_power", "0", {"unit_of_measurement": "W"})
    hass.states.async_set("sensor.battery_power", "0", {"unit_of_measurement": "kW"})
    entry = await load_hub(hass, _hub(import_limit_kw=150.0))
    ems = entry.runtime_data.ems
    ems.setpoints.follow_grace = timedelta(seconds=1)
    stubborn_config = station_config(entry, "CS01", misbehaviour=Misbehaviour(ignore_setpoints=True))
    async with running(stubborn_config) as stubborn, running(station_config(entry, "CS02")) as good:
        for station in (stubborn, good):
            await station.wait_connected()
            now = station.clock.now()
            station.plug_in(CarVisit(now, now + timedelta(hours=4), 3.0, 60.0, target_soc_percent=100.0))
        await until(lambda: good.last_setpoint is not None and stubborn.power_kw > 10.0, timeout_s=20)
        await hass.services.async_call(DOMAIN, "set_grid_limit", {"import_limit_kw": 36.0}, blocking=True)
        await until(lambda: ems.controls["CS01:1"].not_following, timeout_s=20)
        # 36 kW limit - 21 kW building - 11 kW that CS01 keeps drawing leaves about 4 kW for CS02.
        await until(lambda: good.power_kw <= 36.0 - 21.0 - 11.0 + 0.6, timeout_s=20)
        assert stubborn.power_kw > 10.0
