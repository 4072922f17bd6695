"""Server events of configured stations reach Home Assistant; those of stations it does not know do not."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ssch.csms.events import FaultReported, StationPending
from custom_components.ssch.repairs import AcceptVersionFlow, async_create_fix_flow
from custom_components.ssch.stations.bridge import EVENT_CHARGER_FAULT, StationEventRelay

from .common import charger_data, evse_device, hub_entry, load_hub, subentry


async def test_faults_of_configured_stations_become_bus_events(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01"), "CS01")))
    faults = async_capture_events(hass, EVENT_CHARGER_FAULT)
    relay = StationEventRelay(hass, entry.runtime_data.config)
    relay.handle(FaultReported("CS01", 1, "Connector", "GroundFailure"))
    relay.handle(FaultReported("STRANGER", 1, "Connector", "GroundFailure"))
    relay.handle(StationPending("STRANGER", "192.0.2.1", "ACME", "Box"))
    await hass.async_block_till_done()
    assert [event.data for event in faults] == [
        {
            "hub": "Harbour hub",
            "station_id": "CS01",
            "charger": "Charger CS01",
            "evse_id": 1,
            "component": "Connector",
            "detail": "GroundFailure",
            "cleared": False,
            "config_entry_id": entry.entry_id,
            "device_id": evse_device(hass, entry),
        }
    ]


async def test_version_fix_needs_a_loaded_hub(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01"), "CS01")))
    assert await hass.config_entries.async_unload(entry.entry_id)
    flow = AcceptVersionFlow(entry.entry_id, "CS01")
    flow.hass = hass
    result = await flow.async_step_init()
    assert result["type"] == "abort"
    assert result["reason"] == "hub_not_loaded"
    with pytest.raises(ValueError, match="no fix"):
        await async_create_fix_flow(hass, "other_issue", {"entry_id": entry.entry_id, "station_id": "CS01"})
