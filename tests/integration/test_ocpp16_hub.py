"""A household's 1.6 wallbox and a V2G charger on one hub: one server, one plan, the same controls."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from decimal import Decimal

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from ocpp.v16 import call
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from tests.csms.conftest import basic_auth
from tests.ocpp_clients import AiohttpConnection, receiving
from tests.station16 import Station16

from .common import (
    BUILDING_DATA,
    CHARGER_PASSWORD,
    car_visit,
    charger_data,
    hub_entry,
    load_hub,
    running,
    set_source_states,
    station_config,
    subentry,
    until,
)

WALLBOX = charger_data(
    "WB16",
    evse_count=1,
    bidirectional=False,
    max_discharge_kw=0.0,
    ocpp_version="ocpp16",
    name="Garage wallbox",
)


@contextlib.asynccontextmanager
async def wallbox(entry: MockConfigEntry) -> AsyncIterator[Station16]:
    """The ``ocpp`` package's 1.6 charge point, logged in to the hub."""
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{entry.data['port']}/ocpp/WB16",
            protocols=("ocpp1.6",),
            headers={"Authorization": basic_auth("WB16", CHARGER_PASSWORD)},
        )
        async with receiving(Station16("WB16", AiohttpConnection(ws)), ws) as station:
            yield station


def _subentry_id(entry: MockConfigEntry, station_id: str) -> str:
    return next(s for s in entry.subentries.values() if s.unique_id == station_id).subentry_id


def _tx_limits_kw(station: Station16) -> list[float]:
    """The limits of the transaction profiles the wallbox got, in kW (A x 3 phases x 230 V)."""
    limits = []
    for action, payload in station.received:
        profile = payload.get("cs_charging_profiles", {})
        if action == "SetChargingProfile" and profile.get("charging_profile_purpose") == "TxProfile":
            period = profile["charging_schedule"]["charging_schedule_period"][0]
            limits.append(float(Decimal(period["limit"]) * 3 * 230 / 1000))
    return limits


async def test_a_16_wallbox_and_a_v2g_charger_share_one_plan(hass: HomeAssistant) -> None:
    set_source_states(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", WALLBOX, "WB16"),
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
            site={"import_limit_kw": 30.0},
        ),
    )
    async with wallbox(entry) as old, running(station_config(entry, "CS01")) as new:
        await old.boot()
        await old.wait_for("SetChargingProfile")  # the connector's default limit
        await old.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Preparing"))
        started = await old.call(
            call.StartTransaction(
                connector_id=1, id_tag="CARD-1", meter_start=0, timestamp="2026-12-04T10:00:00Z"
            )
        )
        assert started.id_tag_info["status"] == "Accepted"
        await new.wait_connected()
        new.plug_in(car_visit(new))
        await until(lambda: bool(_tx_limits_kw(old)) and new.last_setpoint is not None, timeout_s=20)
        # 21 kW of building next to a 30 kW connection: the two cars share what is left
        wallbox_kw = _tx_limits_kw(old)[-1]
        assert wallbox_kw == 0.0 or wallbox_kw >= 6 * 3 * 230 / 1000 - 0.01  # never below the car's 6 A
        await until(
            lambda: _tx_limits_kw(old)[-1] + max(new.power_kw, 0.0) <= 30.0 - 21.0 + 0.5, timeout_s=20
        )
        profile = old.last("SetChargingProfile")["cs_charging_profiles"]
        assert profile["transaction_id"] == started.transaction_id
        assert profile["charging_schedule"]["charging_rate_unit"] == "A"
        # the same controls, and a station's refusal comes back as a translated error
        await async_setup_component(hass, "switch", {})
        prefix = f"{entry.entry_id}_{_subentry_id(entry, 'WB16')}_evse1"
        availability = er.async_get(hass).async_get_entity_id("switch", DOMAIN, f"{prefix}_availability")
        old.statuses["ChangeAvailability"] = "Rejected"
        with pytest.raises(HomeAssistantError) as refused:
            await hass.services.async_call("switch", "turn_off", {"entity_id": availability}, blocking=True)
        assert refused.value.translation_key == "station_rejected"
        assert old.last("ChangeAvailability") == {"connector_id": 1, "type": "Inoperative"}

    devices = dr.async_get(hass)
    station = next(
        d for d in dr.async_entries_for_config_entry(devices, entry.entry_id) if d.name == "Garage wallbox"
    )
    assert (station.manufacturer, station.model, station.sw_version, station.serial_number) == (
        "Wallbox Maker",
        "Home 11",
        "4.2.0",
        "SN-1234",
    )
    evse = next(
        d
        for d in dr.async_entries_for_config_entry(devices, entry.entry_id)
        if d.name == "Garage wallbox EVSE 1"
    )
    assert evse.via_device_id == station.id
    # a charge-only 1.6 connector has no discharge or ISO 15118 entities
    unique_ids = {e.unique_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)}
    prefix = f"{entry.entry_id}_{_subentry_id(entry, 'WB16')}_evse1"
    assert f"{prefix}_power" in unique_ids
    assert f"{prefix}_energy_discharged" not in unique_ids
    assert f"{prefix}_v2g_allowed" not in unique_ids


async def test_a_wallbox_set_to_16_that_offers_another_version_is_explained(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, hub_entry(subentry("charger", WALLBOX, "WB16")))
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(
                f"ws://127.0.0.1:{entry.data['port']}/ocpp/WB16",
                protocols=("ocpp2.0.1",),
                headers={"Authorization": basic_auth("WB16", CHARGER_PASSWORD)},
            )
    assert refused.value.status == 400
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"version_mismatch_{entry.entry_id}_WB16")
    assert issue is not None
    # the version is the installer's choice: changed in the charger's settings, not accepted here
    assert (issue.translation_key, issue.is_fixable) == ("declared_version_mismatch", False)
    assert issue.translation_placeholders == {"station_id": "WB16", "pinned": "1.6", "offered": "ocpp2.0.1"}


async def test_a_wallbox_that_refuses_its_setpoints_is_planned_around(hass: HomeAssistant) -> None:
    set_source_states(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", WALLBOX, "WB16"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
            site={"import_limit_kw": 30.0},
        ),
    )
    ems = entry.runtime_data.ems
    async with wallbox(entry) as old:
        old.statuses["SetChargingProfile"] = "Rejected"
        await old.boot()
        await old.call(
            call.StartTransaction(
                connector_id=1, id_tag="CARD-1", meter_start=0, timestamp="2026-12-04T10:00:00Z"
            )
        )
        await until(lambda: ems.controls["WB16:1"].not_following, timeout_s=20)
        refused = len(_tx_limits_kw(old))
        for _ in range(3):
            await ems.async_dispatch(ems.data)
        # asked again only after a while, not on every pass of the fast loop
        assert len(_tx_limits_kw(old)) == refused == 1
