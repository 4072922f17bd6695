"""1.6 smart charging over the wire: limits in A per phase (or W), minimum current, composite schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ocpp.v16 import call
import pytest

from custom_components.ssch.sim import OcppVersion, SimClock, SimulatedStation
from custom_components.ssch.sim.clock import ocpp_timestamp, parse_ocpp_timestamp
from tests.sim.conftest import StationFactory, eventually, plugged16
from tests.sim.csms_fixture import FixtureCsms
from tests.sim.ocpp16_helpers import profile16, readings, set_profile16, statuses, tx_limit

KW_PER_AMPERE_3P = 3 * 230 / 1000


async def wallbox(make_station: StationFactory, **options: Any) -> SimulatedStation:
    return await make_station(version=OcppVersion.V16, **options)


async def test_tx_profile_in_amperes_limits_the_power(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await wallbox(make_station)
    await plugged16(station, soc_percent=30)

    assert (await csms.call("SIM01", tx_limit(station, 10))).status == "Accepted"
    assert station.power_kw == pytest.approx(10 * KW_PER_AMPERE_3P)
    assert station.last_setpoint is not None
    assert station.last_setpoint.payload["charging_schedule"]["charging_schedule_period"][0]["limit"] == 10

    await csms.call("SIM01", tx_limit(station, 12, number_phases=1, profile_id=2))  # same slot: replaced
    assert station.power_kw == pytest.approx(12 * 230 / 1000)
    await csms.call("SIM01", call.TriggerMessage(requested_message="MeterValues", connector_id=1))
    triggered = await csms.wait_for(
        "SIM01", "MeterValues", lambda m: m["meter_value"][0]["sampled_value"][0]["context"] == "Trigger"
    )
    values = readings(triggered)
    assert (values["Current.Import", "L1"], values["Current.Import", "L2"]) == ("12", "0")
    assert values["Power.Active.Import", None] == "2760"


async def test_limit_below_the_minimum_current_pauses_the_car(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await wallbox(make_station)
    await plugged16(station, soc_percent=30)

    await csms.call("SIM01", tx_limit(station, 5.9))
    assert station.power_kw == 0
    assert station.charging_state == "SuspendedEVSE"
    await eventually(lambda: statuses(csms.messages("SIM01", "StatusNotification"), 1)[-1] == "SuspendedEVSE")

    await csms.call("SIM01", tx_limit(station, 6))
    assert station.power_kw == pytest.approx(6 * KW_PER_AMPERE_3P)
    await eventually(lambda: statuses(csms.messages("SIM01", "StatusNotification"), 1)[-1] == "Charging")


async def test_station_minimum_current_is_an_option(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station, min_current_a=8.0, phases=1, evse_max_power_kw=7.36)
    await plugged16(station, soc_percent=30)
    assert station.power_kw == pytest.approx(7.36)

    await csms.call("SIM01", tx_limit(station, 7))
    assert station.power_kw == 0
    await csms.call("SIM01", tx_limit(station, 8))
    assert station.power_kw == pytest.approx(8 * 230 / 1000)


async def test_default_profiles_apply_to_a_new_transaction(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await wallbox(make_station)
    everywhere = profile16(8, purpose="TxDefaultProfile", profile_id=1)
    assert (await csms.call("SIM01", set_profile16(everywhere, connector_id=0))).status == "Accepted"

    await plugged16(station, soc_percent=30)
    assert station.power_kw == pytest.approx(8 * KW_PER_AMPERE_3P)

    this_connector = profile16(12, purpose="TxDefaultProfile", profile_id=2)
    assert (await csms.call("SIM01", set_profile16(this_connector, connector_id=1))).status == "Accepted"
    assert station.power_kw == pytest.approx(12 * KW_PER_AMPERE_3P)  # connector-specific beats connector 0

    cap = profile16(7, purpose="ChargePointMaxProfile", profile_id=3, kind="Absolute")
    assert (await csms.call("SIM01", set_profile16(cap, connector_id=1))).status == "Rejected"
    assert (await csms.call("SIM01", set_profile16(cap, connector_id=0))).status == "Accepted"
    assert station.power_kw == pytest.approx(7 * KW_PER_AMPERE_3P)

    assert (await csms.call("SIM01", tx_limit(station, 16, stack_level=1, profile_id=4))).status == "Accepted"
    assert station.power_kw == pytest.approx(7 * KW_PER_AMPERE_3P)  # still capped

    clear = call.ClearChargingProfile
    assert (await csms.call("SIM01", clear(id=3))).status == "Accepted"
    assert station.power_kw == 11.0  # the TxProfile's 16 A, within the EVSE's 11 kW
    assert (await csms.call("SIM01", clear(charging_profile_purpose="TxProfile"))).status == "Accepted"
    assert station.power_kw == pytest.approx(12 * KW_PER_AMPERE_3P)
    assert (await csms.call("SIM01", clear(connector_id=1, stack_level=0))).status == "Accepted"
    assert station.power_kw == pytest.approx(8 * KW_PER_AMPERE_3P)
    assert (await csms.call("SIM01", clear(id=99))).status == "Unknown"


async def test_profiles_the_station_refuses(csms: FixtureCsms, make_station: StationFactory) -> None:
    station = await wallbox(make_station)
    no_transaction = profile16(10)
    assert (await csms.call("SIM01", set_profile16(no_transaction))).status == "Rejected"

    await plugged16(station, soc_percent=30)
    refused = [
        set_profile16(profile16(10, transaction_id=4242)),  # not the running transaction
        set_profile16(profile16(10), connector_id=0),  # a TxProfile needs the connector
        set_profile16(profile16(10), connector_id=2),  # no such connector
        tx_limit(station, 5000, unit="W"),  # this station takes amperes only
        tx_limit(station, 10, stack_level=11),  # above ChargeProfileMaxStackLevel
        set_profile16(profile16(10, kind="Recurring")),  # recurring without a recurrency kind
    ]
    for request in refused:
        assert (await csms.call("SIM01", request)).status == "Rejected"
    assert station.power_kw == 11.0


async def test_power_limits_when_the_station_allows_them(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    station = await wallbox(make_station, charging_rate_units="Current,Power")
    await plugged16(station, soc_percent=30)
    assert (await csms.call("SIM01", tx_limit(station, 5000, unit="W"))).status == "Accepted"
    assert station.power_kw == pytest.approx(5.0)
    await csms.call("SIM01", tx_limit(station, 4000, unit="W"))  # 5.8 A per phase: below 6 A
    assert station.power_kw == 0


async def test_composite_schedule(csms: FixtureCsms, make_station: StationFactory, clock: SimClock) -> None:
    station = await wallbox(make_station)
    start = ocpp_timestamp(clock.now())
    default = profile16(
        16,
        purpose="TxDefaultProfile",
        kind="Absolute",
        periods=[{"start_period": 0, "limit": 16}, {"start_period": 3600, "limit": 6}],
        start_schedule=start,
    )
    cap = profile16(10, purpose="ChargePointMaxProfile", profile_id=2, kind="Absolute")
    for profile in (default, cap):
        assert (await csms.call("SIM01", set_profile16(profile, connector_id=0))).status == "Accepted"

    answer = await csms.call("SIM01", call.GetCompositeSchedule(connector_id=1, duration=7200))
    assert answer.status == "Accepted"
    assert answer.connector_id == 1
    schedule = answer.charging_schedule
    assert (schedule["duration"], schedule["charging_rate_unit"]) == (7200, "A")
    periods = [(p["start_period"], float(p["limit"])) for p in schedule["charging_schedule_period"]]
    assert [limit for _, limit in periods] == [10.0, 6.0]
    # the station's clock moved on since the profile was sent: the change stays at start + 1 h
    change_at = parse_ocpp_timestamp(answer.schedule_start) + timedelta(seconds=periods[1][0])
    assert abs(change_at - (parse_ocpp_timestamp(start) + timedelta(hours=1))) <= timedelta(seconds=1)

    in_watts = await csms.call(
        "SIM01", call.GetCompositeSchedule(connector_id=0, duration=600, charging_rate_unit="W")
    )
    assert [float(p["limit"]) for p in in_watts.charging_schedule["charging_schedule_period"]] == [6900.0]
    rejected = await csms.call("SIM01", call.GetCompositeSchedule(connector_id=4, duration=60))
    assert rejected.status == "Rejected"
    assert station.connected
