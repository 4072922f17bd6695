"""A simulated 1.6 station against an ``ocpp.v16`` central system over loopback websockets."""

from __future__ import annotations

import itertools
from typing import Any

from ocpp.v16 import call
import pytest

from custom_components.ssch.sim import Misbehaviour, OcppVersion, SimulatedStation, car_arriving
from custom_components.ssch.sim.clock import parse_ocpp_timestamp
from custom_components.ssch.sim.ocpp16.firmware import Ocpp16Firmware
from tests.sim.conftest import StationFactory, eventually, plugged16
from tests.sim.csms_fixture import FixtureCsms
from tests.sim.ocpp16_helpers import readings, statuses, tx_limit

V16 = OcppVersion.V16


async def wallbox(make_station: StationFactory, **options: Any) -> SimulatedStation:
    return await make_station(version=V16, **options)


async def test_boot_reports_both_connectors(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station)

    boot = await csms.wait_for("SIM01", "BootNotification")
    await eventually(lambda: len(csms.messages("SIM01", "StatusNotification")) == 2)
    assert boot == {
        "charge_point_vendor": "SSCH",
        "charge_point_model": "SimulatedStation",
        "charge_point_serial_number": "SIM01",
        "firmware_version": "sim-1",
    }
    reports = csms.messages("SIM01", "StatusNotification")
    assert [(r["connector_id"], r["status"], r["error_code"]) for r in reports] == [
        (0, "Available", "NoError"),
        (1, "Available", "NoError"),
    ]
    assert all(parse_ocpp_timestamp(r["timestamp"]) for r in reports)
    assert station.heartbeat_interval_s == csms.heartbeat_interval_s
    assert csms.charge_points["SIM01"].connection.websocket.ws_protocol == "ocpp1.6"


async def test_session_start_meter_values_and_stop(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station)
    transaction_id = await plugged16(station, soc_percent=50, stay_hours=1.0)

    assert transaction_id == 1001
    assert csms.messages("SIM01", "Authorize") == [{"id_tag": "SIMCARD"}]
    start = await csms.wait_for("SIM01", "StartTransaction")
    assert (start["connector_id"], start["id_tag"], start["meter_start"]) == (1, "SIMCARD", 0)
    periodic = await csms.wait_for("SIM01", "MeterValues")
    assert periodic["transaction_id"] == 1001
    values = readings(periodic)
    assert all(isinstance(value, str) for value in values.values())
    assert values["Power.Active.Import", None] == "11000"
    assert float(values["Energy.Active.Import.Register", None]) > 0
    for phase in ("L1", "L2", "L3"):
        assert float(values["Current.Import", phase]) == pytest.approx(11000 / 690, abs=1e-3)
        assert values["Voltage", f"{phase}-N"] == "230"
    assert float(values["SoC", None]) > 50
    sampled = periodic["meter_value"][0]["sampled_value"]
    soc = next(value for value in sampled if value["measurand"] == "SoC")
    assert (soc["unit"], soc["location"]) == ("Percent", "EV")
    assert {value["context"] for value in sampled} == {"Sample.Periodic"}

    stop = await csms.wait_for("SIM01", "StopTransaction", timeout_s=10)
    assert (stop["transaction_id"], stop["reason"], stop["id_tag"]) == (1001, "EVDisconnected", "SIMCARD")
    assert stop["meter_stop"] == round(station.energy_import_wh)
    last = readings({"meter_value": stop["transaction_data"]})
    final_energy_wh = float(last["Energy.Active.Import.Register", None])
    assert final_energy_wh == pytest.approx(station.energy_import_wh, abs=1e-3)
    assert stop["transaction_data"][0]["sampled_value"][0]["context"] == "Transaction.End"
    duration = parse_ocpp_timestamp(stop["timestamp"]) - parse_ocpp_timestamp(start["timestamp"])
    hours = duration.total_seconds() / 3600
    assert stop["meter_stop"] == pytest.approx(11_000 * hours, rel=1e-2)
    await eventually(lambda: statuses(csms.messages("SIM01", "StatusNotification"), 1)[-1] == "Available")
    assert statuses(csms.messages("SIM01", "StatusNotification"), 1) == [
        "Available",
        "Preparing",
        "Charging",
        "Available",
    ]
    assert station.transaction_id is None


async def test_refused_id_tag_leaves_the_car_waiting(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.authorize_status = "Invalid"
    station = await wallbox(make_station)
    station.plug_in(car_arriving(station.clock.now()))
    await csms.wait_for("SIM01", "Authorize")
    await csms.wait_for("SIM01", "StatusNotification", lambda s: s["status"] == "Preparing")
    assert station.transaction_id is None
    assert station.connector_status == "Preparing"
    assert not csms.messages("SIM01", "StartTransaction")


async def test_start_refused_by_the_csms_is_stopped(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.start_transaction_status = "Blocked"
    station = await wallbox(make_station)
    station.plug_in(car_arriving(station.clock.now()))
    stop = await csms.wait_for("SIM01", "StopTransaction")
    assert (stop["transaction_id"], stop["reason"]) == (1001, "DeAuthorized")
    assert station.power_kw == 0
    assert station.connector_status == "Finishing"


async def test_configuration_keys(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station, charging_rate_units="Current,Power")
    everything = await csms.call("SIM01", call.GetConfiguration())
    keys = {entry["key"]: entry for entry in everything.configuration_key}
    assert keys["NumberOfConnectors"] == {"key": "NumberOfConnectors", "readonly": True, "value": "1"}
    assert keys["SupportedFeatureProfiles"]["value"] == (
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
    )
    assert keys["ChargingScheduleAllowedChargingRateUnit"]["value"] == "Current,Power"
    interval = keys["MeterValueSampleInterval"]
    assert interval == {"key": "MeterValueSampleInterval", "readonly": False, "value": "300"}
    assert keys["MeterValuesSampledData"]["value"] == (
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"
    )
    for key in ("ChargeProfileMaxStackLevel", "ChargingScheduleMaxPeriods", "HeartbeatInterval"):
        assert keys[key]["value"].isdigit()
    some = await csms.call("SIM01", call.GetConfiguration(key=["HeartbeatInterval", "Nope"]))
    assert [entry["key"] for entry in some.configuration_key] == ["HeartbeatInterval"]
    assert some.unknown_key == ["Nope"]

    async def change(key: str, value: str) -> str:
        return str((await csms.call("SIM01", call.ChangeConfiguration(key=key, value=value))).status)

    assert await change("NumberOfConnectors", "2") == "Rejected"
    assert await change("Nope", "1") == "NotSupported"
    assert await change("MeterValueSampleInterval", "soon") == "Rejected"
    assert await change("MeterValuesSampledData", "Energy.Active.Import.Register,Nope") == "Rejected"
    assert await change("HeartbeatInterval", "120") == "Accepted"
    assert station.heartbeat_interval_s == 120


async def test_sample_interval_and_measurands_take_effect(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await wallbox(make_station, meter_interval_s=3600)
    await plugged16(station, soc_percent=20, capacity_kwh=200)
    for key, value in (
        ("MeterValueSampleInterval", "120"),
        ("MeterValuesSampledData", "Energy.Active.Import.Register,SoC"),
    ):
        answer = await csms.call("SIM01", call.ChangeConfiguration(key=key, value=value))
        assert answer.status == "Accepted"
    assert station.meter_interval_s == 120

    await eventually(lambda: len(csms.messages("SIM01", "MeterValues")) >= 3)
    stamps = [
        parse_ocpp_timestamp(m["meter_value"][0]["timestamp"]) for m in csms.messages("SIM01", "MeterValues")
    ]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(stamps)]
    # never early; late only by the scheduling delay (the old interval was 3600 s)
    assert all(119.9 <= gap < 600 for gap in gaps)
    assert set(readings(csms.messages("SIM01", "MeterValues")[-1])) == {
        ("Energy.Active.Import.Register", None),
        ("SoC", None),
    }


async def test_offline_transaction_messages_wait_for_the_connection(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    # offline for at least 0.5 s real = 30 simulated minutes
    station = await wallbox(make_station, reconnect_initial_s=0.5, reconnect_max_s=0.5)
    await plugged16(station, soc_percent=30)
    await csms.drop("SIM01")
    await eventually(lambda: not station.connected)
    station.unplug()
    station.plug_in(car_arriving(station.clock.now(), soc_percent=30))  # starts without the network
    assert isinstance(station.firmware, Ocpp16Firmware)
    assert station.firmware.transaction_active
    assert station.transaction_id is None  # the CSMS has not numbered it yet

    await station.wait_connected(5)
    stop = await csms.wait_for("SIM01", "StopTransaction")
    assert (stop["transaction_id"], stop["reason"]) == (1001, "EVDisconnected")
    second = await csms.wait_for("SIM01", "MeterValues", lambda m: m.get("transaction_id") == 1002)
    assert parse_ocpp_timestamp(second["meter_value"][0]["timestamp"]) < station.clock.now()
    await eventually(lambda: station.transaction_id == 1002)
    assert len(csms.messages("SIM01", "Authorize")) == 1  # only the car that came while online


async def test_misbehaviours_work_on_16(csms: FixtureCsms, make_station: StationFactory) -> None:
    ignoring = Misbehaviour(ignore_setpoints=True, malformed_frame_every_s=0.02)
    station = await wallbox(make_station, misbehaviour=ignoring)
    await plugged16(station, soc_percent=30)
    assert (await csms.call("SIM01", tx_limit(station, 6))).status == "Accepted"
    assert station.power_kw == 11.0
    await eventually(lambda: station.stats.malformed_frames_sent >= 2)
    assert "this is not json" in csms.charge_points["SIM01"].connection.raw_frames
    assert station.connected


async def test_pending_boot_is_retried(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.boot_statuses = ["Pending"]
    csms.heartbeat_interval_s = 1
    await wallbox(make_station, connect=False)
    await eventually(lambda: len(csms.messages("SIM01", "BootNotification")) == 2, timeout_s=5)
    await csms.wait_for("SIM01", "Heartbeat", timeout_s=5)
