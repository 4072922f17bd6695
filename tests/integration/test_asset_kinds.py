"""The table of asset kinds is complete: each kind has its form, its devices, its sensors and its words."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.ssch.asset_kinds import ASSET_KINDS
from custom_components.ssch.config_flow import SschConfigFlow
from custom_components.ssch.entities.devices import asset_identifier

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

TRANSLATIONS = Path(__file__).parents[2] / "custom_components" / "ssch" / "translations" / "en.json"


def test_every_kind_has_a_form_and_its_words() -> None:
    kinds = {kind.subentry_type for kind in ASSET_KINDS}
    flows = SschConfigFlow.async_get_supported_subentry_types(None)  # type: ignore[arg-type]
    assert set(flows) == kinds
    subentry_words = json.loads(TRANSLATIONS.read_text())["config_subentries"]
    for kind in kinds:
        assert "user" in subentry_words[kind]["step"], kind


def test_kinds_with_mirrored_values_name_their_device_model() -> None:
    for kind in ASSET_KINDS:
        if kind.sensors:
            assert kind.device_model, kind.subentry_type


async def test_each_configured_asset_has_its_device(hass: HomeAssistant) -> None:
    """One asset of every kind: each has a device, so none is removed as stale."""
    set_source_states(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            subentry("pv", PV_DATA, "sensor.pv_power"),
            subentry("battery", BATTERY_DATA, "sensor.battery_power"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
            subentry("grid_meter", GRID_METER_DATA, "grid_meter"),
            subentry("vehicle", VEHICLE_DATA, "pool-car"),
        ),
    )
    config = entry.runtime_data.config
    registry = dr.async_get(hass)
    for kind in ASSET_KINDS:
        assets = kind.assets(config)
        assert len(assets) == 1, kind.subentry_type
        device = registry.async_get_device({asset_identifier(entry.entry_id, assets[0].subentry_id)})
        assert device is not None, kind.subentry_type
        if kind.device_model is not None:
            assert device.model == kind.device_model
