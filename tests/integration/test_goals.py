"""Session goals per EVSE: departure, target, V2G floor and consent, charge mode, target status."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

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


def _session(entry: MockConfigEntry) -> object:
    sessions = entry.runtime_data.ems.data.snapshot.sessions
    assert len(sessions) == 1
    return sessions[0]


async def test_goals_shape_the_plan_and_survive_a_reload(hass: HomeAssistant) -> None:
    """Every goal reaches the planner at once; an impossible one is reported at risk; all are kept."""
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    status = goal_entity(hass, entry, "sensor", "target_status")
    assert hass.states.get(status).state == "no_car"
    assert hass.states.get(goal_entity(hass, entry, "select", "goal_charge_mode")).state == "smart"
    assert hass.states.get(goal_entity(hass, entry, "switch", "goal_v2g_allowed")).state == "on"
    assert float(hass.states.get(goal_entity(hass, entry, "number", "goal_min_soc")).state) == 30.0

    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        await until(lambda: len(entry.runtime_data.ems.data.snapshot.sessions) == 1)

        departure = (dt_util.utcnow() + timedelta(minutes=20)).replace(microsecond=0)
        departure_entity = goal_entity(hass, entry, "datetime", "goal_departure")
        target_entity = goal_entity(hass, entry, "number", "goal_target_soc")
        await hass.services.async_call(
            "datetime", "set_value", {"entity_id": departure_entity, "datetime": departure}, blocking=True
        )
        await hass.services.async_call(
            "number", "set_value", {"entity_id": target_entity, "value": 100}, blocking=True
        )
        await hass.services.async_call(
            "switch",
            "turn_off",
            {"entity_id": goal_entity(hass, entry, "switch", "goal_v2g_allowed")},
            blocking=True,
        )
        # Each change asks for a plan at once; plan here too so the check does not race the debouncer.
        await entry.runtime_data.ems.async_refresh()
        await until(
            lambda: _session(entry).departure == departure and _session(entry).target_energy_kwh == 60.0
        )
        assert not _session(entry).v2g_allowed
        # 60 kWh in 20 minutes at 11 kW cannot be done: the user is told, with the reason.
        await until(lambda: hass.states.get(status).state == "at_risk")
        assert hass.states.get(status).attributes["reason"]

        mode_entity = goal_entity(hass, entry, "select", "goal_charge_mode")
        await hass.services.async_call(
            "select", "select_option", {"entity_id": mode_entity, "option": "off"}, blocking=True
        )
        await entry.runtime_data.ems.async_refresh()
        await until(lambda: abs(station.power_kw) < 0.1)

        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        goal = entry.runtime_data.ems.controls["CS01:1"].goal
        assert goal.target_soc_pct == 100.0
        assert not goal.v2g_allowed
        assert goal.mode.value == "off"
        assert goal.departure == departure
    await until(lambda: not entry.runtime_data.server.state("CS01").connected)
    # Close every websocket the reloads left before the test ends.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
