"""OCPP 1.6J stations on the same server: every core and smart-charging message in both directions,
against the ``ocpp`` package's own 1.6 charge point."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

import aiohttp
from ocpp.v16 import call
import pytest

from custom_components.ssch.csms.errors import CommandRejected, NotSupportedByVersion
from custom_components.ssch.csms.events import (
    FaultReported,
    MeterValuesReceived,
    StationBooted,
    StatusChanged,
    TransactionEnded,
    TransactionStarted,
)
from custom_components.ssch.csms.registry import StationConfig
from custom_components.ssch.csms.store import MemoryStore
from tests.station16 import Station16

from .conftest import PASSWORD_HASH, PLAIN, V2G, Hub, HubFactory, ocpp_station

WALLBOX = StationConfig(PASSWORD_HASH, evse_count=2, max_charge_kw=11.0)
NOW = "2026-12-04T10:00:00Z"


@pytest.fixture
async def hub16(make_hub: HubFactory) -> Hub:
    return await make_hub({"CS16": WALLBOX, "CS21": V2G, "CS201": PLAIN})


def sample(value: str, measurand: str, unit: str, **extra: str) -> dict[str, str]:
    return {"value": value, "measurand": measurand, "unit": unit, "context": "Sample.Periodic", **extra}


def three_phase_reading(
    energy_wh: str, watts: str, amps: str = "16.0", soc: str = "55"
) -> list[dict[str, Any]]:
    phases = [sample(amps, "Current.Import", "A", phase=name) for name in ("L1", "L2", "L3")]
    volts = [sample("231.0", "Voltage", "V", phase=f"{name}-N") for name in ("L1", "L2", "L3")]
    return [
        {
            "timestamp": NOW,
            "sampledValue": [
                sample(energy_wh, "Energy.Active.Import.Register", "Wh", location="Outlet"),
                sample(watts, "Power.Active.Import", "W"),
                *phases,
                *volts,
                sample(soc, "SoC", "Percent", location="EV"),
            ],
        }
    ]


async def start(station: Station16, connector: int = 1, id_tag: str = "CARD-1", meter_wh: int = 1000) -> Any:
    return await station.call(
        call.StartTransaction(connector_id=connector, id_tag=id_tag, meter_start=meter_wh, timestamp=NOW)
    )


async def test_boot_reads_the_configuration_and_caps_each_connector(
    hub16: Hub, http: aiohttp.ClientSession
) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:
        boot = await station.boot()
        assert (boot.status, boot.interval) == ("Accepted", 300)
        await station.wait_for("SetChargingProfile", 2)
        booted = (await hub16.wait_for(StationBooted))[0]
        assert (booted.vendor, booted.model, booted.serial_number, booted.firmware_version) == (
            "Wallbox Maker",
            "Home 11",
            "SN-1234",
            "4.2.0",
        )
        assert station.received[0][0] == "GetConfiguration"
        assert "ChargingScheduleAllowedChargingRateUnit" in station.received[0][1]["key"]
        assert station.configuration["MeterValueSampleInterval"] == "60"
        assert station.configuration["MeterValuesSampledData"].split(",") == [
            "Energy.Active.Import.Register",
            "Power.Active.Import",
            "Current.Import",
            "Voltage",
            "SoC",
        ]
        defaults = [payload for action, payload in station.received if action == "SetChargingProfile"]
        assert [payload["connector_id"] for payload in defaults] == [1, 2]
        profile = defaults[0]["cs_charging_profiles"]
        assert profile["charging_profile_purpose"] == "TxDefaultProfile"
        period = profile["charging_schedule"]["charging_schedule_period"][0]
        # 11 kW on three phases of 230 V is 15.9 A per phase
        assert (profile["charging_schedule"]["charging_rate_unit"], float(period["limit"])) == ("A", 15.9)
        assert period["number_phases"] == 3
    assert hub16.server.state("CS16").charging_rate_unit == "A"
    assert hub16.server.state("CS16").ocpp_version == "1.6"


async def test_a_station_that_refuses_part_of_the_configuration_keeps_working(
    hub16: Hub, http: aiohttp.ClientSession
) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:
        station.configuration["ChargingScheduleAllowedChargingRateUnit"] = "Power"
        station.statuses["ChangeConfiguration"] = "Rejected"
        await station.boot()
        await station.wait_for("SetChargingProfile", 2)
        changes = [payload for action, payload in station.received if action == "ChangeConfiguration"]
        # the full list refused, then the essential readings asked for
        assert [change["value"] for change in changes[:2]] == [
            "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC",
            "Energy.Active.Import.Register,Power.Active.Import",
        ]
        schedule = station.last("SetChargingProfile")["cs_charging_profiles"]["charging_schedule"]
        assert schedule["charging_rate_unit"] == "W"
        assert schedule["charging_schedule_period"][0]["limit"] == 11000.0
        assert hub16.server.state("CS16").charging_rate_unit == "W"


async def test_a_charging_session_from_card_to_stop(hub16: Hub, http: aiohttp.ClientSession) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:
        await station.boot()
        authorized = await station.call(call.Authorize(id_tag="CARD-1"))
        assert authorized.id_tag_info["status"] == "Accepted"
        started = await start(station)
        assert isinstance(started.transaction_id, int)
        # sent again after a lost answer: the same id, and still one transaction
        assert (await start(station)).transaction_id == started.transaction_id
        assert len(hub16.of_type(TransactionStarted)) == 1
        await station.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=three_phase_reading("4000", "11040"),
            )
        )
        evse = hub16.server.state("CS16").evse(1)
        assert (evse.power_kw, evse.energy_charged_kwh, evse.ev_soc_pct) == (11.04, 3.0, 55.0)
        assert (evse.phases_in_use, evse.voltage_v) == (3, 231.0)
        stop_data = three_phase_reading("5500", "0", amps="0.0", soc="60")
        stopped = await station.call(
            call.StopTransaction(
                meter_stop=6000,
                timestamp=NOW,
                transaction_id=started.transaction_id,
                reason="EVDisconnected",
                id_tag="CARD-1",
                transaction_data=stop_data,
            )
        )
        assert stopped.id_tag_info == {"status": "Accepted"}
    ended = (await hub16.wait_for(TransactionEnded))[0]
    assert (ended.transaction_id, ended.session_energy_kwh, ended.stopped_reason, ended.ev_soc_pct) == (
        str(started.transaction_id),
        5.0,
        "EVDisconnected",
        60.0,
    )
    assert evse.transaction_id is None
    assert hub16.of_type(MeterValuesReceived)[-1].energy_charged_kwh == 5.0


async def test_a_new_transaction_gets_a_new_id_and_ids_survive_a_restart(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    store = MemoryStore()
    hub = await make_hub({"CS16": WALLBOX}, store=store)
    async with ocpp_station(http, hub, "CS16", "1.6") as station:
        first = (await start(station, meter_wh=1000)).transaction_id
        second = (await start(station, connector=2, meter_wh=50)).transaction_id
    assert second > first
    await hub.server.stop()
    restarted = await make_hub({"CS16": WALLBOX}, store=store)
    async with ocpp_station(http, restarted, "CS16", "1.6") as station:
        assert (await start(station, meter_wh=1000)).transaction_id == first
        third = (await start(station, connector=2, meter_wh=9000)).transaction_id
    assert third > second
    # the connector's transaction that was never stopped ended when the new one started
    ended = restarted.of_type(TransactionEnded)
    assert [event.transaction_id for event in ended] == [str(second)]


async def test_cards_follow_the_hubs_policy(make_hub: HubFactory, http: aiohttp.ClientSession) -> None:
    from custom_components.ssch.csms.authorization import (
        AuthorizationPolicy,
        KnownToken,
        TokenAuthority,
    )

    authority = TokenAuthority(
        AuthorizationPolicy.ACCEPT_KNOWN, [KnownToken("GOOD"), KnownToken("LOST", blocked=True)]
    )
    hub = await make_hub({"CS16": WALLBOX}, authority=authority)
    async with ocpp_station(http, hub, "CS16", "1.6") as station:
        statuses = [
            (await station.call(call.Authorize(id_tag=tag))).id_tag_info["status"]
            for tag in ("GOOD", "LOST", "STRANGER", "ssch-hub")
        ]
        # 1.6 has no "Unknown": a card the hub does not know is Invalid
        assert statuses == ["Accepted", "Blocked", "Invalid", "Accepted"]
        assert (await start(station, id_tag="STRANGER")).id_tag_info["status"] == "Invalid"


async def test_connector_status_and_errors(hub16: Hub, http: aiohttp.ClientSession) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:

        async def status(connector: int, value: str, error: str = "NoError") -> None:
            await station.call(
                call.StatusNotification(
                    connector_id=connector,
                    error_code=error,
                    status=value,
                    info="info",
                    vendor_error_code="E7",
                )
            )

        await status(1, "Preparing")
        await status(2, "Available")
        await status(0, "Faulted", "PowerMeterFailure")
        await status(1, "Charging", "HighTemperature")
        await status(1, "Charging")
    changes = [(event.evse_id, event.status) for event in hub16.of_type(StatusChanged)]
    assert changes == [(1, "Occupied"), (2, "Available")]
    faults = [(event.evse_id, event.detail, event.cleared) for event in hub16.of_type(FaultReported)]
    assert faults == [
        (None, "PowerMeterFailure info E7", False),
        (1, "HighTemperature info E7", False),
        (1, "HighTemperature info E7", True),
    ]


async def test_messages_for_unknown_transactions_change_nothing(
    hub16: Hub, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:
        running = (await start(station)).transaction_id
        for _ in range(2):
            await station.call(
                call.MeterValues(
                    connector_id=1, transaction_id=999, meter_value=three_phase_reading("9000", "1")
                )
            )
            answer = await station.call(
                call.StopTransaction(meter_stop=9000, timestamp=NOW, transaction_id=999)
            )
            assert answer.id_tag_info is None
    evse = hub16.server.state("CS16").evse(1)
    assert (evse.transaction_id, evse.energy_charged_kwh) == (str(running), 0.0)
    assert caplog.text.count("unknown transaction 999") == 2  # one line per kind, not per message


async def test_bad_meter_values_are_ignored_with_a_log_line(
    hub16: Hub, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:
        transaction = (await start(station, meter_wh=10_000)).transaction_id

        async def meter(*samples: dict[str, str]) -> None:
            reading = [{"timestamp": NOW, "sampledValue": list(samples)}]
            await station.call(
                call.MeterValues(connector_id=1, transaction_id=transaction, meter_value=reading)
            )

        await meter(sample("12000", "Energy.Active.Import.Register", "Wh"))
        await meter(sample("lots", "Energy.Active.Import.Register", "Wh"))
        await meter(sample("99", "Energy.Active.Import.Register", "kvarh"))
        await meter(sample("500", "Energy.Active.Import.Register", "Wh"))  # backwards: held
        await meter(sample("12500", "Energy.Active.Import.Register", "Wh"))  # the 500 was a glitch
    evse = hub16.server.state("CS16").evse(1)
    assert evse.energy_charged_kwh == 2.5
    assert "is not a number" in caplog.text
    assert "unknown unit 'kvarh'" in caplog.text
    assert "went backwards to 0.5 kWh" in caplog.text


async def test_hub_commands_in_16_terms(hub16: Hub, http: aiohttp.ClientSession) -> None:
    handle = hub16.server.station("CS16")
    async with ocpp_station(http, hub16, "CS16", "1.6") as station:
        await station.boot()
        await station.wait_for("SetChargingProfile", 2)
        transaction = (await start(station)).transaction_id
        await station.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=transaction,
                meter_value=three_phase_reading("2000", "3000", "6.5"),
            )
        )
        result = await handle.set_setpoint(1, 7.0)
        profile = station.last("SetChargingProfile")
        assert profile["connector_id"] == 1
        tx_profile = profile["cs_charging_profiles"]
        assert (tx_profile["charging_profile_purpose"], tx_profile["transaction_id"]) == (
            "TxProfile",
            transaction,
        )
        schedule = tx_profile["charging_schedule"]
        # 7 kW on the three phases in use at 230 V: 10.1 A per phase; the car's minimum is 6 A
        assert schedule["charging_schedule_period"][0] == {
            "start_period": 0,
            "limit": Decimal("10.1"),
            "number_phases": 3,
        }
        assert schedule["min_charging_rate"] == Decimal("6.0")
        assert (result.action, result.applied_kw) == ("SetChargingProfile", 7.0)
        # a power the car cannot take is not sent: below half the minimum it is zero
        assert (await handle.set_setpoint(1, 1.5)).applied_kw == 0.0
        assert (await handle.set_setpoint(1, 3.0)).applied_kw == pytest.approx(4.14)

        await handle.clear_setpoint(1)
        assert station.last("ClearChargingProfile") == {"id": 7101}
        assert await handle.set_availability(False, 2) == "Accepted"
        assert station.last("ChangeAvailability") == {"connector_id": 2, "type": "Inoperative"}
        assert await handle.reset(immediate=True) == "Accepted"
        assert station.last("Reset") == {"type": "Hard"}
        await handle.unlock(2)
        assert station.last("UnlockConnector") == {"connector_id": 2}
        await handle.start_transaction(2)
        assert station.last("RemoteStartTransaction") == {"connector_id": 2, "id_tag": "ssch-hub"}
        await handle.stop_transaction(1)
        assert station.last("RemoteStopTransaction") == {"transaction_id": transaction}
        await handle.trigger_message("MeterValues", 1)
        assert station.last("TriggerMessage") == {"requested_message": "MeterValues", "connector_id": 1}
        composite = await handle.get_composite_schedule(1, 600)
        assert composite["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == 10.0
        assert station.last("GetCompositeSchedule") == {"connector_id": 1, "duration": 600}
        values = await handle.get_configuration(["HeartbeatInterval", "NumberOfConnectors"])
        assert values == {"HeartbeatInterval": None, "NumberOfConnectors": "2"}
        assert await handle.change_configuration("MeterValueSampleInterval", "30") == "Accepted"

        station.statuses["RemoteStopTransaction"] = "Rejected"
        with pytest.raises(CommandRejected):
            await handle.stop_transaction(1)
        with pytest.raises(NotSupportedByVersion):
            await handle.get_variables([])
        with pytest.raises(NotSupportedByVersion):
            await handle.notify_allowed_energy_transfer(1, ["AC_three_phase"])


async def test_discharge_is_not_offered_over_16(make_hub: HubFactory, http: aiohttp.ClientSession) -> None:
    bidirectional = replace(WALLBOX, bidirectional=True, max_discharge_kw=11.0)
    hub = await make_hub({"CS16": bidirectional})
    async with ocpp_station(http, hub, "CS16", "1.6") as station:
        await start(station)
        result = await hub.server.station("CS16").set_setpoint(1, -5.0)
        assert (result.applied_kw, result.clipped_reason) == (0.0, "discharge not possible on this EVSE")
        limit = station.last("SetChargingProfile")["cs_charging_profiles"]["charging_schedule"]
        assert limit["charging_schedule_period"][0]["limit"] == 0.0


async def test_2x_and_16_stations_on_one_server(hub16: Hub, http: aiohttp.ClientSession) -> None:
    async with ocpp_station(http, hub16, "CS16", "1.6") as old, ocpp_station(http, hub16, "CS21"):
        await old.boot()
        await start(old)
        new_handle = hub16.server.station("CS21")
        assert (await new_handle.reset()) == "Accepted"
        await asyncio.sleep(0)
    assert hub16.server.state("CS16").ocpp_version == "1.6"
    assert hub16.server.state("CS21").ocpp_version == "2.1"
