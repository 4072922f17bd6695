"""Device triggers of EVSE devices: offered in the editor, and firing automations on the hub's events."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from homeassistant.components.device_automation import DeviceAutomationType, async_get_device_automations
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.events import FaultReported
from custom_components.ssch.stations.bridge import StationEventRelay

from .common import load_hub, running, station_config, until
from .hub_events_common import STATIONS, car, evse_device, station_device, two_bay_hub


def _trigger(device_id: str, trigger_type: str) -> dict[str, str]:
    return {"platform": "device", "domain": DOMAIN, "device_id": device_id, "type": trigger_type}


async def _automations(hass: HomeAssistant, triggers: dict[str, dict[str, str]]) -> list[ServiceCall]:
    """One automation per trigger; each records its name and what the event was about."""
    calls = async_mock_service(hass, "test", "record")
    data = {
        "name": "{{ name }}",
        "station_id": "{{ trigger.event.data.station_id }}",
        "evse_id": "{{ trigger.event.data.evse_id }}",
    }
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": name,
                    "triggers": [trigger],
                    "variables": {"name": name},
                    "actions": [{"action": "test.record", "data": data}],
                }
                for name, trigger in triggers.items()
            ]
        },
    )
    await hass.async_block_till_done()
    return calls


def _recorded(calls: list[ServiceCall]) -> list[dict[str, Any]]:
    return [dict(call.data) for call in calls]


async def test_only_evse_devices_offer_the_three_triggers(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "device_automation", {})
    entry = await load_hub(hass, two_bay_hub())
    evse, station = evse_device(hass, entry, "CS01"), station_device(hass, entry, "CS01")
    found = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [evse, station])
    ours = [
        {k: t[k] for k in ("platform", "domain", "device_id", "type")}
        for t in found[evse]
        if t["domain"] == DOMAIN
    ]
    assert ours == [_trigger(evse, kind) for kind in ("car_ready", "target_at_risk", "charger_fault")]
    assert not [t for t in found[station] if t["domain"] == DOMAIN]


async def test_device_triggers_fire_for_their_own_evse(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, two_bay_hub())
    cs01, cs02 = (evse_device(hass, entry, sid) for sid in STATIONS)
    calls = await _automations(
        hass,
        {
            "CS01 ready": _trigger(cs01, "car_ready"),
            "CS01 at risk": _trigger(cs01, "target_at_risk"),
            "CS02 ready": _trigger(cs02, "car_ready"),
            "CS02 at risk": _trigger(cs02, "target_at_risk"),
        },
    )
    async with AsyncExitStack() as stack:
        stations = [await stack.enter_async_context(running(station_config(entry, sid))) for sid in STATIONS]
        for station in stations:
            await station.wait_connected()
        stations[0].plug_in(car(stations[0], hours=0.5, energy_kwh=10.0))
        stations[1].plug_in(car(stations[1], hours=8, energy_kwh=48.0))
        await until(lambda: len(calls) >= 2)
        await hass.async_block_till_done()
    assert sorted(_recorded(calls), key=lambda call: call["name"]) == [
        {"name": "CS01 at risk", "station_id": "CS01", "evse_id": 1},
        {"name": "CS02 ready", "station_id": "CS02", "evse_id": 1},
    ]


async def test_fault_triggers_fire_for_the_evse_and_for_its_whole_station(hass: HomeAssistant) -> None:
    entry: MockConfigEntry = await load_hub(hass, two_bay_hub())
    calls = await _automations(
        hass, {sid: _trigger(evse_device(hass, entry, sid), "charger_fault") for sid in STATIONS}
    )
    relay = StationEventRelay(hass, entry.runtime_data.config)
    relay.handle(FaultReported("CS02", 1, "Connector", "GroundFailure"))
    relay.handle(FaultReported("CS01", None, "ChargePoint", "PowerMeterFailure"))
    relay.handle(FaultReported("CS01", 0, "ChargePoint", "HighTemperature"))
    await hass.async_block_till_done()
    assert _recorded(calls) == [
        {"name": "CS02", "station_id": "CS02", "evse_id": 1},
        {"name": "CS01", "station_id": "CS01", "evse_id": None},
        {"name": "CS01", "station_id": "CS01", "evse_id": 0},
    ]

    # The automation stops listening when it is turned off.
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
    relay.handle(FaultReported("CS02", 1, "Connector", "GroundFailure"))
    await hass.async_block_till_done()
    assert len(calls) == 3
