"""What the plan card and the hub's dashboard get from Home Assistant: the bundle on a static path loaded
on every page, the plan with one row per EVSE, the dashboard's entity groups, and the offer after setup."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.ssch.dashboard.offer import notification_id
from custom_components.ssch.dashboard.registration import BUNDLE, URL_PATH, async_register_frontend

from .common import (
    car_visit,
    full_hub_entry,
    hub_entry,
    load_hub,
    running,
    set_source_states,
    station_config,
    until,
)


async def _plan(hass: HomeAssistant, hass_ws_client: WebSocketGenerator, entry: MockConfigEntry) -> dict:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "ssch/plan", "config_entry_id": entry.entry_id})
    answer = await client.receive_json()
    assert answer["success"], answer
    plan: dict = answer["result"]
    return plan


async def test_the_bundle_is_served_and_loaded_on_every_page(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    set_source_states(hass)
    await load_hub(hass, full_hub_entry())
    urls = [url for url in hass.data[DATA_EXTRA_MODULE_URL].urls if url.startswith(URL_PATH)]
    assert len(urls) == 1
    assert urls[0].startswith(f"{URL_PATH}?v=")  # a new bundle gets a new URL
    client = await hass_client()
    response = await client.get(urls[0])
    assert response.status == 200
    body = await response.read()
    assert body == BUNDLE.read_bytes()
    assert b"ssch-plan-card" in body
    assert b"ll-strategy-dashboard-ssch-hub" in body
    # Once per Home Assistant, however many hubs load.
    assert await async_register_frontend(hass) == urls[0]
    assert [url for url in hass.data[DATA_EXTRA_MODULE_URL].urls if url.startswith(URL_PATH)] == urls


async def test_the_plan_has_a_row_per_evse_and_the_cars_outlook(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    set_source_states(hass)
    entry = await load_hub(hass, full_hub_entry())
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        ems = entry.runtime_data.ems
        await until(lambda: bool(ems.data.snapshot.sessions) and bool(ems.data.plan.session_outcomes))
        plan = await _plan(hass, hass_ws_client, entry)
    steps = len(plan["times"])
    assert (plan["ems_mode"], plan["charger_count"], plan["currency"]) == ("automatic", 1, "EUR")
    assert plan["status"] in {"ok", "degraded"}
    assert plan["billed_peak_kw"] >= 0.0
    battery = plan["battery"]
    assert battery["capacity_kwh"] == 100.0
    assert len(battery["soc_pct"]) == steps
    assert all(0.0 <= soc <= 100.0 for soc in battery["soc_pct"])
    rows = {row["key"]: row for row in plan["evse_rows"]}
    assert set(rows) == {"CS01:1", "CS01:2"}
    (with_car,) = [row for row in rows.values() if row["car"]]
    (without_car,) = [row for row in rows.values() if not row["car"]]
    assert with_car["online"]
    assert without_car["online"]
    assert len(with_car["power_kw"]) == steps
    car = with_car["car"]
    assert car["soc_known"] is True
    assert car["soc_pct"] is not None
    assert car["capacity_kwh"] > 0
    assert 0.0 <= car["expected_soc_pct"] <= 100.0
    assert car["target_soc_pct"] > car["soc_pct"]
    assert len(car["soc_series_pct"]) == steps
    assert datetime.fromisoformat(car["departure"]) > datetime.fromisoformat(plan["start"])
    # ready when the plan reaches the target, otherwise at risk: never both
    assert (car["ready_at"] is None) == car["at_risk"]
    registry = er.async_get(hass)
    for name, domain in (("departure", "datetime"), ("target_soc", "number"), ("charge_mode", "select")):
        entity_id = with_car["entities"][name]
        assert entity_id is not None
        assert entity_id.startswith(f"{domain}.")
        assert registry.async_get(entity_id).config_entry_id == entry.entry_id


async def test_a_hub_without_chargers_says_so(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    entry = await load_hub(hass, hub_entry())
    plan = await _plan(hass, hass_ws_client, entry)
    assert (plan["charger_count"], plan["evse_rows"], plan["battery"]) == (0, [], None)
    assert plan["times"]


async def test_the_dashboard_groups_the_hubs_entities(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    set_source_states(hass)
    entry = await load_hub(hass, full_hub_entry())
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "ssch/dashboard"})
    answer = await client.receive_json()
    assert answer["success"], answer
    (hub,) = answer["result"]["hubs"]
    assert (hub["config_entry_id"], hub["hub"]) == (entry.entry_id, "Harbour hub")
    registry = er.async_get(hass)

    def keys(entity_ids: list[str]) -> list[str | None]:
        return [registry.async_get(entity_id).translation_key for entity_id in entity_ids]

    assert keys(hub["hub_entities"])[:2] == ["ems_status", "ems_mode"]
    assert {"pv_power", "battery_soc", "building_power"} <= set(keys(hub["site_entities"]))
    assert "kpi_cost_today" in keys(hub["kpi_entities"])
    assert [evse["name"] for evse in hub["evses"]] == ["Charger CS01 EVSE 1", "Charger CS01 EVSE 2"]
    for evse in hub["evses"]:
        assert evse["power"] in evse["entities"]
        assert "goal_departure" in keys(evse["entities"])
    assert all(entity_id.startswith("calendar.") for entity_id in hub["calendars"])
    assert hub["calendars"]
    await client.send_json_auto_id({"type": "ssch/dashboard", "config_entry_id": "other"})
    assert (await client.receive_json())["result"] == {"hubs": []}


async def test_the_dashboard_is_offered_once_per_hub(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, hub_entry())
    notifications = hass.data["persistent_notification"]
    offer = notifications[notification_id(entry.entry_id)]
    assert "type: custom:ssch-hub" in offer["message"]
    assert "Harbour hub" in offer["title"]
    del notifications[notification_id(entry.entry_id)]
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert notification_id(entry.entry_id) not in notifications


async def test_the_offer_speaks_the_language_of_home_assistant(hass: HomeAssistant) -> None:
    hass.config.language = "de"
    entry = await load_hub(hass, hub_entry())
    offer = hass.data["persistent_notification"][notification_id(entry.entry_id)]
    assert offer["title"] == "Ein Dashboard für Harbour hub"
    assert "type: custom:ssch-hub" in offer["message"]
    assert "**Ladeplan**" in offer["message"]
