"""Asset subentry flows: add and reconfigure chargers, PV, batteries, buildings and the grid meter."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.ssch.csms.auth import verify_password
from custom_components.ssch.hub_config import HubConfig

from .common import (
    BATTERY_DATA,
    BUILDING_DATA,
    CHARGER_PASSWORD,
    GRID_METER_DATA,
    PV_DATA,
    charger_data,
    hub_entry,
    set_source_states,
    subentry,
)

CHARGER_INPUT = {
    "name": "Bay 1",
    "station_id": "CS-BAY.1",
    "password": "a-long-enough-secret",
    "evse_count": 2,
    "max_charge_kw": 22.0,
    "bidirectional": True,
    "max_discharge_kw": 11.0,
}


@pytest.fixture(autouse=True)
def _sources(hass: HomeAssistant) -> None:
    set_source_states(hass)


async def _add(hass: HomeAssistant, entry_id: str, subentry_type: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, subentry_type), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


async def _reconfigure(hass: HomeAssistant, entry_id: str, sub: ConfigSubentry) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, sub.subentry_type),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": sub.subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return result


def _only(hass: HomeAssistant, entry_id: str, subentry_type: str) -> ConfigSubentry:
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    subs = [s for s in entry.subentries.values() if s.subentry_type == subentry_type]
    assert len(subs) == 1
    return subs[0]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"station_id": "CS 01/x"}, {"station_id": "invalid_station_id"}),
        ({"station_id": "CS01"}, {"station_id": "station_id_taken"}),
        ({"password": "short"}, {"password": "invalid_password"}),
        ({"bidirectional": False}, {"max_discharge_kw": "discharge_needs_bidirectional"}),
        ({"max_discharge_kw": 0.0}, {"max_discharge_kw": "discharge_power_required"}),
        ({"ocpp_version": "ocpp16"}, {"bidirectional": "v2g_needs_ocpp21"}),
        ({"ocpp_version": "ocpp201"}, {"bidirectional": "v2g_needs_ocpp21"}),
    ],
)
async def test_add_charger_errors_recover(
    hass: HomeAssistant, change: dict[str, Any], errors: dict[str, str]
) -> None:
    """Every charger error is shown, and corrected input adds the charger with a hashed password."""
    entry = hub_entry(subentry("charger", charger_data("CS01"), "CS01"))
    entry.add_to_hass(hass)
    result = await _add(hass, entry.entry_id, "charger")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CHARGER_INPUT | change)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CHARGER_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = next(s for s in entry.subentries.values() if s.unique_id == "CS-BAY.1")
    assert added.title == "Bay 1"
    assert "password" not in added.data
    assert verify_password("a-long-enough-secret", added.data["password_hash"])


async def test_a_16_wallbox_is_added_with_its_version_and_voltage(hass: HomeAssistant) -> None:
    """A charge-only 1.6 wallbox: the server pins its version and converts kW with its voltage."""
    entry = hub_entry()
    entry.add_to_hass(hass)
    result = await _add(hass, entry.entry_id, "charger")
    wallbox = CHARGER_INPUT | {
        "bidirectional": False,
        "max_discharge_kw": 0.0,
        "ocpp_version": "ocpp16",
        "nominal_voltage_v": 220.0,
    }
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], wallbox)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    config = HubConfig.from_entry(entry).chargers[0]
    assert (config.ocpp_version, config.nominal_voltage_v) == ("1.6", 220.0)
    # chargers added before the option existed keep the automatic choice and 230 V
    older = HubConfig.from_entry(hub_entry(subentry("charger", charger_data("CS01"), "CS01"))).chargers[0]
    assert (older.ocpp_version, older.nominal_voltage_v) == (None, 230.0)


async def test_reconfigure_charger_keeps_or_replaces_password(hass: HomeAssistant) -> None:
    """The stored hash is never shown; a blank password keeps it, a new one replaces it."""
    entry = hub_entry(
        subentry("charger", charger_data("CS01"), "CS01"),
        subentry("charger", charger_data("CS02"), "CS02"),
    )
    entry.add_to_hass(hass)
    sub = next(s for s in entry.subentries.values() if s.unique_id == "CS01")
    old_hash = sub.data["password_hash"]
    result = await _reconfigure(hass, entry.entry_id, sub)
    shown = {str(key): key.description for key in result["data_schema"].schema}
    assert "password_hash" not in shown
    assert all("suggested_value" not in (d or {}) for k, d in shown.items() if k == "password")

    edited = {k: v for k, v in CHARGER_INPUT.items() if k != "password"} | {"station_id": "CS02"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], edited)
    assert result["errors"] == {"station_id": "station_id_taken"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], edited | {"password": "x"}
    )
    assert result["errors"] == {"password": "invalid_password"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], edited | {"station_id": "CS01"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    sub = entry.subentries[sub.subentry_id]
    assert sub.data["password_hash"] == old_hash
    assert sub.data["max_charge_kw"] == 22.0
    assert verify_password(CHARGER_PASSWORD, sub.data["password_hash"])

    result = await _reconfigure(hass, entry.entry_id, sub)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], edited | {"station_id": "CS01", "password": "another-secret-value"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert verify_password("another-secret-value", entry.subentries[sub.subentry_id].data["password_hash"])


@pytest.mark.parametrize(
    ("subentry_type", "valid", "bad", "errors"),
    [
        ("pv", PV_DATA, {"power_entity": "sensor.pv_energy"}, {"power_entity": "wrong_unit_power"}),
        (
            "pv",
            PV_DATA,
            {"energy_entity": "sensor.pv_power"},
            {"energy_entity": "wrong_unit_energy"},
        ),
        (
            "pv",
            PV_DATA,
            {"forecast_entity": "sensor.nowhere"},
            {"forecast_entity": "entity_not_found"},
        ),
        (
            "pv",
            PV_DATA | {"forecast_entity": "sensor.pv_forecast", "curtailment_entity": "number.pv_limit"},
            {"curtailment_entity": "number.missing"},
            {"curtailment_entity": "entity_not_found"},
        ),
        (
            "battery",
            BATTERY_DATA,
            {"soc_entity": "sensor.battery_power"},
            {"soc_entity": "wrong_unit_percent"},
        ),
        (
            "battery",
            BATTERY_DATA,
            {"soc_min": 90.0, "soc_max": 20.0},
            {"soc_max": "soc_range_invalid"},
        ),
        (
            "building",
            BUILDING_DATA,
            {"power_entity": "sensor.temperature"},
            {"power_entity": "wrong_unit_power"},
        ),
        (
            "grid_meter",
            GRID_METER_DATA | {"export_power_entity": "sensor.grid_export"},
            {"import_power_entity": "sensor.gone"},
            {"import_power_entity": "entity_not_found"},
        ),
    ],
)
async def test_add_asset_errors_recover(
    hass: HomeAssistant,
    subentry_type: str,
    valid: dict[str, Any],
    bad: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Mapped entities must exist and measure the right thing; then the asset is added."""
    entry = hub_entry()
    entry.add_to_hass(hass)
    result = await _add(hass, entry.entry_id, subentry_type)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], valid | bad)
    assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], valid)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = _only(hass, entry.entry_id, subentry_type)
    assert added.title == valid["name"]
    assert dict(added.data) == valid


async def test_same_asset_twice_is_refused(hass: HomeAssistant) -> None:
    """Two PV devices on one power sensor would count the same power twice."""
    entry = hub_entry(subentry("pv", PV_DATA, "sensor.pv_power"))
    entry.add_to_hass(hass)
    result = await _add(hass, entry.entry_id, "pv")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], PV_DATA | {"name": "Again"}
    )
    assert result["errors"] == {"base": "already_configured"}
    other = PV_DATA | {
        "name": "Carport PV",
        "power_entity": "sensor.pv_forecast",
        "energy_entity": "sensor.pv_energy",
    }
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], other)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_single_grid_meter(hass: HomeAssistant) -> None:
    """A hub has one grid connection: a second meter is refused before any question."""
    entry = hub_entry(subentry("grid_meter", GRID_METER_DATA, "grid_meter"))
    entry.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "grid_meter"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "grid_meter_exists"


@pytest.mark.parametrize(
    ("subentry_type", "data", "unique_id", "edit", "bad", "errors"),
    [
        (
            "battery",
            BATTERY_DATA,
            "sensor.battery_power",
            {"capacity_kwh": 80.0},
            {"control_entity": "number.gone"},
            {"control_entity": "entity_not_found"},
        ),
        (
            "building",
            BUILDING_DATA,
            "sensor.office_power",
            {"flexible": True},
            {"energy_entity": "sensor.office_power"},
            {"energy_entity": "wrong_unit_energy"},
        ),
        (
            "grid_meter",
            GRID_METER_DATA,
            "grid_meter",
            {"export_power_entity": "sensor.grid_export"},
            {"export_power_entity": "sensor.battery_soc"},
            {"export_power_entity": "wrong_unit_power"},
        ),
        (
            "pv",
            PV_DATA,
            "sensor.pv_power",
            {"peak_kwp": 75.0},
            {"power_entity": "sensor.office_power"},
            {"base": "already_configured"},
        ),
    ],
)
async def test_reconfigure_asset(
    hass: HomeAssistant,
    subentry_type: str,
    data: dict[str, Any],
    unique_id: str,
    edit: dict[str, Any],
    bad: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Reconfigure shows the stored values, refuses errors and stores the change."""
    entry = hub_entry(
        subentry(subentry_type, data, unique_id),
        subentry(
            "pv",
            PV_DATA | {"name": "Office PV", "power_entity": "sensor.office_power"},
            "sensor.office_power",
        ),
    )
    entry.add_to_hass(hass)
    sub = next(s for s in entry.subentries.values() if s.unique_id == unique_id)
    result = await _reconfigure(hass, entry.entry_id, sub)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data | bad)
    assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data | edit)
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.subentries[sub.subentry_id].data) == data | edit


VEHICLE_INPUT = {
    "name": "Kona",
    "capacity_kwh": 64.0,
    "consumption_kwh_per_100km": 16.0,
    "id_token": " 04:a2:2b:1c ",
}


async def test_add_vehicle_checks_its_identity(hass: HomeAssistant) -> None:
    """A car's idToken is bounded in length and unique in the hub (case and separators aside)."""
    entry = hub_entry(
        subentry(
            "vehicle",
            {"name": "Zoe", "capacity_kwh": 52.0, "consumption_kwh_per_100km": 17.0, "id_token": "04A22B1C"},
            "04A22B1C",
        )
    )
    entry.add_to_hass(hass)
    result = await _add(hass, entry.entry_id, "vehicle")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], VEHICLE_INPUT | {"id_token": "X" * 37}
    )
    assert result["errors"] == {"id_token": "invalid_id_token"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], VEHICLE_INPUT)
    assert result["errors"] == {"id_token": "id_token_taken"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], VEHICLE_INPUT | {"id_token": "EVCC-00:11:22"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = next(s for s in entry.subentries.values() if s.title == "Kona")
    assert added.unique_id == "EVCC001122"
    assert dict(added.data) == VEHICLE_INPUT | {"id_token": "EVCC-00:11:22"}


async def test_vehicles_without_identity_and_reconfigure(hass: HomeAssistant) -> None:
    """Cars without an idToken can be added side by side; reconfiguring can drop or change the token."""
    entry = hub_entry()
    entry.add_to_hass(hass)
    for name in ("Pool car 1", "Pool car 2"):
        result = await _add(hass, entry.entry_id, "vehicle")
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], VEHICLE_INPUT | {"name": name, "id_token": "  "}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
    subs = [s for s in entry.subentries.values() if s.subentry_type == "vehicle"]
    assert [s.unique_id for s in subs] == [None, None]
    assert all("id_token" not in s.data for s in subs)

    result = await _reconfigure(hass, entry.entry_id, subs[0])
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], VEHICLE_INPUT | {"name": "Pool car 1", "capacity_kwh": 77.0}
    )
    assert result["reason"] == "reconfigure_successful"
    changed = entry.subentries[subs[0].subentry_id]
    assert changed.data["capacity_kwh"] == 77.0
    assert changed.unique_id == "04A22B1C"
    assert changed.data["id_token"] == "04:a2:2b:1c"
