"""Station management actions end to end: Home Assistant -> the hub's OCPP server -> the ``ocpp``
package's charge points (2.1, 2.0.1, 1.6) over real websockets, and each refusal a version makes."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.clock import format_timestamp, utc_now
from custom_components.ssch.csms.errors import CallTimeout, InvalidRequest
from custom_components.ssch.entities.devices import asset_identifier, evse_identifier, site_identifier
from custom_components.ssch.service_targets import device_entry_ids
from custom_components.ssch.stations.commands import async_run_command
from tests.csms.conftest import Station21, Station201, basic_auth
from tests.ocpp_clients import AiohttpConnection, receiving
from tests.station16 import Station16

from .common import CHARGER_PASSWORD, charger_data, hub_entry, load_hub, subentry, until

PLAIN = {"bidirectional": False, "max_discharge_kw": 0.0, "evse_count": 1}


@pytest.fixture
async def entry(hass: HomeAssistant) -> MockConfigEntry:
    """A hub with a 2.1, a 2.0.1 and a 1.6 charger."""
    return await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS21", evse_count=1), "CS21"),
            subentry("charger", charger_data("CS201", **PLAIN), "CS201"),
            subentry("charger", charger_data("WB16", ocpp_version="ocpp16", **PLAIN), "WB16"),
        ),
    )


@contextlib.asynccontextmanager
async def station(
    hass: HomeAssistant, entry: MockConfigEntry, station_id: str, version: str
) -> AsyncIterator[Any]:
    """The ``ocpp`` package's charge point of ``version``, connected to the hub."""
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{entry.data['port']}/ocpp/{station_id}",
            protocols=(f"ocpp{version}",),
            headers={"Authorization": basic_auth(station_id, CHARGER_PASSWORD)},
        )
        if version == "1.6":
            client: Any = Station16(station_id, AiohttpConnection(ws))
        else:
            client = (Station21 if version == "2.1" else Station201)(
                station_id, AiohttpConnection(ws), response_timeout=3
            )
            client.received, client.statuses = [], {}
        async with receiving(client, ws):
            server = entry.runtime_data.server
            await until(lambda: server.session(station_id) is not None)
            yield client


def _subentry_id(entry: MockConfigEntry, station_id: str) -> str:
    return next(s for s in entry.subentries.values() if s.unique_id == station_id).subentry_id


def device(hass: HomeAssistant, entry: MockConfigEntry, station_id: str, evse: int | None = None) -> str:
    """The device id of a station, or of one of its EVSEs."""
    sub = _subentry_id(entry, station_id)
    identifier = (
        asset_identifier(entry.entry_id, sub) if evse is None else evse_identifier(entry.entry_id, sub, evse)
    )
    found = dr.async_get(hass).async_get_device(identifiers={identifier})
    assert found is not None
    return found.id


def last(client: Any, action: str) -> dict[str, Any]:
    """What the station last received for ``action``."""
    return [payload for name, payload in client.received if name == action][-1]


async def act(hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = False) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=response)


async def refused(hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = False) -> str:
    """The translation key of the error an action raises."""
    with pytest.raises(HomeAssistantError) as error:
        await act(hass, service, data, response)
    assert error.value.translation_key is not None
    return error.value.translation_key


@pytest.mark.parametrize(("station_id", "version"), [("CS21", "2.1"), ("CS201", "2.0.1")])
async def test_actions_on_a_2x_station(
    hass: HomeAssistant, entry: MockConfigEntry, station_id: str, version: str
) -> None:
    async with station(hass, entry, station_id, version) as client:
        station_device, evse_device = device(hass, entry, station_id), device(hass, entry, station_id, 1)

        values = await act(
            hass,
            "get_station_variables",
            {"device_id": evse_device, "variables": ["V2XChargingCtrlr.Enabled", "Connector[1].Available"]},
            response=True,
        )
        assert values["values"] == {"V2XChargingCtrlr.Enabled": "true", "Connector[1].Available": "true"}
        assert last(client, "GetVariables")["get_variable_data"][1] == {
            "component": {"name": "Connector", "instance": "1", "evse": {"id": 1}},
            "variable": {"name": "Available"},
        }
        written = await act(
            hass,
            "set_station_variables",
            {
                "device_id": station_device,
                "values": {"OCPPCommCtrlr.HeartbeatInterval": 60, "X.On": True, "X.Rate": 7.0},
            },
            response=True,
        )
        assert written == {
            "statuses": {
                "OCPPCommCtrlr.HeartbeatInterval": "Accepted",
                "X.On": "Accepted",
                "X.Rate": "Accepted",
            },
            "reboot_required": False,
        }
        sent = last(client, "SetVariables")["set_variable_data"]
        assert [item["attribute_value"] for item in sent] == ["60", "true", "7"]
        client.statuses["SetVariables"] = "Rejected"
        data = {"device_id": station_device, "values": {"X.Y": "1"}}
        assert await refused(hass, "set_station_variables", data) == "variables_refused"
        bad = {"device_id": station_device, "variables": ["no-dot"]}
        assert await refused(hass, "get_station_variables", bad, response=True) == "invalid_variable_name"
        # the 1.6 actions are refused in the station's own version
        key = await refused(hass, "get_station_configuration", {"device_id": station_device}, response=True)
        assert key == "not_supported_by_version"
        data = {"device_id": station_device, "key": "K", "value": "1"}
        assert await refused(hass, "change_station_configuration", data) == "not_supported_by_version"

        await act(
            hass, "trigger_station_message", {"device_id": evse_device, "message": "status_notification"}
        )
        assert last(client, "TriggerMessage") == {
            "requested_message": "StatusNotification",
            "evse": {"id": 1},
        }

        started = await act(hass, "start_charging", {"device_id": evse_device, "id_token": "CARD-7"}, True)
        assert started == {"transaction_id": "remote-1"}
        assert last(client, "RequestStartTransaction")["id_token"] == {
            "id_token": "CARD-7",
            "type": "Central",
        }
        assert await refused(hass, "stop_charging", {"device_id": evse_device}) == "no_transaction"
        await client.call(
            call201.TransactionEvent(
                event_type="Started",
                seq_no=0,
                timestamp=format_timestamp(utc_now()),
                transaction_info={"transactionId": "tx-5"},
                trigger_reason="RemoteStart",
                evse={"id": 1, "connectorId": 1},
            ),
            suppress=False,
        )
        await act(hass, "stop_charging", {"device_id": evse_device})
        assert last(client, "RequestStopTransaction") == {"transaction_id": "tx-5"}

        await act(
            hass,
            "update_station_firmware",
            {
                "device_id": station_device,
                "location": "https://fw.example/v2.bin",
                "retrieve_at": datetime(2026, 12, 5, 2, 0, tzinfo=UTC),
                "retries": 2,
                "retry_interval": {"minutes": 5},
            },
        )
        request = last(client, "UpdateFirmware")
        assert request["firmware"]["retrieve_date_time"] == "2026-12-05T02:00:00.000Z"
        assert (request["retries"], request["retry_interval"]) == (2, 300)
        firmware = firmware_sensor(hass, entry, station_id)
        assert hass.states.get(firmware).state == "unknown"
        await client.call(
            call201.FirmwareStatusNotification(status="Downloading", request_id=request["request_id"]),
            suppress=False,
        )
        await until(lambda: hass.states.get(firmware).state == "downloading")

        uploaded = await act(
            hass,
            "upload_station_logs",
            {
                "device_id": station_device,
                "location": "ftp://logs.example/",
                "log_type": "security",
                "since": datetime(2026, 12, 1, tzinfo=UTC),
                "until": datetime(2026, 12, 2, tzinfo=UTC),
            },
            response=True,
        )
        assert uploaded == {"filename": "log-1.zip"}
        assert last(client, "GetLog")["log_type"] == "SecurityLog"
        assert last(client, "GetLog")["log"]["latest_timestamp"] == "2026-12-02T00:00:00.000Z"

        answer = await act(
            hass,
            "station_data_transfer",
            {"device_id": station_device, "vendor_id": "com.example", "data": {"a": 1}},
            response=True,
        )
        assert answer == {"data": {"echo": {"a": 1}}}
        client.statuses["DataTransfer"] = "UnknownVendorId"
        data = {"device_id": station_device, "vendor_id": "com.other"}
        assert await refused(hass, "station_data_transfer", data) == "station_rejected"

        cleared = await act(
            hass,
            "clear_charging_profiles",
            {"device_id": evse_device, "purpose": "tx_default_profile", "stack_level": 0},
            response=True,
        )
        assert cleared == {"cleared": True}
        assert last(client, "ClearChargingProfile") == {
            "charging_profile_criteria": {
                "evse_id": 1,
                "charging_profile_purpose": "TxDefaultProfile",
                "stack_level": 0,
            }
        }


async def test_actions_on_a_16_station(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    async with station(hass, entry, "WB16", "1.6") as client:
        await client.boot()
        station_device, evse_device = device(hass, entry, "WB16"), device(hass, entry, "WB16", 1)

        values = await act(
            hass,
            "get_station_configuration",
            {"device_id": station_device, "keys": ["MeterValueSampleInterval", "Nope"]},
            response=True,
        )
        assert values == {"values": {"MeterValueSampleInterval": "300", "Nope": None}}
        changed = await act(
            hass,
            "change_station_configuration",
            {"device_id": station_device, "key": "MeterValueSampleInterval", "value": 60},
            response=True,
        )
        assert changed == {"reboot_required": False}
        assert client.configuration["MeterValueSampleInterval"] == "60"
        client.statuses["ChangeConfiguration"] = "NotSupported"
        data = {"device_id": station_device, "key": "Other", "value": "x"}
        assert await refused(hass, "change_station_configuration", data) == "station_rejected"

        # the 2.x actions and messages are refused in 1.6
        data = {"device_id": station_device, "variables": ["OCPPCommCtrlr.HeartbeatInterval"]}
        assert await refused(hass, "get_station_variables", data, response=True) == "not_supported_by_version"
        data = {"device_id": station_device, "values": {"A.B": "1"}}
        assert await refused(hass, "set_station_variables", data) == "not_supported_by_version"
        data = {"device_id": evse_device, "message": "transaction_event"}
        assert await refused(hass, "trigger_station_message", data) == "not_supported_by_version"
        await act(
            hass,
            "trigger_station_message",
            {"device_id": station_device, "message": "log_status_notification"},
        )
        assert client.last("TriggerMessage") == {"requested_message": "DiagnosticsStatusNotification"}

        await act(
            hass, "update_station_firmware", {"device_id": evse_device, "location": "ftp://fw.example/a.bin"}
        )
        assert client.last("UpdateFirmware")["location"] == "ftp://fw.example/a.bin"
        await client.call(call16.FirmwareStatusNotification(status="Installed"))
        await until(lambda: hass.states.get(firmware_sensor(hass, entry, "WB16")).state == "installed")
        uploaded = await act(
            hass,
            "upload_station_logs",
            {"device_id": station_device, "location": "ftp://logs.example/"},
            True,
        )
        assert uploaded == {"filename": "diagnostics-1.zip"}
        answer = await act(
            hass,
            "station_data_transfer",
            {"device_id": station_device, "vendor_id": "com.example", "message_id": "m", "data": {"a": 1}},
            response=True,
        )
        assert answer == {"data": '{"a":1}'}
        started = await act(hass, "start_charging", {"device_id": evse_device}, response=True)
        assert started == {"transaction_id": None}
        assert client.last("RemoteStartTransaction") == {"connector_id": 1, "id_tag": "ssch-hub"}
        cleared = await act(hass, "clear_charging_profiles", {"device_id": station_device}, response=True)
        assert cleared == {"cleared": True}
        assert client.last("ClearChargingProfile") == {}


async def test_targets_and_offline_stations(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    site = dr.async_get(hass).async_get_device(identifiers={site_identifier(entry.entry_id)})
    assert site is not None
    data = {"device_id": site.id, "message": "heartbeat"}
    assert await refused(hass, "trigger_station_message", data) == "unknown_station_device"
    data = {"device_id": "nope", "message": "heartbeat"}
    assert await refused(hass, "trigger_station_message", data) == "unknown_station_device"
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(config_entry_id=other.entry_id, identifiers={("x", "y")})
    data = {"device_id": foreign.id, "message": "heartbeat"}
    assert await refused(hass, "trigger_station_message", data) == "unknown_station_device"
    # start and stop need an EVSE, not the station
    assert await refused(hass, "stop_charging", {"device_id": device(hass, entry, "CS21")}) == "unknown_evse"
    data = {"device_id": device(hass, entry, "CS21"), "location": "https://fw.example/a.bin"}
    assert await refused(hass, "update_station_firmware", data) == "station_offline"
    with pytest.raises(vol.Invalid):
        await act(hass, "update_station_firmware", {"device_id": "x", "location": "not a url"})


def firmware_sensor(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> str:
    unique_id = f"{entry.entry_id}_{_subentry_id(entry, station_id)}_firmware_status"
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None
    return entity_id


def test_a_device_of_one_config_entry() -> None:
    """From Home Assistant 2026.8 a device names its one config entry; the set is read only before."""
    assert device_entry_ids(cast(dr.DeviceEntry, SimpleNamespace(config_entry_id="e1"))) == {"e1"}
    assert device_entry_ids(cast(dr.DeviceEntry, SimpleNamespace(config_entry_id=None))) == set()
    older = SimpleNamespace(config_entries={"e1", "e2"})
    assert device_entry_ids(cast(dr.DeviceEntry, older)) == {"e1", "e2"}


async def test_timeouts_and_other_failures_are_translated() -> None:
    async def failing(error: Exception) -> None:
        raise error

    for error, key in (
        (CallTimeout("Reset", 1.0), "station_timeout"),
        (InvalidRequest("Reset for OCPP 2.1: bad"), "command_failed"),
    ):
        with pytest.raises(HomeAssistantError) as raised:
            await async_run_command("CS21", "Reset", failing(error))
        assert raised.value.translation_key == key
