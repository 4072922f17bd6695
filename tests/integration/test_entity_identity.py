"""What identifies each entity is frozen: a changed unique id would orphan users' entities and history.

The snapshot holds, per platform, every entity of a hub with one asset of each kind: its unique id (with
the generated entry and subentry ids replaced by names), entity id, translation key, device class, unit
and category. A change to it is a change users see; update it (``--snapshot-update``) only on purpose,
with a migration for what was renamed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from syrupy.assertion import SnapshotAssertion

from .common import (
    BATTERY_DATA,
    BUILDING_DATA,
    GRID_METER_DATA,
    PV_DATA,
    VEHICLE_DATA,
    charger_data,
    hub_entry,
    load_hub,
    set_source_states,
    subentry,
)


def _readable(unique_id: str, names: dict[str, str]) -> str:
    for generated, name in names.items():
        unique_id = unique_id.replace(generated, name)
    return unique_id


async def test_unique_ids_and_descriptions_are_frozen(
    hass: HomeAssistant, entity_registry_enabled_by_default: None, snapshot: SnapshotAssertion
) -> None:
    """Every platform's entities, as a user's registry holds them."""
    set_source_states(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01"), "CS01"),
            subentry("charger", charger_data("WB16", evse_count=1, bidirectional=False,
                                             max_discharge_kw=0.0, ocpp_version="ocpp16"), "WB16"),
            subentry("pv", PV_DATA | {"curtailment_entity": "number.pv_limit"}, "sensor.pv_power"),
            subentry("battery", BATTERY_DATA, "sensor.battery_power"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
            subentry("grid_meter", GRID_METER_DATA, "grid_meter"),
            subentry("vehicle", VEHICLE_DATA, "pool-car"),
        ),
    )  # fmt: skip
    names = {entry.entry_id: "<hub>"} | {
        sub.subentry_id: f"<{sub.subentry_type}:{sub.title}>" for sub in entry.subentries.values()
    }
    platforms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        platforms[item.domain].append(
            {
                "unique_id": _readable(item.unique_id, names),
                "entity_id": item.entity_id,
                "translation_key": item.translation_key,
                "device_class": item.original_device_class,
                "unit": item.unit_of_measurement,
                "entity_category": item.entity_category,
            }
        )
    for domain in sorted(platforms):
        rows = sorted(platforms[domain], key=lambda row: row["unique_id"])
        assert rows == snapshot(name=domain)
    assert await hass.config_entries.async_unload(entry.entry_id)
