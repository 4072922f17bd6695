"""Station management commands (firmware, logs, data transfer, clearing profiles, triggers) in the
words of each OCPP version, against the ``ocpp`` package's charge points over real websockets."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201
import pytest

from custom_components.ssch.csms.dialect import FirmwareUpdate, LogUpload, ProfileFilter
from custom_components.ssch.csms.errors import CommandRejected, NotSupportedByVersion
from custom_components.ssch.csms.events import FirmwareStatusChanged
from custom_components.ssch.csms.registry import StationConfig

from .common import start_transaction
from .conftest import PASSWORD_HASH, PLAIN, V2G, Hub, HubFactory, ocpp_station

RETRIEVE = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
SINCE = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
async def hub3(make_hub: HubFactory) -> Hub:
    return await make_hub({"CS16": StationConfig(PASSWORD_HASH, evse_count=2), "CS21": V2G, "CS201": PLAIN})


@pytest.mark.parametrize(("station_id", "version"), [("CS21", "2.1"), ("CS201", "2.0.1")])
async def test_firmware_logs_and_data_on_2x(
    hub3: Hub, http: aiohttp.ClientSession, station_id: str, version: str
) -> None:
    handle = hub3.server.station(station_id)
    async with ocpp_station(http, hub3, station_id, version) as station:
        update = FirmwareUpdate("https://fw.example/v2.bin", RETRIEVE, retries=3, retry_interval_s=60)
        assert await handle.update_firmware(update) == "Accepted"
        sent = station.received[-1]
        assert sent[0] == "UpdateFirmware"
        assert sent[1]["firmware"] == {
            "location": "https://fw.example/v2.bin",
            "retrieve_date_time": "2026-12-05T02:00:00.000Z",
        }
        assert (sent[1]["retries"], sent[1]["retry_interval"]) == (3, 60)
        assert isinstance(sent[1]["request_id"], int)

        # the station reports its progress; the hub keeps the last status and tells its listeners
        await station.call(
            call201.FirmwareStatusNotification(status="Downloading", request_id=sent[1]["request_id"]),
            suppress=False,
        )
        assert (await hub3.wait_for(FirmwareStatusChanged))[-1].status == "Downloading"
        assert hub3.server.state(station_id).firmware_status == "Downloading"

        upload = LogUpload("https://logs.example/up", "SecurityLog", oldest=SINCE)
        assert await handle.upload_log(upload) == "log-1.zip"
        assert station.received[-1][1]["log"] == {
            "remote_location": "https://logs.example/up",
            "oldest_timestamp": "2026-12-01T00:00:00.000Z",
        }
        assert station.received[-1][1]["log_type"] == "SecurityLog"

        answer = await handle.data_transfer("com.example", "ping", {"n": 1})
        assert answer == {"echo": {"n": 1}}
        assert station.received[-1] == (
            "DataTransfer",
            {"vendor_id": "com.example", "message_id": "ping", "data": {"n": 1}},
        )
        station.statuses["DataTransfer"] = "UnknownVendorId"
        with pytest.raises(CommandRejected) as refused:
            await handle.data_transfer("com.other")
        assert refused.value.status == "UnknownVendorId"
        station.statuses["UpdateFirmware"] = "Rejected"
        with pytest.raises(CommandRejected):
            await handle.update_firmware(update)


async def test_clearing_profiles_on_2x_forgets_the_hub_setpoint(
    hub3: Hub, http: aiohttp.ClientSession
) -> None:
    handle = hub3.server.station("CS201")
    async with ocpp_station(http, hub3, "CS201", "2.0.1") as station:
        await start_transaction(station)
        await handle.set_setpoint(2, 6.0)
        evse = hub3.server.state("CS201").evse(2)
        assert evse.active_profile_id is not None

        # a station-wide cap of another system: the hub's own profile stays
        assert await handle.clear_charging_profiles(ProfileFilter(purpose="ChargingStationMaxProfile")) == (
            "Accepted"
        )
        assert station.received[-1] == (
            "ClearChargingProfile",
            {"charging_profile_criteria": {"charging_profile_purpose": "ChargingStationMaxProfile"}},
        )
        assert evse.active_setpoint_kw == 6.0

        station.statuses["ClearChargingProfile"] = "Unknown"
        assert await handle.clear_charging_profiles(ProfileFilter(profile_id=7102, evse_id=2)) == "Unknown"
        assert station.received[-1] == (
            "ClearChargingProfile",
            {"charging_profile_id": 7102, "charging_profile_criteria": {"evse_id": 2}},
        )
        assert evse.active_setpoint_kw is None
        assert await handle.clear_charging_profiles(ProfileFilter()) == "Unknown"
        assert station.received[-1] == ("ClearChargingProfile", {})


async def test_firmware_logs_data_and_profiles_on_16(hub3: Hub, http: aiohttp.ClientSession) -> None:
    handle = hub3.server.station("CS16")
    async with ocpp_station(http, hub3, "CS16", "1.6") as station:
        await station.boot()
        assert await handle.update_firmware(FirmwareUpdate("ftp://fw.example/v2.bin", RETRIEVE)) is None
        assert station.last("UpdateFirmware") == {
            "location": "ftp://fw.example/v2.bin",
            "retrieve_date": "2026-12-05T02:00:00.000Z",
        }
        await station.call(call16.FirmwareStatusNotification(status="Installing"))
        assert (await hub3.wait_for(FirmwareStatusChanged))[-1].status == "Installing"

        # diagnostics are GetDiagnostics in 1.6; the security log is the whitepaper's GetLog
        until = datetime(2026, 12, 2, tzinfo=UTC)
        diagnostics = LogUpload("ftp://logs.example/", oldest=SINCE, latest=until, retries=2)
        assert await handle.upload_log(diagnostics) == "diagnostics-1.zip"
        assert station.last("GetDiagnostics") == {
            "location": "ftp://logs.example/",
            "retries": 2,
            "start_time": "2026-12-01T00:00:00.000Z",
            "stop_time": "2026-12-02T00:00:00.000Z",
        }
        assert await handle.upload_log(LogUpload("ftp://logs.example/", "SecurityLog")) == "security-1.log"
        assert station.last("GetLog")["log_type"] == "SecurityLog"

        # 1.6 carries text only: structured data goes as JSON text
        assert await handle.data_transfer("com.example", "ping", {"n": 1}) == '{"n":1}'
        assert await handle.data_transfer("com.example", data="plain") == "plain"

        assert (
            await handle.clear_charging_profiles(
                ProfileFilter(evse_id=1, purpose="ChargingStationMaxProfile", stack_level=0)
            )
            == "Accepted"
        )
        assert station.last("ClearChargingProfile") == {
            "connector_id": 1,
            "charging_profile_purpose": "ChargePointMaxProfile",
            "stack_level": 0,
        }

        await handle.trigger_message("LogStatusNotification")
        assert station.last("TriggerMessage") == {"requested_message": "DiagnosticsStatusNotification"}
        with pytest.raises(NotSupportedByVersion) as refused:
            await handle.trigger_message("TransactionEvent", evse_id=1)
        assert refused.value.version == "1.6"
        assert station.actions().count("TriggerMessage") == 1
