"""The CSMS's 1.6 requests a simulated station answers: remote start/stop, trigger, reset, availability."""

from __future__ import annotations

from typing import Any

from ocpp.exceptions import NotImplementedError as OcppNotImplementedError, NotSupportedError
from ocpp.v16 import call
from ocpp.v201 import call as call_v201
import pytest

from custom_components.ssch.sim import OcppVersion, SimulatedStation, car_arriving
from tests.sim.conftest import StationFactory, eventually, plugged16
from tests.sim.csms_fixture import FixtureCsms
from tests.sim.ocpp16_helpers import statuses

V16 = OcppVersion.V16


async def wallbox(make_station: StationFactory, **options: Any) -> SimulatedStation:
    return await make_station(version=V16, **options)


async def test_remote_start_and_stop(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.authorize_status = "Invalid"  # the car's own card is refused: only a remote start helps
    station = await wallbox(make_station)
    remote_start = call.RemoteStartTransaction
    assert (await csms.call("SIM01", remote_start(id_tag="APP1"))).status == "Rejected"  # no car
    station.plug_in(car_arriving(station.clock.now()))
    await csms.wait_for("SIM01", "Authorize")
    await eventually(lambda: station.connector_status == "Preparing")

    assert (await csms.call("SIM01", remote_start(id_tag="APP1", connector_id=1))).status == "Accepted"
    start = await csms.wait_for("SIM01", "StartTransaction")
    assert start["id_tag"] == "APP1"
    await eventually(lambda: station.transaction_id == 1001)
    assert (await csms.call("SIM01", remote_start(id_tag="APP1"))).status == "Rejected"  # busy
    assert station.power_kw == 11.0

    remote_stop = call.RemoteStopTransaction
    assert (await csms.call("SIM01", remote_stop(transaction_id=999))).status == "Rejected"
    assert (await csms.call("SIM01", remote_stop(transaction_id=1001))).status == "Accepted"
    stop = await csms.wait_for("SIM01", "StopTransaction")
    assert (stop["transaction_id"], stop["reason"], stop["id_tag"]) == (1001, "Remote", "APP1")
    assert station.connector_status == "Finishing"
    assert station.power_kw == 0


async def test_remote_start_with_a_charging_profile(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.authorize_status = "Invalid"
    station = await wallbox(make_station)
    station.plug_in(car_arriving(station.clock.now()))
    await csms.wait_for("SIM01", "Authorize")
    profile = {
        "charging_profile_id": 5,
        "stack_level": 0,
        "charging_profile_purpose": "TxProfile",
        "charging_profile_kind": "Relative",
        "charging_schedule": {
            "charging_rate_unit": "A",
            "charging_schedule_period": [{"start_period": 0, "limit": 8.0}],
        },
    }
    request = call.RemoteStartTransaction(id_tag="APP2", connector_id=1, charging_profile=profile)
    assert (await csms.call("SIM01", request)).status == "Accepted"
    await eventually(lambda: station.transaction_id is not None)
    assert station.power_kw == pytest.approx(8 * 3 * 230 / 1000)


async def test_trigger_message(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station)
    await plugged16(station, soc_percent=30)
    boots = len(csms.messages("SIM01", "BootNotification"))
    trigger = call.TriggerMessage
    for message in (
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "MeterValues",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
    ):
        assert (await csms.call("SIM01", trigger(requested_message=message))).status == "Accepted"
    assert (await csms.call("SIM01", trigger(requested_message="Heartbeat", connector_id=7))).status == (
        "Rejected"
    )
    await eventually(lambda: len(csms.messages("SIM01", "BootNotification")) == boots + 1)
    await csms.wait_for("SIM01", "Heartbeat")
    triggered = await csms.wait_for(
        "SIM01", "MeterValues", lambda m: m["meter_value"][0]["sampled_value"][0]["context"] == "Trigger"
    )
    assert triggered["transaction_id"] == 1001
    assert (await csms.wait_for("SIM01", "DiagnosticsStatusNotification"))["status"] == "Idle"
    assert (await csms.wait_for("SIM01", "FirmwareStatusNotification"))["status"] == "Idle"
    await eventually(lambda: statuses(csms.messages("SIM01", "StatusNotification"), 0) == ["Available"] * 2)


@pytest.mark.parametrize(("reset_type", "reason"), [("Soft", "SoftReset"), ("Hard", "HardReset")])
async def test_reset_reboots_and_boots_again(
    csms: FixtureCsms, make_station: StationFactory, reset_type: str, reason: str
) -> None:
    station = await wallbox(make_station)
    await plugged16(station, soc_percent=30)

    assert (await csms.call("SIM01", call.Reset(type=reset_type))).status == "Accepted"

    stop = await csms.wait_for("SIM01", "StopTransaction")
    assert (stop["transaction_id"], stop["reason"]) == (1001, reason)
    await eventually(lambda: len(csms.messages("SIM01", "BootNotification")) == 2)
    await eventually(lambda: station.stats.connects == 2 and station.connected)
    # the car is still plugged in: its session starts again after the boot
    await eventually(lambda: station.transaction_id == 1002)
    assert station.power_kw == 11.0


async def test_availability_and_unlock(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station)
    await plugged16(station, soc_percent=30)
    availability = call.ChangeAvailability

    assert (await csms.call("SIM01", availability(connector_id=1, type="Inoperative"))).status == "Scheduled"
    assert (await csms.call("SIM01", availability(connector_id=3, type="Inoperative"))).status == "Rejected"
    assert station.connector_status == "Charging"
    assert (await csms.call("SIM01", call.UnlockConnector(connector_id=1))).status == "Unlocked"
    stop = await csms.wait_for("SIM01", "StopTransaction")
    assert stop["reason"] == "UnlockCommand"
    assert station.connector_status == "Unavailable"
    assert (await csms.call("SIM01", call.UnlockConnector(connector_id=2))).status == "NotSupported"

    assert (await csms.call("SIM01", availability(connector_id=1, type="Operative"))).status == "Accepted"
    assert (await csms.call("SIM01", availability(connector_id=0, type="Inoperative"))).status == "Accepted"
    await eventually(lambda: statuses(csms.messages("SIM01", "StatusNotification"), 0)[-1] == "Unavailable")
    assert (await csms.call("SIM01", call.RemoteStartTransaction(id_tag="X"))).status == "Rejected"


async def test_other_requests(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station)
    assert (await csms.call("SIM01", call.DataTransfer(vendor_id="acme"))).status == "UnknownVendorId"
    assert (await csms.call("SIM01", call.ClearCache())).status == "Accepted"
    with pytest.raises(OcppNotImplementedError):
        await csms.call("SIM01", call.GetLocalListVersion())
    foreign = call_v201.GetVariables(get_variable_data=[])
    with pytest.raises(NotSupportedError):
        await csms.charge_points["SIM01"].call(foreign, suppress=False, skip_schema_validation=True)
    assert station.stats.calls_received["GetVariables"] == 1
    assert station.connected
