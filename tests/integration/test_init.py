"""Loading and unloading a hub: devices per asset, mirrored sensors, repairs and diagnostics."""

from __future__ import annotations

from pathlib import Path
import sys
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.entities.devices import asset_identifier, evse_identifier

from .common import BUILDING_DATA, CHARGER_PASSWORD, full_hub_entry, set_source_states


async def _load(hass: HomeAssistant) -> str:
    set_source_states(hass)
    entry = full_hub_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry.entry_id


def _entity_id(hass: HomeAssistant, entry_id: str, subentry_type: str, key: str) -> str:
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    sub = next(s for s in entry.subentries.values() if s.subentry_type == subentry_type)
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry_id}_{sub.subentry_id}_{key}"
    )
    assert entity_id is not None
    return entity_id


async def test_each_asset_is_a_device_with_converted_sensors(hass: HomeAssistant) -> None:
    """Every subentry gets its own device; sensors follow their sources in kW, kWh and %."""
    entry_id = await _load(hass)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    assert {d.model for d in devices} >= {
        "PV inverter",
        "Stationary battery",
        "Building",
        "Grid meter",
    }
    pv_power = _entity_id(hass, entry_id, "pv", "pv_power")
    assert float(hass.states.get(pv_power).state) == 12.5
    assert hass.states.get(pv_power).attributes["unit_of_measurement"] == "kW"
    assert float(hass.states.get(_entity_id(hass, entry_id, "building", "building_energy")).state) == 5500.0
    assert float(hass.states.get(_entity_id(hass, entry_id, "battery", "battery_soc")).state) == 55.0
    assert float(hass.states.get(_entity_id(hass, entry_id, "battery", "battery_power")).state) == -3.5

    hass.states.async_set("sensor.pv_power", "7", {"unit_of_measurement": "kW"})
    await hass.async_block_till_done()
    assert float(hass.states.get(pv_power).state) == 7.0
    for garbage in ("unavailable", "unknown", "n/a"):
        hass.states.async_set("sensor.pv_power", garbage, {"unit_of_measurement": "kW"})
        await hass.async_block_till_done()
        assert hass.states.get(pv_power).state == "unavailable"
    hass.states.async_set("sensor.pv_power", "3", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert hass.states.get(pv_power).state == "unavailable"


async def test_unload_releases_everything(hass: HomeAssistant) -> None:
    """After unload no entity of the hub is available and no listener remains."""
    entry_id = await _load(hass)
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    pv_power = _entity_id(hass, entry_id, "pv", "pv_power")
    assert await hass.config_entries.async_unload(entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(pv_power).state == "unavailable"
    hass.states.async_set("sensor.pv_power", "9", {"unit_of_measurement": "kW"})
    await hass.async_block_till_done()
    assert hass.states.get(pv_power).state == "unavailable"


async def test_removing_a_subentry_removes_its_device(hass: HomeAssistant) -> None:
    """Deleting an asset removes its device and entities; the rest of the hub stays."""
    entry_id = await _load(hass)
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    building = next(s for s in entry.subentries.values() if s.subentry_type == "building")
    power = _entity_id(hass, entry_id, "building", "building_power")
    assert hass.config_entries.async_remove_subentry(entry, building.subentry_id)
    await hass.async_block_till_done()
    registry = dr.async_get(hass)
    assert registry.async_get_device(identifiers={asset_identifier(entry_id, building.subentry_id)}) is None
    assert er.async_get(hass).async_get(power) is None
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(_entity_id(hass, entry_id, "pv", "pv_power")).state == "12.5"


async def test_adding_a_subentry_adds_its_device(hass: HomeAssistant) -> None:
    """An asset added to a loaded hub shows up with its sensors."""
    entry_id = await _load(hass)
    hass.states.async_set("sensor.hall_power", "4", {"unit_of_measurement": "kW"})
    result = await hass.config_entries.subentries.async_init(
        (entry_id, "building"), context={"source": SOURCE_USER}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], BUILDING_DATA | {"name": "Hall", "power_entity": "sensor.hall_power"}
    )
    await hass.async_block_till_done()
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    assert "Hall" in {d.name for d in devices}


async def test_stale_devices_are_removed_and_only_they_can_be_deleted(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """A device no asset claims is dropped on load; configured devices cannot be deleted by hand."""
    set_source_states(hass)
    entry = full_hub_entry()
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    charger = next(s for s in entry.subentries.values() if s.subentry_type == "charger")
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={evse_identifier(entry.entry_id, charger.subentry_id, 3)},
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(stale.id) is None

    assert await async_setup_component(hass, "config", {})
    pv = next(s for s in entry.subentries.values() if s.subentry_type == "pv")
    kept = registry.async_get_device(identifiers={asset_identifier(entry.entry_id, pv.subentry_id)})
    assert kept is not None
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": kept.id,
        }
    )
    response = await client.receive_json()
    assert not response["success"]
    orphan = registry.async_get_or_create(config_entry_id=entry.entry_id, identifiers={(DOMAIN, "gone")})
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": orphan.id,
        }
    )
    response = await client.receive_json()
    assert response["success"]


async def test_missing_engines_raise_and_clear_the_repair(hass: HomeAssistant) -> None:
    """With no engine the hub still loads and a repair issue says why; it clears once one is back."""
    with patch(
        "custom_components.ssch.ems.solver_support.engines_import_error",
        return_value="cvxpy: No module named 'cvxpy'; built-in: No module named 'piqp'",
    ):
        entry_id = await _load(hass)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "solver_unavailable")
    assert issue is not None
    assert issue.translation_placeholders == {
        "error": "cvxpy: No module named 'cvxpy'; built-in: No module named 'piqp'"
    }
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, "solver_unavailable") is None


_ENGINE_MODULES = tuple(
    f"custom_components.ssch.core.{m}" for m in ("qp_problem", "engine_cvxpy", "engine_builtin")
)


def _blocked(*packages: str) -> dict[str, None]:
    """sys.modules entries that make ``packages`` unimportable."""
    return dict.fromkeys(packages)


def _forget_engines() -> None:
    """Engines imported before must be imported again to see what is blocked."""
    for module in _ENGINE_MODULES:
        sys.modules.pop(module, None)


def test_engines_import_error_needs_both_engines_missing(caplog: pytest.LogCaptureFixture) -> None:
    """One engine is enough; the repair's text names why each engine failed."""
    from custom_components.ssch.ems.solver_support import engines_import_error

    assert engines_import_error("auto") is None
    with patch.dict("sys.modules", _blocked("cvxpy")):
        _forget_engines()
        assert engines_import_error("auto") is None
        assert "cannot run here" not in caplog.text
        assert engines_import_error("cvxpy") is None
        assert "The cvxpy engine cannot run here" in caplog.text
    with patch.dict("sys.modules", _blocked("cvxpy", "piqp")):
        _forget_engines()
        error = engines_import_error("built-in") or ""
        assert error.startswith("built-in: ")
        assert "piqp" in error
        assert "cvxpy: " in error


async def test_diagnostics_redact_credentials(hass: HomeAssistant) -> None:
    """Diagnostics carry the configuration but never a password or its hash."""
    from custom_components.ssch.diagnostics import async_get_config_entry_diagnostics

    entry_id = await _load(hass)
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = repr(diagnostics)
    charger = next(s for s in entry.subentries.values() if s.subentry_type == "charger")
    assert charger.data["password_hash"] not in text
    assert CHARGER_PASSWORD not in text
    assert diagnostics["config"]["chargers"][0]["password_hash"] == "**REDACTED**"
    assert diagnostics["config"]["import_limit_kw"] == 150.0
    assert diagnostics["stations"]["CS01"]["connected"] is False
    assert diagnostics["pending_stations"] == []
    assert diagnostics["ems"]["mode"] == "automatic"
    assert len(diagnostics["ems"]["plan"]["grid_import_kw"]) == diagnostics["ems"]["snapshot"]["steps"] == 96
    assert {e["evse_id"] for e in diagnostics["ems"]["snapshot"]["evses"]} == {"CS01:1", "CS01:2"}


async def test_solar_forecast_for_the_energy_dashboard(hass: HomeAssistant) -> None:
    """The energy platform offers the plan's PV forecast in Wh per step; other entries get nothing."""
    from custom_components.ssch.energy import async_get_solar_forecast

    entry_id = await _load(hass)
    forecast = await async_get_solar_forecast(hass, entry_id)
    assert forecast is not None
    assert len(forecast["wh_hours"]) == 96
    assert all(value >= 0 for value in forecast["wh_hours"].values())
    assert await async_get_solar_forecast(hass, "unknown") is None
    assert await hass.config_entries.async_unload(entry_id)
    assert await async_get_solar_forecast(hass, entry_id) is None


async def test_planner_outlives_reloads_and_goes_with_the_entry(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Reloading keeps the compiled planner; deleting the hub drops it and the hub's stored files."""
    entry_id = await _load(hass)
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    planner = entry.runtime_data.ems.planner
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.ems.planner is planner
    await hass.services.async_call(DOMAIN, "add_charging_card", {"id_token": "CARD1"}, blocking=True)
    await entry.runtime_data.server.save()
    assert {f"ssch.{entry_id}.stations", f"ssch.{entry_id}.cards"} <= set(hass_storage)
    assert await hass.config_entries.async_remove(entry_id)
    assert entry_id not in hass.data.get(DOMAIN, {})
    assert not {key for key in hass_storage if entry_id in key}
    journal = await hass.async_add_executor_job(
        lambda: list(Path(hass.config.path(".storage")).glob("ssch.*"))
    )
    assert journal == []


async def test_chargers_added_in_quick_succession_are_all_loaded(hass: HomeAssistant) -> None:
    """Adding chargers faster than the hub reloads loses none of them."""
    entry_id = await _load(hass)
    for number in range(2, 7):
        result = await hass.config_entries.subentries.async_init(
            (entry_id, "charger"), context={"source": SOURCE_USER}
        )
        await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {
                "name": f"Bay {number}",
                "station_id": f"CS0{number}",
                "password": CHARGER_PASSWORD,
                "evse_count": 1,
                "max_charge_kw": 11.0,
                "bidirectional": False,
                "max_discharge_kw": 0.0,
            },
        )
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    assert entry.state is ConfigEntryState.LOADED
    assert {c.station_id for c in entry.runtime_data.config.chargers} == {f"CS0{n}" for n in range(1, 7)}
