"""A simulated station against a real (fixture) OCPP CSMS over loopback websockets."""

from __future__ import annotations

from ocpp.exceptions import NotImplementedError as OcppNotImplementedError
from ocpp.v21 import call as call_v21
from ocpp.v201 import call as call_v201
import pytest

from custom_components.ssch.sim import (
    Misbehaviour,
    OcppVersion,
    SimClock,
    SimulatedStation,
    StationConfig,
    V2xLimits,
    car_arriving,
)
from custom_components.ssch.sim.clock import parse_ocpp_timestamp
from custom_components.ssch.sim.ocpp2.firmware import Ocpp2Firmware
from tests.sim.builders import (
    central_setpoint,
    charging_profile,
    period,
    set_profile_v21,
    set_profile_v201,
)
from tests.sim.conftest import PASSWORD, StationFactory, eventually, plugged, samples
from tests.sim.csms_fixture import FixtureCsms

V2X = V2xLimits(max_discharge_power_kw=7.0, min_soc_percent=20.0)


async def test_boot_reports_available_and_heartbeat_interval(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await make_station()

    boot = await csms.wait_for("SIM01", "BootNotification")
    status = await csms.wait_for("SIM01", "StatusNotification")
    assert boot["charging_station"]["vendor_name"] == "SSCH"
    assert status["connector_status"] == "Available"
    assert station.heartbeat_interval_s == csms.heartbeat_interval_s
    assert station.connected
    await eventually(lambda: station.messages_logged == 2)  # boot + status


async def test_wrong_password_is_refused_and_retried(csms: FixtureCsms, clock: SimClock) -> None:
    config = StationConfig("SIM01", csms.url, "wrong", reconnect_initial_s=0.01)
    station = SimulatedStation(config, clock)
    await station.start()
    await eventually(lambda: csms.rejected_handshakes >= 2)
    assert not station.connected
    await station.stop()


async def test_car_session_start_to_end_on_21(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    transaction_id = await plugged(station, soc_percent=50, stay_hours=1.0, v2x=V2X)

    started = await csms.wait_for("SIM01", "TransactionEvent", lambda e: e["event_type"] == "Started")
    needs = await csms.wait_for("SIM01", "NotifyEVChargingNeeds")
    assert csms.messages("SIM01", "Authorize")[0]["id_token"]["id_token"] == "SIMCARD"
    assert started["transaction_info"]["transaction_id"] == transaction_id
    assert started["id_token"]["id_token"] == "SIMCARD"
    charging_needs = needs["charging_needs"]
    assert charging_needs["requested_energy_transfer"] == "AC_BPT"
    assert charging_needs["control_mode"] == "DynamicControl"
    assert charging_needs["v2x_charging_parameters"]["max_discharge_power"] == 7000
    assert charging_needs["v2x_charging_parameters"]["max_charge_power"] == 11000

    periodic = await csms.wait_for(
        "SIM01", "TransactionEvent", lambda e: e["trigger_reason"] == "MeterValuePeriodic"
    )
    assert samples(periodic)["Power.Active.Import"] == 11000
    assert samples(periodic)["SoC"] > 50
    assert samples(periodic)["Energy.Active.Import.Register"] > 0

    ended = await csms.wait_for(
        "SIM01", "TransactionEvent", lambda e: e["event_type"] == "Ended", timeout_s=10
    )
    assert ended["transaction_info"]["stopped_reason"] == "EVDisconnected"
    hours = (
        parse_ocpp_timestamp(ended["timestamp"]) - parse_ocpp_timestamp(started["timestamp"])
    ).total_seconds() / 3600
    assert 0 < hours <= 1.0  # the transaction starts once the CSMS has authorized the card
    assert samples(ended)["Energy.Active.Import.Register"] == pytest.approx(11_000 * hours, rel=1e-3)
    await csms.wait_for("SIM01", "StatusNotification", lambda s: s["connector_status"] == "Available")
    seq_numbers = [e["seq_no"] for e in csms.messages("SIM01", "TransactionEvent")]
    assert seq_numbers == list(range(len(seq_numbers)))
    assert station.transaction_id is None
    assert station.soc_percent is None


async def test_charging_stops_when_full(make_station: StationFactory) -> None:
    station = await make_station()
    await plugged(station, capacity_kwh=10, soc_percent=95)

    await eventually(lambda: station.charging_state == "SuspendedEV")
    assert station.power_kw == 0
    assert station.soc_percent == pytest.approx(100)
    assert station.energy_import_wh == pytest.approx(500)


async def test_central_setpoint_discharges_when_allowed(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await make_station()
    transaction_id = await plugged(station, soc_percent=60, v2x=V2X)

    result = await csms.call("SIM01", central_setpoint(transaction_id, -5000))
    soc_at_setpoint = station.soc_percent or 0.0

    assert result.status == "Accepted"
    assert station.power_kw == -5.0
    assert station.last_setpoint is not None
    assert station.last_setpoint.action == "SetChargingProfile"
    await eventually(lambda: station.energy_export_wh > 0)
    event = await csms.wait_for("SIM01", "TransactionEvent", lambda e: samples(e)["Power.Active.Import"] < 0)
    assert samples(event)["Power.Active.Import"] == -5000
    assert station.soc_percent is not None
    assert station.soc_percent < soc_at_setpoint


async def test_discharge_clipped_by_car_and_limits(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    transaction_id = await plugged(station, soc_percent=60, v2x=V2X)

    await csms.call("SIM01", central_setpoint(transaction_id, -10_000))
    assert station.power_kw == -7.0  # the car's maximum discharge
    update = call_v21.UpdateDynamicSchedule(
        charging_profile_id=1, schedule_update={"setpoint": -6000, "discharge_limit": -3000}
    )
    rejected = await csms.call("SIM01", update)
    assert rejected.status == "Rejected"  # profile 1 is not Dynamic

    dynamic = charging_profile(
        [period(operation_mode="CentralSetpoint", setpoint=2000)],
        profile_id=2,
        kind="Dynamic",
        transaction_id=transaction_id,
        stack_level=1,
    )
    await csms.call("SIM01", set_profile_v21(dynamic))
    assert station.power_kw == 2.0
    update = call_v21.UpdateDynamicSchedule(
        charging_profile_id=2, schedule_update={"setpoint": -6000, "discharge_limit": -3000}
    )
    accepted = await csms.call("SIM01", update)
    assert accepted.status == "Accepted"
    assert station.power_kw == -3.0
    assert station.last_setpoint is not None
    assert station.last_setpoint.action == "UpdateDynamicSchedule"


async def test_discharge_refused_without_permission(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.allowed_energy_transfer = ["AC_three_phase"]
    station = await make_station()
    transaction_id = await plugged(station, soc_percent=60, v2x=V2X)

    await csms.call("SIM01", central_setpoint(transaction_id, -5000))
    assert station.power_kw == 0
    assert station.charging_state == "SuspendedEVSE"

    allow = call_v21.NotifyAllowedEnergyTransfer(
        transaction_id=transaction_id, allowed_energy_transfer=["AC_BPT"]
    )
    assert (await csms.call("SIM01", allow)).status == "Accepted"
    assert station.power_kw == -5.0
    wrong = call_v21.NotifyAllowedEnergyTransfer(transaction_id="other", allowed_energy_transfer=["AC_BPT"])
    assert (await csms.call("SIM01", wrong)).status == "Rejected"


async def test_car_without_v2x_never_discharges(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    transaction_id = await plugged(station, soc_percent=60)

    await csms.call("SIM01", central_setpoint(transaction_id, -5000))

    assert station.power_kw == 0
    assert station.charging_state == "SuspendedEV"


async def test_clear_profile_returns_to_full_power(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    transaction_id = await plugged(station, soc_percent=30, v2x=V2X)
    await csms.call("SIM01", central_setpoint(transaction_id, 3000))
    assert station.power_kw == 3.0

    cleared = await csms.call("SIM01", call_v21.ClearChargingProfile(charging_profile_id=1))
    again = await csms.call("SIM01", call_v21.ClearChargingProfile(charging_profile_id=1))

    assert (cleared.status, again.status) == ("Accepted", "Unknown")
    assert station.power_kw == 11.0


async def test_tx_profile_without_transaction_is_rejected(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    await make_station()
    result = await csms.call("SIM01", central_setpoint(None, 3000))
    assert result.status == "Rejected"


async def test_ocpp_201_session_follows_current_limit(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await make_station(version=OcppVersion.V201)
    transaction_id = await plugged(station, soc_percent=30, v2x=V2X)
    needs = await csms.wait_for("SIM01", "NotifyEVChargingNeeds")
    assert needs["charging_needs"]["requested_energy_transfer"] == "AC_three_phase"
    assert "v2x_charging_parameters" not in needs["charging_needs"]
    assert needs["charging_needs"]["ac_charging_parameters"]["energy_amount"] == 30_000

    profile = charging_profile([period(limit=10)], unit="A", transaction_id=transaction_id, kind="Relative")
    result = await csms.call("SIM01", set_profile_v201(profile))

    assert result.status == "Accepted"
    assert station.power_kw == pytest.approx(6.9)  # 10 A x 230 V x 3 phases


async def test_station_max_profile_caps_power(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    await plugged(station, soc_percent=30)
    start = station.clock.now().isoformat()
    cap = charging_profile(
        [period(limit=4000)],
        purpose="ChargingStationMaxProfile",
        profile_id=9,
        start_schedule=None,
    )
    cap["charging_schedule"][0]["start_schedule"] = start

    assert (await csms.call("SIM01", set_profile_v21(cap, evse_id=1))).status == "Rejected"
    assert (await csms.call("SIM01", set_profile_v21(cap, evse_id=0))).status == "Accepted"
    assert station.power_kw == 4.0


async def test_reconnects_and_replays_offline_events(csms: FixtureCsms, make_station: StationFactory) -> None:
    # offline for at least 0.3 s real = 18 simulated minutes: several meter values queue up
    station = await make_station(reconnect_initial_s=0.3, reconnect_max_s=0.3)
    await plugged(station, soc_percent=30)
    boots_before = len(csms.messages("SIM01", "BootNotification"))

    await csms.drop("SIM01")
    await eventually(lambda: not station.connected)
    await eventually(lambda: len(csms.messages("SIM01", "BootNotification")) > boots_before)
    await station.wait_connected()

    offline_events = await csms.wait_for("SIM01", "TransactionEvent", lambda e: e.get("offline") is True)
    assert offline_events["event_type"] == "Updated"
    assert station.stats.connects == 2


async def test_discharge_setpoint_dropped_after_max_offline_duration(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await make_station(reconnect_initial_s=1.0, reconnect_max_s=1.0)
    transaction_id = await plugged(station, soc_percent=60, v2x=V2X)
    await csms.call(
        "SIM01",
        central_setpoint(
            transaction_id, -5000, max_offline_duration=600, invalid_after_offline_duration=True
        ),
    )
    assert station.power_kw == -5.0

    await csms.drop("SIM01")
    await eventually(lambda: not station.connected)
    # 600 s of simulated time pass in well under a second: back to the default behaviour
    await eventually(lambda: station.power_kw == 11.0, timeout_s=10.0)
    assert isinstance(station.firmware, Ocpp2Firmware)
    assert len(station.firmware.profiles) == 0


async def test_ignoring_firmware_keeps_charging_at_max(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await make_station(misbehaviour=Misbehaviour(ignore_setpoints=True))
    transaction_id = await plugged(station, soc_percent=60, v2x=V2X)

    result = await csms.call("SIM01", central_setpoint(transaction_id, -5000))

    assert result.status == "Accepted"
    assert station.power_kw == 11.0


async def test_malformed_frames_are_sent_on_request(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station(misbehaviour=Misbehaviour(malformed_frame_every_s=0.02))
    await eventually(lambda: station.stats.malformed_frames_sent >= 4)
    await station.send_raw_frame("][")

    frames = csms.charge_points["SIM01"].connection.raw_frames
    await eventually(lambda: "][" in frames)
    assert "this is not json" in frames
    assert station.connected


async def test_unsupported_request_gets_a_call_error(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    with pytest.raises(OcppNotImplementedError):
        await csms.call("SIM01", call_v21.GetLocalListVersion())
    assert station.stats.calls_received["GetLocalListVersion"] == 1
    assert station.connected


async def test_simple_requests_are_answered(csms: FixtureCsms, make_station: StationFactory) -> None:
    await make_station()
    reset = await csms.call("SIM01", call_v21.Reset(type="Immediate"))
    availability = await csms.call("SIM01", call_v21.ChangeAvailability(operational_status="Inoperative"))
    start = await csms.call(
        "SIM01",
        call_v21.RequestStartTransaction(id_token={"id_token": "X", "type": "Central"}, remote_start_id=1),
    )
    assert (reset.status, availability.status, start.status) == ("Rejected",) * 3


async def test_trigger_message_and_remote_stop(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station()
    trigger = call_v21.TriggerMessage
    assert (await csms.call("SIM01", trigger(requested_message="TransactionEvent"))).status == ("Rejected")
    transaction_id = await plugged(station, soc_percent=30)
    for message in ("Heartbeat", "StatusNotification", "BootNotification", "TransactionEvent"):
        assert (await csms.call("SIM01", trigger(requested_message=message))).status == "Accepted"
    assert (await csms.call("SIM01", trigger(requested_message="LogStatusNotification"))).status == (
        "NotImplemented"
    )
    await csms.wait_for("SIM01", "Heartbeat")
    await csms.wait_for("SIM01", "TransactionEvent", lambda e: e["trigger_reason"] == "Trigger")

    stop = call_v21.RequestStopTransaction
    assert (await csms.call("SIM01", stop(transaction_id="nope"))).status == "Rejected"
    assert (await csms.call("SIM01", stop(transaction_id=transaction_id))).status == "Accepted"
    ended = await csms.wait_for("SIM01", "TransactionEvent", lambda e: e["event_type"] == "Ended")
    assert ended["trigger_reason"] == "RemoteStop"
    assert station.connector_status == "Occupied"
    assert station.power_kw == 0


async def test_device_model_over_ocpp(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await make_station(version=OcppVersion.V201)
    get = call_v201.GetVariables(
        get_variable_data=[
            {"component": {"name": "SmartChargingCtrlr"}, "variable": {"name": "Enabled"}},
            {"component": {"name": "V2XChargingCtrlr"}, "variable": {"name": "Enabled"}},
        ]
    )
    answer = await csms.call("SIM01", get)
    statuses = [r["attribute_status"] for r in answer.get_variable_result]
    assert statuses == ["Accepted", "UnknownVariable"]

    interval = {
        "component": {"name": "SampledDataCtrlr"},
        "variable": {"name": "TxUpdatedInterval"},
    }
    set_request = call_v201.SetVariables(set_variable_data=[{**interval, "attribute_value": "120"}])
    answer = await csms.call("SIM01", set_request)
    assert answer.set_variable_result[0]["attribute_status"] == "Accepted"
    assert station.meter_interval_s == 120


async def test_scheduled_visits_arrive_and_leave(csms: FixtureCsms, clock: SimClock) -> None:
    now = clock.now()
    visit = car_arriving(now, stay_hours=2.0, soc_percent=20)
    late = car_arriving(now, stay_hours=0.2, soc_percent=20)
    config = StationConfig("SIM02", csms.url, PASSWORD, visits=(visit, late), meter_interval_s=300)
    station = SimulatedStation(config, clock)
    await station.start()
    try:
        await csms.wait_for("SIM02", "TransactionEvent", lambda e: e["event_type"] == "Started")
        await csms.wait_for("SIM02", "TransactionEvent", lambda e: e["event_type"] == "Ended")
        with pytest.raises(RuntimeError):
            await SimulatedStation(config, clock).send_raw_frame("x")
        station.unplug()  # nothing plugged: no-op
        assert station.pending_requests >= 0
    finally:
        await station.stop()
    started = [e for e in csms.messages("SIM02", "TransactionEvent") if e["event_type"] == "Started"]
    assert len(started) == 1  # the second car's stay ended before the first one left


async def test_plugging_into_an_occupied_station_fails(make_station: StationFactory) -> None:
    station = await make_station()
    await plugged(station)
    with pytest.raises(RuntimeError):
        station.plug_in(car_arriving(station.clock.now()))
