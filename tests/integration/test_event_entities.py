"""Event entities fire on what simulated stations and the hub's own decisions bring about."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.events import FaultReported
from custom_components.ssch.ems.events import EVENT_GRID_SIGNAL
from custom_components.ssch.entities.event_devices import event_device_id
from custom_components.ssch.sim.ocpp2.messages import status_notification
from custom_components.ssch.stations.bridge import StationEventRelay

from .common import charger_data, hub_entry, load_hub, running, station_config, subentry, until
from .hub_events_common import STATIONS, car, evse_device, evse_entity, hub_entity, two_bay_hub

EVSE_EVENTS = ("car_ready", "target_at_risk", "charger_fault")


def _state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None
    return state


def _fired(hass: HomeAssistant, entity_id: str) -> bool:
    return _state(hass, entity_id).state not in ("unknown", "unavailable")


def _shown(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    attributes = dict(_state(hass, entity_id).attributes)
    del attributes["event_types"], attributes["friendly_name"]
    return attributes


async def test_evse_and_hub_event_entities_fire_on_the_simulated_stations(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, two_bay_hub())
    entities = {
        (sid, key): evse_entity(hass, entry, sid, "event", key) for sid in STATIONS for key in EVSE_EVENTS
    }
    grid = hub_entity(hass, entry, "event", "grid_signal")
    flexibility = hub_entity(hass, entry, "event", "flexibility")
    assert not any(_fired(hass, entity_id) for entity_id in [*entities.values(), grid, flexibility])
    assert _state(hass, entities["CS01", "charger_fault"]).attributes["event_types"] == [
        "fault",
        "fault_cleared",
    ]
    assert _state(hass, flexibility).attributes["event_types"] == ["committed", "started", "ended"]

    async with AsyncExitStack() as stack:
        cs01, cs02 = [
            await stack.enter_async_context(running(station_config(entry, sid))) for sid in STATIONS
        ]
        await cs01.wait_connected()
        await cs02.wait_connected()
        # CS01's car is at its 80 % already; Bay 2's needs 38 kWh in half an hour at 11 kW.
        cs01.plug_in(car(cs01, hours=8, energy_kwh=48.0))
        cs02.plug_in(car(cs02, hours=0.5, energy_kwh=10.0))
        await until(lambda: _fired(hass, entities["CS01", "car_ready"]))
        await until(lambda: _fired(hass, entities["CS02", "target_at_risk"]))

        ready = _shown(hass, entities["CS01", "car_ready"])
        assert ready["event_type"] == "car_ready"
        assert ready["energy_kwh"] == pytest.approx(48.0, abs=0.5)
        assert ready["soc"] == pytest.approx(80.0, abs=1.0)
        assert ready["session_id"].startswith("CS01:1:")
        at_risk = _shown(hass, entities["CS02", "target_at_risk"])
        assert at_risk["event_type"] == "target_at_risk"
        assert at_risk["session_id"].startswith("CS02:1:")
        assert at_risk["expected_energy_kwh"] < at_risk["target_energy_kwh"] == pytest.approx(48.0, abs=0.5)
        assert not _fired(hass, entities["CS02", "car_ready"])
        assert not _fired(hass, entities["CS01", "target_at_risk"])

        # The station says its connector is faulted, over OCPP.
        cs02.outbox.put(status_notification(cs02.firmware.calls, "Faulted", cs02.clock.now()))
        await until(lambda: _fired(hass, entities["CS02", "charger_fault"]))
        assert _shown(hass, entities["CS02", "charger_fault"]) == {
            "event_type": "fault",
            "component": "Connector",
            "detail": "connector 1 faulted",
        }
        assert not _fired(hass, entities["CS01", "charger_fault"])

        # The ready car can give energy back: the hub commits to drawing less for the next hour.
        changes = async_capture_events(hass, EVENT_STATE_CHANGED)
        response = await hass.services.async_call(
            DOMAIN,
            "request_flexibility",
            {"direction": "down", "power_kw": 5.0, "end": dt_util.utcnow() + timedelta(hours=1)},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        assert response["committed_kw"] > 0.0
        await until(lambda: _shown(hass, flexibility)["event_type"] == "started")
        shown = [
            change.data["new_state"].attributes
            for change in changes
            if change.data["entity_id"] == flexibility
        ]
        assert [attributes["event_type"] for attributes in shown] == ["committed", "started"]
        assert shown[0]["commitment_id"] == response["commitment_id"]
        assert shown[0]["committed_kw"] == response["committed_kw"]
        assert shown[0]["direction"] == "down"

    await hass.services.async_call(
        DOMAIN, "set_grid_limit", {"import_limit_kw": 40.0, "duration": {"minutes": 30}}, blocking=True
    )
    await hass.async_block_till_done()
    assert _shown(hass, grid) == {"event_type": "started", "import_limit_kw": 40.0, "export_limit_kw": None}
    await hass.services.async_call(DOMAIN, "clear_grid_signal", {}, blocking=True)
    await hass.async_block_till_done()
    assert _shown(hass, grid)["event_type"] == "ended"


async def test_a_fault_of_the_whole_station_reaches_each_of_its_evses(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, two_bay_hub())
    relay = StationEventRelay(hass, entry.runtime_data.config)
    relay.handle(FaultReported("CS01", None, "ChargePoint", "PowerMeterFailure", cleared=True))
    await hass.async_block_till_done()
    assert _shown(hass, evse_entity(hass, entry, "CS01", "event", "charger_fault")) == {
        "event_type": "fault_cleared",
        "component": "ChargePoint",
        "detail": "PowerMeterFailure",
    }
    assert not _fired(hass, evse_entity(hass, entry, "CS02", "event", "charger_fault"))


async def test_events_of_another_hub_stay_with_it(hass: HomeAssistant) -> None:
    first = await load_hub(hass, two_bay_hub())
    second = await load_hub(hass, two_bay_hub())
    # Same station ids at both hubs: only the hub that reported it shows the fault.
    StationEventRelay(hass, second.runtime_data.config).handle(
        FaultReported("CS01", 1, "Connector", "Tripped")
    )
    await hass.async_block_till_done()
    assert not _fired(hass, evse_entity(hass, first, "CS01", "event", "charger_fault"))
    assert _fired(hass, evse_entity(hass, second, "CS01", "event", "charger_fault"))
    assert er.async_get(hass).async_get(
        evse_entity(hass, second, "CS01", "event", "charger_fault")
    ).device_id == (evse_device(hass, second, "CS01"))


async def test_a_station_the_hub_does_not_have_has_no_device(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, two_bay_hub())
    config = entry.runtime_data.config
    assert event_device_id(hass, config, "STRANGER", 1) is None
    assert event_device_id(hass, config, "CS01", 1) == evse_device(hass, entry, "CS01")


async def test_a_state_the_entity_does_not_name_is_not_shown(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, two_bay_hub())
    grid = hub_entity(hass, entry, "event", "grid_signal")
    hass.bus.async_fire(EVENT_GRID_SIGNAL, {"config_entry_id": entry.entry_id, "state": "paused"})
    await hass.async_block_till_done()
    assert not _fired(hass, grid)
    hass.bus.async_fire(EVENT_GRID_SIGNAL, {"config_entry_id": entry.entry_id, "state": "ended"})
    await hass.async_block_till_done()
    assert _shown(hass, grid) == {"event_type": "ended", "import_limit_kw": None, "export_limit_kw": None}


async def test_a_fault_of_one_evse_stays_with_it(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01"), "CS01")))
    evse1, evse2 = (
        er.async_get(hass).async_get_entity_id(
            "event", DOMAIN, f"{entry.entry_id}_{_charger_subentry(entry)}_evse{evse}_charger_fault"
        )
        for evse in (1, 2)
    )
    assert evse1 is not None
    assert evse2 is not None
    relay = StationEventRelay(hass, entry.runtime_data.config)
    relay.handle(FaultReported("CS01", 2, "Connector", "Tripped"))
    await hass.async_block_till_done()
    assert _fired(hass, evse2)
    assert not _fired(hass, evse1)


def _charger_subentry(entry: MockConfigEntry) -> str:
    return next(iter(entry.subentries))
