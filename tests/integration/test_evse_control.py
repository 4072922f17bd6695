"""An EVSE the user took out of the hub's control, or steers by hand, stays so across reloads and restarts."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.evse_control import ChargeMode
from custom_components.ssch.entities.devices import evse_identifier
from custom_components.ssch.hub_storage import EMS, storage_key
from custom_components.ssch.sim.station import SimulatedStation

from .common import car_visit, charger_data, hub_entry, load_hub, running, station_config, subentry, until


def _subentry_id(entry: MockConfigEntry, station_id: str = "CS01") -> str:
    return next(s.subentry_id for s in entry.subentries.values() if s.unique_id == station_id)


def _unique_id(entry: MockConfigEntry, key: str, station_id: str = "CS01") -> str:
    return f"{entry.entry_id}_{_subentry_id(entry, station_id)}_evse1_{key}"


def _entity(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, _unique_id(entry, key))
    assert entity_id is not None, key
    return entity_id


def _record_commands(station: SimulatedStation) -> list[str]:
    """Every command the station accepts from now on, by action."""
    received: list[str] = []
    apply = station.apply_command

    def recording(action: str, payload: dict[str, Any], change: Any) -> str:
        received.append(action)
        return apply(action, payload, change)

    station.apply_command = recording  # type: ignore[method-assign]
    return received


def _add_charger(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A second charger: the hub reloads, its OCPP server carries on."""
    data = charger_data("CS02", evse_count=1, name="Bay 2")
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(data=MappingProxyType(data), subentry_type="charger", title="Bay 2", unique_id="CS02"),
    )


async def test_excluded_evse_gets_no_setpoint_after_a_reload(hass: HomeAssistant) -> None:
    """The reported bug: after a reload the first plan ran before the switch restored "off"."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    switch = _entity(hass, entry, "switch", "controlled")
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        await until(lambda: station.last_setpoint is not None)
        await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
        await until(lambda: station.last_setpoint.action == "ClearChargingProfile")
        received = _record_commands(station)

        _add_charger(hass, entry)
        await hass.async_block_till_done()
        ems = entry.runtime_data.ems
        assert ems.controls["CS01:1"].excluded
        await ems.async_refresh()
        await ems.async_dispatch(ems.data)
        await hass.async_block_till_done()
        assert "SetChargingProfile" not in received
        assert all(session.evse_id != "CS01:1" for session in ems.data.snapshot.sessions)
        assert hass.states.get(switch).state == "off"

        # Back under control: the hub steers it again.
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
        await until(lambda: "SetChargingProfile" in received)
        assert hass.states.get(switch).state == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_manual_setpoint_and_cap_survive_a_restart(hass: HomeAssistant) -> None:
    """A setpoint set by hand holds after Home Assistant restarts; the plan leaves that EVSE alone."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    cap = _entity(hass, entry, "number", "max_power")
    device = dr.async_get(hass).async_get_device({evse_identifier(entry.entry_id, _subentry_id(entry), 1)})
    assert device is not None
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        await until(lambda: hass.states.get(cap).state != "unavailable")
        await hass.services.async_call("number", "set_value", {"entity_id": cap, "value": 7.5}, blocking=True)
        station.plug_in(car_visit(station))
        await until(lambda: station.last_setpoint is not None)
        await hass.services.async_call(
            DOMAIN, "set_charger_setpoint", {"device_id": device.id, "power_kw": 3.0}, blocking=True
        )
        received = _record_commands(station)

        # Unload and set up again from the store, as after a restart.
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        ems = entry.runtime_data.ems
        assert ems.controls["CS01:1"].manual is not None
        await until(lambda: ems.server.state("CS01").connected)
        await until(lambda: ems.server.state("CS01").evse(1).transaction_id is not None)
        await ems.async_refresh()
        await ems.async_dispatch(ems.data)
        await hass.async_block_till_done()
        assert "SetChargingProfile" not in received
        assert float(hass.states.get(cap).state) == 7.5

        await hass.services.async_call(
            DOMAIN, "clear_charger_setpoint", {"device_id": device.id}, blocking=True
        )
        await until(lambda: "SetChargingProfile" in received)
        assert ems.controls["CS01:1"].manual is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_settings_of_an_earlier_version_are_taken_over_once(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A hub whose entities kept the settings: the EMS takes them over, then keeps them itself."""
    entry = hub_entry(
        subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
        subentry("charger", charger_data("CS02", evse_count=1, name="Bay 2"), "CS02"),
    )
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    departure = (dt_util.utcnow() + timedelta(hours=5)).replace(microsecond=0)
    restored: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("switch", "controlled", "off", None),
        ("number", "max_power", "6.5", {"native_value": 6.5, "native_unit_of_measurement": "kW"}),
        ("datetime", "goal_departure", departure.isoformat(), None),
        ("number", "goal_target_soc", "90.0", {"native_value": 90.0}),
        ("number", "goal_min_soc", "40.0", {"native_value": 40.0}),
        ("switch", "goal_v2g_allowed", "off", None),
        ("select", "goal_charge_mode", "fast", None),
    ]
    cache: list[tuple[State, dict[str, Any]]] = []
    entity_ids: dict[str, str] = {}
    for platform, key, state, extra in restored:
        # The entity ids a user of the earlier version has (they may have renamed them).
        entity = registry.async_get_or_create(
            platform, DOMAIN, _unique_id(entry, key), config_entry=entry, suggested_object_id=f"my_{key}"
        )
        entity_ids[key] = entity.entity_id
        cache.append((State(entity.entity_id, state), extra or {}))
    # The EMS store as the earlier version wrote it: no per-EVSE settings in it.
    hass_storage[storage_key(entry.entry_id, EMS)] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key(entry.entry_id, EMS),
        "data": {"plan": None, "signals": [], "kpis": None, "flexibility": None, "arrivals": None},
    }
    # A value that cannot be read is left at its default.
    stale = registry.async_get_or_create(
        "number", DOMAIN, _unique_id(entry, "goal_min_soc", "CS02"), config_entry=entry
    )
    cache.append((State(stale.entity_id, "unknown"), {}))
    mock_restore_cache_with_extra_data(hass, cache)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    control = entry.runtime_data.ems.controls["CS01:1"]
    assert control.excluded
    assert control.cap_kw == 6.5
    assert control.goal.departure == departure
    assert control.goal.target_soc_pct == 90.0
    assert control.goal.min_soc_pct == 40.0
    assert not control.goal.v2g_allowed
    assert control.goal.mode is ChargeMode.FAST
    assert entry.runtime_data.ems.controls["CS02:1"].goal.min_soc_pct == 30.0
    # Same entities, same ids: history and automations keep working.
    for key, entity_id in entity_ids.items():
        assert _entity(hass, entry, entity_id.split(".")[0], key) == entity_id
        assert hass.states.get(entity_id) is not None, entity_id
    assert hass.states.get(_entity(hass, entry, "switch", "controlled")).state == "off"
    assert hass.states.get(_entity(hass, entry, "select", "goal_charge_mode")).state == "fast"

    # From now on the EMS's store holds them; a change is kept there, not in the entity.
    mode = _entity(hass, entry, "select", "goal_charge_mode")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": mode, "option": "smart"}, blocking=True
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage[storage_key(entry.entry_id, EMS)]["data"]["evse_control"]
    assert saved["CS01:1"]["excluded"] is True
    assert saved["CS01:1"]["goal"]["mode"] == "smart"
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.ems.controls["CS01:1"].goal.mode is ChargeMode.SMART
    assert hass.states.get(mode).state == "smart"
    assert await hass.config_entries.async_unload(entry.entry_id)
