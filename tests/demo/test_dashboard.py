"""The demo dashboard is built from the hub's registry entries with the plan card and built-in cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from demo.dashboard import STRATEGY, STRATEGY_URL_PATH, URL_PATH, build, collect

TRANSLATIONS = Path(__file__).resolve().parents[2] / "custom_components" / "ssch" / "translations"

BUILT_IN = {"entities", "history-graph", "grid", "tile", "calendar", "custom:ssch-plan-card"}


def _entity(entity_id: str, key: str | None, device: str | None = "hub", name: str = "") -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "platform": "ssch",
        "translation_key": key,
        "device_id": device,
        "original_name": name or key,
        "disabled_by": None,
    }


def _registry() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    entities = [
        _entity("sensor.hub_grid_power", "grid_power", name="Grid power"),
        _entity("sensor.hub_planned_grid_power", "next_plan"),
        _entity("select.hub_mode", "ems_mode"),
        _entity("sensor.hub_energy_cost_today", "kpi_cost_today"),
        _entity("sensor.roof_pv_power", "pv_power", "pv"),
        _entity("calendar.hub_bookings", None),
        _entity("sensor.bay_01_evse_1_power", "power", "evse1"),
        _entity("sensor.bay_01_evse_1_connector_status", "connector_status", "evse1"),
        _entity("sensor.bay_02_evse_1_power", "power", "evse2"),
        _entity("sensor.bay_02_firmware", "firmware", "station2"),
        _entity("sensor.unused", "power", "evse3") | {"disabled_by": "user"},
        _entity("sensor.other", "grid_power") | {"platform": "other"},
    ]
    devices = [
        {"id": "hub", "name": "Harbour hub"},
        {"id": "pv", "name": "Roof PV"},
        {"id": "evse1", "name": "Bay 01 EVSE 1", "name_by_user": None},
        {"id": "evse2", "name": "Bay 02 EVSE 1"},
        {"id": "station2", "name": "Bay 02"},
    ]
    return entities, devices


def test_collect_sorts_entities_into_hub_and_evses() -> None:
    found = collect(*_registry())
    assert found.single["grid_power"] == "sensor.hub_grid_power"
    assert found.single["firmware"] == "sensor.bay_02_firmware"
    assert found.calendar == "calendar.hub_bookings"
    assert dict(found.evses) == {
        "Bay 01": {
            "power": "sensor.bay_01_evse_1_power",
            "connector_status": "sensor.bay_01_evse_1_connector_status",
        },
        "Bay 02": {"power": "sensor.bay_02_evse_1_power"},
    }


def test_build_makes_an_overview_and_a_chargers_view() -> None:
    config = build(collect(*_registry()))
    overview, chargers = config["views"]
    assert overview["cards"][0] == {"type": "custom:ssch-plan-card"}
    cards = {card.get("title"): card for card in overview["cards"][1:]}
    assert set(cards) == {"Hub", "Grid power and the plan", "Chargers", "Site", "Key figures", "Bookings"}
    assert {"entity": "sensor.hub_grid_power", "name": "Grid power"} in cards["Hub"]["entities"]
    assert {"entity": "sensor.hub_planned_grid_power", "name": "Grid (planned)"} in cards[
        "Grid power and the plan"
    ]["entities"]
    assert [tile["name"] for tile in cards["Chargers"]["cards"]] == ["Bay 01", "Bay 02"]
    assert cards["Site"]["entities"] == [{"entity": "sensor.roof_pv_power", "name": "PV power"}]
    assert [card["title"] for card in chargers["cards"]] == ["Bay 01", "Bay 02"]
    types = {card["type"] for card in overview["cards"] + chargers["cards"]}
    types |= {tile["type"] for tile in cards["Chargers"]["cards"]}
    assert types <= BUILT_IN


def test_no_bookings_card_without_the_calendar() -> None:
    entities, devices = _registry()
    config = build(collect([e for e in entities if not e["entity_id"].startswith("calendar.")], devices))
    assert "Bookings" not in {card.get("title") for card in config["views"][0]["cards"]}


def test_the_demo_adds_the_strategy_dashboard_as_the_hubs_notification_says() -> None:
    """The demo saves the very configuration the notification after setup tells a user to paste."""
    for language in ("en", "nl", "de", "da"):
        words = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
        message = words["issues"]["dashboard_offer"]["description"]
        pasted = yaml.safe_load(message.split("```yaml", 1)[1].split("```", 1)[0])
        assert pasted == STRATEGY, language
    assert STRATEGY_URL_PATH != URL_PATH
