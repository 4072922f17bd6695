"""A whole day of a hub in compressed time: three V2G stations, PV, an office and a battery."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import datetime, timedelta
import time

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.sim.config import CarVisit, StationConfig, V2xLimits
from custom_components.ssch.sim.station import SimulatedStation

from .common import (
    BATTERY_DATA,
    BUILDING_DATA,
    CHARGER_PASSWORD,
    PLANNING,
    PV_DATA,
    charger_data,
    hub_entry,
    load_hub,
    set_source_states,
    site_entity,
    subentry,
    until,
)
from .day_site import CompressedDay, HubClock, StationaryBattery

IMPORT_LIMIT_KW = 40.0
STEP_MINUTES = 3.0
DAY = datetime(2026, 6, 15, tzinfo=dt_util.get_time_zone("Europe/Amsterdam"))


def _at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


def _car(arrive: float, leave: float, energy: float, capacity: float, target: float) -> CarVisit:
    return CarVisit(
        arrival=_at(arrive),
        departure=_at(leave),
        energy_initial_kwh=energy,
        capacity_kwh=capacity,
        target_soc_percent=target,
        v2x=V2xLimits(max_discharge_power_kw=10.0),
    )


VISITS = {
    "CS01": (_car(7.5, 17.0, 15.0, 60.0, 80.0), _car(18.5, 31.0, 20.0, 60.0, 80.0)),
    "CS02": (_car(8.0, 12.5, 25.0, 60.0, 80.0), _car(13.0, 16.0, 10.0, 50.0, 60.0)),
    "CS03": (_car(9.0, 18.0, 30.0, 77.0, 90.0),),
}


def _hub() -> MockConfigEntry:
    chargers = [subentry("charger", charger_data(sid, evse_count=1), sid) for sid in VISITS]
    return hub_entry(
        *chargers,
        subentry("pv", PV_DATA, "sensor.pv_power"),
        subentry("building", BUILDING_DATA, "sensor.office_power"),
        subentry("battery", BATTERY_DATA | {"control_entity": "input_number.battery_setpoint"}, "b"),
        site={"import_limit_kw": IMPORT_LIMIT_KW, "export_limit_kw": 40.0},
    )


def _station(entry: MockConfigEntry, station_id: str) -> SimulatedStation:
    config = StationConfig(
        station_id=station_id,
        url=f"ws://127.0.0.1:{entry.data['port']}/ocpp",
        password=CHARGER_PASSWORD,
        meter_interval_s=60.0,
        reconnect_initial_s=0.05,
        reconnect_max_s=0.2,
        visits=VISITS[station_id],
    )
    return SimulatedStation(config, HubClock())


def _number(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return float(state.state)


async def _run_until(day: CompressedDay, hour: float, limit_kw: float = IMPORT_LIMIT_KW) -> None:
    while dt_util.utcnow() < _at(hour):
        await day.step(STEP_MINUTES, limit_kw)


# Time runs on from midnight (sockets and timeouts need it to) and the test makes it jump ahead.
@pytest.mark.freeze_time(DAY, tick=True)
async def test_a_whole_day_of_the_hub(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entity_registry_enabled_by_default: None
) -> None:
    """Grid limit, user targets, a DSO signal, a broken meter and a restart, from midnight to midnight."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                "battery_setpoint": {"min": -50, "max": 50, "step": 0.1, "unit_of_measurement": "kW"}
            }
        },
    )
    set_source_states(hass)
    battery = StationaryBattery()
    entry = await load_hub(hass, _hub())
    kpi = lambda key: _number(hass, site_entity(hass, entry, "sensor", key))  # noqa: E731

    async with AsyncExitStack() as stack:
        stations = [_station(entry, sid) for sid in VISITS]
        for station in stations:
            await station.start()
            stack.push_async_callback(station.stop)
        for station in stations:
            await station.wait_connected()
        day = CompressedDay(hass, freezer, stations, battery)
        day.publish()
        await day.settle()

        await _run_until(day, 10.0)

        # 10:00 the DSO allows 5 kW for an hour: when the action returns, the stations have their new
        # setpoints and the site is within the new limit, and the hub reports how long that took.
        assert sum(s.transaction_id is not None for s in stations) == 3
        started = time.perf_counter()
        await hass.services.async_call(
            DOMAIN, "set_grid_limit", {"import_limit_kw": 5.0, "duration": {"hours": 1}}, blocking=True
        )
        assert time.perf_counter() - started < 1.0
        await day.settle()
        day.record(5.0)
        assert day.log.over_limit() == []
        assert 0.0 < kpi("ems_latency") < 1000.0
        await _run_until(day, 11.0, limit_kw=5.0)
        await _run_until(day, 14.0)

        # 14:00 the office meter fails for half an hour: the hub holds the last value, then names the
        # entity in a repair issue, and clears it once the meter is back.
        issue_id = f"source_unavailable_{entry.entry_id}_sensor.office_power"
        day.office_available = False
        await _run_until(day, 14.5)
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
        day.office_available = True
        await _run_until(day, 14.75)
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

        # 15:00 Home Assistant restarts the hub mid-session: stations come back and are steered again,
        # the meters keep counting where they were.
        await _run_until(day, 15.0)
        imported = kpi("grid_import_energy")
        commands = {sid: len(seen) for sid, seen in day.log.commands.items()}
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        await until(lambda: all(s.connected for s in stations), timeout_s=10)
        await _run_until(day, 15.5)
        assert kpi("grid_import_energy") >= imported
        assert all(len(day.log.commands[sid]) > commands[sid] for sid in ("CS01", "CS03"))

        await _run_until(day, 24.0)

    assert day.log.over_limit() == []
    departed = [(sid, car) for sid, car in day.log.cars.values() if car.visit.departure <= _at(24.0)]
    assert len(departed) == 4
    for sid, car in departed:
        target = car.visit.capacity_kwh * car.visit.target_soc_percent / 100
        assert car.energy_kwh >= 0.99 * target, (sid, car.visit.arrival, car.energy_kwh, target)
    assert all(len(seen) >= 5 for seen in day.log.commands.values())

    ems = entry.runtime_data.ems
    ems._kpi_cache = None
    ems.async_update_listeners()
    assert kpi("kpi_sessions_met") == 100.0
    assert 30.0 <= kpi("kpi_pv_self_consumption") <= 100.0
    assert 0.0 < kpi("kpi_self_sufficiency") <= 100.0
    assert 90.0 <= kpi("kpi_charger_uptime") <= 100.0
    # It is midnight: the day's cost is in the month's, and today's starts from zero. Time runs on,
    # so today holds at most what the seconds since midnight could cost (the sensor rounds to 0.001).
    since_midnight_h = (dt_util.utcnow() - _at(24.0)).total_seconds() / 3600
    most_since_midnight = IMPORT_LIMIT_KW * PLANNING["import_price_fixed"] * since_midnight_h
    assert abs(kpi("kpi_cost_today")) <= most_since_midnight + 0.001
    assert kpi("kpi_cost_month") > 0.0
    assert kpi("kpi_savings_month") > -kpi("kpi_cost_month")
    # The battery cycled (PV by day, the office by night): it aged more than an idle one, within reason.
    assert 0.0 < kpi("kpi_battery_degradation") < 100.0
    assert kpi("grid_import_energy") > 0.0
