"""What the hub's dashboard shows, sorted from the entity registry: the strategy in the browser lays it out.

Sorting happens here, where each entity's unique id says which asset and EVSE it belongs to; the
browser only turns the groups into cards with titles in the user's language.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.ssch.entities.devices import evse_unique_prefix
from custom_components.ssch.runtime import SschConfigEntry

HUB_KEYS = (
    "ems_status",
    "ems_mode",
    "import_limit",
    "grid_power",
    "next_plan",
    "planned_import_peak",
    "solver_backend",
)
KPI_KEYS = (
    "kpi_cost_today",
    "kpi_savings_today",
    "kpi_peak_reduction",
    "kpi_pv_self_consumption",
    "kpi_self_sufficiency",
    "kpi_sessions_met",
    "kpi_unmet_energy",
    "kpi_charger_uptime",
    "vpp_capacity_up",
    "vpp_capacity_down",
)
SITE_KEYS = (
    "pv_power",
    "pv_curtailment",
    "battery_soc",
    "battery_power",
    "battery_setpoint",
    "building_power",
)
EVSE_KEYS = (
    "connector_status",
    "charging_state",
    "power",
    "ev_soc",
    "session_energy",
    "target_status",
    "goal_charge_mode",
    "goal_departure",
    "goal_target_soc",
)


def _ordered(found: dict[str, list[str]], keys: tuple[str, ...]) -> list[str]:
    return [entity_id for key in keys for entity_id in found.get(key, [])]


def hub_layout(hass: HomeAssistant, entry: SschConfigEntry) -> dict[str, Any]:
    """The hub's entities by group: hub, site, key figures, one group per EVSE, the bookings calendar."""
    registry = er.async_get(hass)
    visible = [
        e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.disabled_by is None and e.hidden_by is None
    ]
    evse_prefixes = {
        evse_unique_prefix(entry.entry_id, charger.subentry_id, evse_id) + "_": (
            charger.name if charger.evse_count == 1 else f"{charger.name} EVSE {evse_id}"
        )
        for charger in entry.runtime_data.config.chargers
        for evse_id in range(1, charger.evse_count + 1)
    }
    single: dict[str, list[str]] = {}
    evses: dict[str, dict[str, list[str]]] = {name: {} for name in evse_prefixes.values()}
    calendars: list[str] = []
    for entity in sorted(visible, key=lambda e: e.entity_id):
        if entity.domain == "calendar":
            calendars.append(entity.entity_id)
            continue
        key = entity.translation_key or ""
        evse = next((name for p, name in evse_prefixes.items() if entity.unique_id.startswith(p)), None)
        group = evses[evse] if evse is not None else single
        group.setdefault(key, []).append(entity.entity_id)
    return {
        "config_entry_id": entry.entry_id,
        "hub": entry.title,
        "hub_entities": _ordered(single, HUB_KEYS),
        "site_entities": _ordered(single, SITE_KEYS),
        "kpi_entities": _ordered(single, KPI_KEYS),
        "evses": [
            {
                "name": name,
                "power": next(iter(group.get("power", [])), None),
                "entities": _ordered(group, EVSE_KEYS),
            }
            for name, group in evses.items()
        ],
        "calendars": calendars,
    }
