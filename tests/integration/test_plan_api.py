"""The whole plan on request (action and websocket command), what stays out of the recorder, and which
entities start disabled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.recorder import history
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.entities.site_sensor import PLAN_SERIES

from .common import car_visit, full_hub_entry, load_hub, running, set_source_states, station_config, until

SERIES = (
    "grid_import_kw",
    "grid_export_kw",
    "ev_power_kw",
    "battery_power_kw",
    "pv_curtailment_kw",
    "pv_forecast_kw",
    "building_kw",
    "import_limit_kw",
    "export_limit_kw",
    "import_price_per_kwh",
    "export_price_per_kwh",
    "flexibility_up_kw",
    "flexibility_down_kw",
)


@pytest.fixture
def mock_recorder_before_hass(async_setup_recorder_instance: Any) -> None:
    """The recorder's database is prepared before Home Assistant starts (for ``recorder_mock``)."""


def _entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def _subentry_id(entry: MockConfigEntry, subentry_type: str) -> str:
    return next(s for s in entry.subentries.values() if s.subentry_type == subentry_type).subentry_id


async def test_the_whole_plan_by_action_and_websocket(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    set_source_states(hass)
    entry = await load_hub(hass, full_hub_entry())
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        ems = entry.runtime_data.ems
        await until(lambda: bool(ems.data.snapshot.sessions) and bool(ems.data.plan.session_outcomes))
        plan = await hass.services.async_call(DOMAIN, "get_plan", {}, blocking=True, return_response=True)
    assert plan is not None
    steps = len(plan["times"])
    assert steps == 96  # 24 hours of 15 minutes
    assert (plan["config_entry_id"], plan["hub"], plan["step_minutes"]) == (entry.entry_id, "Harbour hub", 15)
    assert plan["start"] == plan["times"][0]
    assert all(len(plan[name]) == steps for name in SERIES)
    assert [(e["key"], e["evse_id"], e["charger"]) for e in plan["evses"]] == [
        ("CS01:1", 1, "Charger CS01"),
        ("CS01:2", 2, "Charger CS01"),
    ]
    assert all(len(e["power_kw"]) == steps for e in plan["evses"])
    (session,) = plan["sessions"]
    assert session["evse"] in {"CS01:1", "CS01:2"}
    assert session["plugged_in"] is True
    assert session["target_energy_kwh"] > 0.0
    assert plan["solver"]["backend"]
    assert plan["solver"]["solve_time_ms"] >= 0.0

    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "ssch/plan", "config_entry_id": entry.entry_id})
    answer = await client.receive_json()
    assert answer["success"]
    # the station has left since: the plan may be a new one, of the same shape
    assert set(answer["result"]) == set(plan)
    assert len(answer["result"]["grid_import_kw"]) == steps
    await client.send_json_auto_id({"type": "ssch/plan", "config_entry_id": "nope"})
    answer = await client.receive_json()
    assert not answer["success"]
    assert (answer["error"]["code"], answer["error"]["translation_key"]) == ("not_found", "unknown_hub")
    with pytest.raises(ServiceValidationError) as error:
        await hass.services.async_call(
            DOMAIN, "get_plan", {"config_entry_id": "nope"}, blocking=True, return_response=True
        )
    assert error.value.translation_key == "unknown_hub"


async def test_plan_series_stay_out_of_the_recorder(recorder_mock: Recorder, hass: HomeAssistant) -> None:
    """The series are on the states for cards, but the recorder keeps only the small attributes."""
    start = dt_util.utcnow() - timedelta(seconds=1)
    set_source_states(hass)
    entry = await load_hub(hass, full_hub_entry())
    await entry.runtime_data.ems.async_request_refresh()
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    next_plan = _entity_id(hass, "sensor", f"{entry.entry_id}_next_plan")
    pv_forecast = _entity_id(hass, "sensor", f"{entry.entry_id}_{_subentry_id(entry, 'pv')}_pv_forecast")
    live = hass.states.get(next_plan)
    assert live is not None
    assert set(live.attributes) >= PLAN_SERIES
    # every list of the plan sensor is among the attributes left out
    assert {name for name, value in live.attributes.items() if isinstance(value, list)} - {
        "sessions_at_risk"
    } <= PLAN_SERIES
    recorded = await recorder_mock.async_add_executor_job(
        lambda: history.state_changes_during_period(hass, start, entity_id=next_plan)
    )
    assert recorded[next_plan]
    for state in recorded[next_plan]:
        assert not PLAN_SERIES & set(state.attributes)
        assert state.attributes["unit_of_measurement"] == "kW"
        assert "prices_known_until" in state.attributes
    recorded = await recorder_mock.async_add_executor_job(
        lambda: history.state_changes_during_period(hass, start, entity_id=pv_forecast)
    )
    assert "values_kw" in hass.states.get(pv_forecast).attributes
    assert all("values_kw" not in state.attributes for state in recorded[pv_forecast])


async def test_diagnostic_and_rarely_used_entities_start_disabled(hass: HomeAssistant) -> None:
    set_source_states(hass)
    entry = await load_hub(hass, full_hub_entry())
    registry = er.async_get(hass)
    entries = er.async_entries_for_config_entry(registry, entry.entry_id)
    charger = _subentry_id(entry, "charger")
    evse1 = [
        e
        for e in entries
        if e.unique_id.startswith(f"{entry.entry_id}_{charger}_") and "_evse2_" not in e.unique_id
    ]
    disabled = {e.translation_key for e in evse1 if e.disabled_by is not None}
    assert disabled == {
        "firmware",
        "ocpp_version",
        "last_heartbeat",
        "latency",
        "reconnects",
        "active_setpoint",
        "operation_mode",
    }
    # one bidirectional EVSE and its station: 32 entities, 25 of them enabled
    assert (len(evse1), len(evse1) - len(disabled)) == (32, 25)
    site = {
        e.translation_key
        for e in entries
        if e.disabled_by is not None and e.unique_id == f"{entry.entry_id}_{e.translation_key}"
    }
    assert site == {"last_solve_time", "ems_latency"}
