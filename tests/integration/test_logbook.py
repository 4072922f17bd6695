"""The logbook tells the hub's events in words, as Home Assistant's logbook shows them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.ems.events import (
    EVENT_FLEXIBILITY,
    EVENT_GRID_SIGNAL,
    EVENT_PLAN_CHANGED,
    EVENT_SESSION_READY,
    EVENT_TARGET_AT_RISK,
)
from custom_components.ssch.stations.bridge import EVENT_CHARGER_FAULT

HUB = {"hub": "Harbour hub", "config_entry_id": "01HUB"}
EVSE = HUB | {"charger": "Bay 2", "station_id": "CS02", "evse_id": 1, "session_id": "CS02:1:77"}


@pytest.fixture
def mock_recorder_before_hass(async_setup_recorder_instance: Any) -> None:
    """The logbook reads what the recorder stored."""


def _commitment(state: str, start: str, end: str) -> dict[str, Any]:
    return HUB | {
        "state": state,
        "commitment_id": "c1",
        "direction": "down",
        "start": start,
        "end": end,
        "requested_kw": 10.0,
        "committed_kw": 7.5,
        "price_per_kwh": 0.25,
        "delivered_kwh": 3.04,
        "revenue": 0.761,
    }


async def test_logbook_describes_the_hub_events(
    recorder_mock: Recorder, hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    begin = dt_util.utcnow() - timedelta(seconds=1)
    start = (dt_util.utcnow() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=2)
    events = [
        (EVENT_PLAN_CHANGED, HUB | {"solver": "piqp", "peak_kw": 20.0}),
        (EVENT_SESSION_READY, EVSE | {"energy_kwh": 42.27, "soc": 80.4}),
        (EVENT_SESSION_READY, EVSE | {"evse_id": None, "energy_kwh": 12, "soc": None}),
        (
            EVENT_TARGET_AT_RISK,
            EVSE | {"expected_energy_kwh": 31.46, "target_energy_kwh": 40, "reason": "grid limit"},
        ),
        (EVENT_TARGET_AT_RISK, EVSE | {"expected_energy_kwh": 3, "target_energy_kwh": 4, "reason": None}),
        (EVENT_CHARGER_FAULT, EVSE | {"component": "Connector", "detail": "GroundFailure", "cleared": False}),
        (
            EVENT_CHARGER_FAULT,
            EVSE | {"evse_id": None, "component": "ChargePoint", "detail": "", "cleared": True},
        ),
        (EVENT_GRID_SIGNAL, HUB | {"state": "started", "import_limit_kw": 40.0, "export_limit_kw": 12.5}),
        (EVENT_GRID_SIGNAL, HUB | {"state": "started", "import_limit_kw": None, "export_limit_kw": None}),
        (EVENT_GRID_SIGNAL, HUB | {"state": "ended", "import_limit_kw": 40.0, "export_limit_kw": None}),
        (EVENT_FLEXIBILITY, _commitment("committed", start.isoformat(), end.isoformat())),
        (EVENT_FLEXIBILITY, _commitment("started", start.isoformat(), end.isoformat())),
        (EVENT_FLEXIBILITY, _commitment("ended", start.isoformat(), end.isoformat())),
    ]
    for event_type, data in events:
        hass.bus.async_fire(event_type, data)
    await async_wait_recording_done(hass)

    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": begin.isoformat()})
    response = await client.receive_json()
    assert response["success"]
    entries = [(e["name"], e["message"]) for e in response["result"] if e.get("domain") == DOMAIN]

    window = f"{dt_util.as_local(start):%H:%M} to {dt_util.as_local(end):%H:%M}"
    assert entries == [
        ("Bay 2 EVSE 1", "reached its charging target: 42.3 kWh charged, battery at 80 %"),
        ("Bay 2", "reached its charging target: 12.0 kWh charged"),
        ("Bay 2 EVSE 1", "may miss its charging target: 31.5 of 40.0 kWh expected (grid limit)"),
        ("Bay 2 EVSE 1", "may miss its charging target: 3.0 of 4.0 kWh expected"),
        ("Bay 2 EVSE 1", "reported a fault: Connector (GroundFailure)"),
        ("Bay 2", "cleared a fault: ChargePoint"),
        ("Harbour hub", "grid signal started: import limited to 40 kW, export limited to 12.5 kW"),
        ("Harbour hub", "grid signal started"),
        ("Harbour hub", "grid signal ended"),
        ("Harbour hub", f"committed 7.5 kW down of flexibility from {window}"),
        ("Harbour hub", "flexibility commitment of 7.5 kW down started"),
        ("Harbour hub", "flexibility commitment of 7.5 kW down ended: 3.0 kWh delivered, revenue 0.76"),
    ]


def test_an_event_without_the_expected_details_is_still_listed() -> None:
    """An event an earlier version recorded with fewer details falls back to its type."""
    from types import SimpleNamespace

    from custom_components.ssch.logbook import DESCRIPTIONS, _describer

    describe = _describer(DESCRIPTIONS["ssch_flexibility_commitment"])
    entry = describe(SimpleNamespace(data={"hub": "Harbour hub"}, event_type="ssch_flexibility_commitment"))
    assert entry == {"name": "Harbour hub", "message": "flexibility commitment"}
