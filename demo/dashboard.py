"""The demo's dashboards: one built from the hub's entities with the plan card and built-in cards, and the
one the hub's own dashboard strategy generates (as a user adds it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from custom_components.ssch.dashboard.layout import EVSE_KEYS, KPI_KEYS
from demo.ha_ws import HomeAssistantWebsocket

URL_PATH = "charging-hub"
TITLE = "Charging hub"
PLAN_CARD = {"type": "custom:ssch-plan-card"}
STRATEGY_URL_PATH = "ssch-hub"
STRATEGY_TITLE = "Hub (generated)"
STRATEGY = {"strategy": {"type": "custom:ssch-hub"}}

HUB_KEYS = (
    "ems_status",
    "ems_mode",
    "import_limit",
    "grid_power",
    "next_plan",
    "planned_import_peak",
    "solver_backend",
    "last_solve_time",
    "ems_latency",
)
# Assets' entity names repeat their device's role ("State of charge"); the site card and chart say which.
SITE_LABELS = {
    "pv_power": "PV power",
    "pv_curtailment": "PV curtailment (planned)",
    "battery_soc": "Battery charge",
    "battery_power": "Battery power",
    "battery_setpoint": "Battery power (planned)",
    "building_power": "Office consumption",
}
CHART_LABELS = {
    "grid_power": "Grid",
    "next_plan": "Grid (planned)",
    "pv_power": "PV",
    "building_power": "Office",
    "battery_power": "Battery",
}


@dataclass(slots=True)
class HubEntities:
    """The hub's entity ids by translation key: one per key for the hub, per device for the EVSEs."""

    single: dict[str, str] = field(default_factory=dict)
    evses: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    names: dict[str, str] = field(default_factory=dict)
    calendar: str | None = None


def collect(entities: list[dict[str, Any]], devices: list[dict[str, Any]]) -> HubEntities:
    """Sort the integration's registry entries into hub-wide ones and one group per EVSE device."""
    names = {device["id"]: device.get("name_by_user") or device.get("name") or "" for device in devices}
    found = HubEntities()
    for entity in sorted(entities, key=lambda item: item["entity_id"]):
        if entity.get("platform") != "ssch" or entity.get("disabled_by"):
            continue
        key = entity.get("translation_key")
        found.names[entity["entity_id"]] = entity.get("original_name") or ""
        if entity["entity_id"].startswith("calendar."):
            found.calendar = found.calendar or entity["entity_id"]
        elif key in EVSE_KEYS:
            device = names.get(entity.get("device_id") or "", "")
            # One EVSE per demo station: the tile says "Bay 01", not "Bay 01 EVSE 1".
            found.evses[device.removesuffix(" EVSE 1")][key] = entity["entity_id"]
        elif key:
            found.single.setdefault(key, entity["entity_id"])
    return found


def _rows(found: HubEntities, source: dict[str, str], labels: dict[str, str] | tuple[str, ...]) -> list[Any]:
    """Entity rows named by ``labels`` (or by the entity's own name), without the device name."""
    named = labels if isinstance(labels, dict) else dict.fromkeys(labels, "")
    return [
        {"entity": source[key], "name": label or found.names.get(source[key]) or source[key]}
        for key, label in named.items()
        if key in source
    ]


def _entities_card(
    title: str, found: HubEntities, source: dict[str, str], labels: dict[str, str] | tuple[str, ...]
) -> dict[str, Any]:
    return {"type": "entities", "title": title, "entities": _rows(found, source, labels)}


def build(found: HubEntities) -> dict[str, Any]:
    """The dashboard: an overview view and a chargers view."""
    single = found.single
    evses = sorted(found.evses.items())
    tiles = [
        {
            "type": "tile",
            "entity": group["power"],
            "name": name,
            "icon": "mdi:ev-station",
            "vertical": False,
        }
        for name, group in evses
        if "power" in group
    ]
    overview: list[dict[str, Any]] = [
        PLAN_CARD,
        _entities_card("Hub", found, single, HUB_KEYS),
        {
            "type": "history-graph",
            "title": "Grid power and the plan",
            "hours_to_show": 1,
            "entities": _rows(found, single, CHART_LABELS),
        },
        {"type": "grid", "title": "Chargers", "columns": 2, "square": False, "cards": tiles},
        _entities_card("Site", found, single, SITE_LABELS),
        _entities_card("Key figures", found, single, KPI_KEYS),
    ]
    # A spot for bookings: the calendar card appears once the hub offers its bookings calendar.
    if found.calendar:
        overview.append(
            {
                "type": "calendar",
                "title": "Bookings",
                "initial_view": "listWeek",
                "entities": [found.calendar],
            }
        )
    chargers = [_entities_card(name, found, group, EVSE_KEYS) for name, group in evses]
    return {
        "title": TITLE,
        "views": [
            {"title": "Overview", "path": "overview", "icon": "mdi:transmission-tower", "cards": overview},
            {"title": "Chargers", "path": "chargers", "icon": "mdi:ev-station", "cards": chargers},
        ],
    }


async def create_dashboard(ws: HomeAssistantWebsocket) -> dict[str, Any]:
    """Add the dashboard to the sidebar and fill it from the registries; return its configuration."""
    entities = await ws.call("config/entity_registry/list")
    devices = await ws.call("config/device_registry/list")
    config = build(collect(entities, devices))
    await ws.call(
        "lovelace/dashboards/create",
        url_path=URL_PATH,
        title=TITLE,
        icon="mdi:ev-station",
        show_in_sidebar=True,
        require_admin=False,
        mode="storage",
    )
    await ws.call("lovelace/config/save", url_path=URL_PATH, config=config)
    return config


async def create_strategy_dashboard(ws: HomeAssistantWebsocket) -> None:
    """The dashboard the hub's strategy lays out, added as the hub's notification tells a user to."""
    await ws.call(
        "lovelace/dashboards/create",
        url_path=STRATEGY_URL_PATH,
        title=STRATEGY_TITLE,
        icon="mdi:view-dashboard-variant",
        show_in_sidebar=True,
        require_admin=False,
        mode="storage",
    )
    await ws.call("lovelace/config/save", url_path=STRATEGY_URL_PATH, config=STRATEGY)
