"""Battery physics, the power decision, the clock and the device model."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import time

import pytest

from custom_components.ssch.sim import CarVisit, OcppVersion, SimClock, V2xLimits, car_arriving
from custom_components.ssch.sim.battery import EvBattery
from custom_components.ssch.sim.clock import ocpp_timestamp, parse_ocpp_timestamp
from custom_components.ssch.sim.ocpp2.control import requested_power_kw
from custom_components.ssch.sim.ocpp2.device_model import DeviceModel
from custom_components.ssch.sim.ocpp2.profiles import ProfileCommand
from custom_components.ssch.sim.stats import LinkStats, percentile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def battery(soc: float, v2x: V2xLimits | None = None, capacity: float = 50.0) -> EvBattery:
    return EvBattery(car_arriving(NOW, capacity_kwh=capacity, soc_percent=soc, v2x=v2x))


def test_charge_stops_at_full() -> None:
    car = battery(99.0)
    assert car.capacity_kwh == 50.0
    moved = car.transfer(11.0, 3600)
    assert moved == pytest.approx(0.5)
    assert car.soc_percent == pytest.approx(100.0)
    assert car.accepted_power_kw(11.0) == 0.0


def test_discharge_stops_at_v2x_floor() -> None:
    car = battery(21.0, V2xLimits(max_discharge_power_kw=7.0, min_soc_percent=20.0))
    assert car.can_discharge
    assert car.accepted_power_kw(-20.0) == -7.0
    assert car.transfer(-7.0, 3600) == pytest.approx(-0.5)
    assert car.soc_percent == pytest.approx(20.0)
    assert car.accepted_power_kw(-7.0) == 0.0


def test_car_power_limits() -> None:
    car = battery(50.0, V2xLimits(max_discharge_power_kw=7.0, min_discharge_power_kw=2.0))
    assert car.accepted_power_kw(22.0) == 11.0
    assert car.accepted_power_kw(1.0) == 0.0  # below the car's minimum charge power
    assert car.accepted_power_kw(-1.0) == 0.0  # below its minimum discharge power
    assert car.accepted_power_kw(0.0) == 0.0
    assert not battery(50.0).can_discharge
    assert battery(50.0).accepted_power_kw(-3.0) == 0.0
    assert battery(50.0).transfer(11.0, -5) == 0.0


def test_visit_validation() -> None:
    with pytest.raises(ValueError, match="leave after"):
        CarVisit(NOW, NOW, 10.0, 50.0)
    with pytest.raises(ValueError, match="initial energy"):
        CarVisit(NOW, NOW + timedelta(hours=1), 60.0, 50.0)


def command(mode: str | None, **watts: float) -> ProfileCommand:
    return ProfileCommand(
        profile_id=1,
        operation_mode=mode,
        limit_w=watts.get("limit"),
        setpoint_w=watts.get("setpoint"),
        discharge_limit_w=watts.get("discharge_limit"),
    )


@pytest.mark.parametrize(
    ("wish", "station_limit_w", "allowed", "expected_kw"),
    [
        (None, None, False, 11.0),
        (command("Idle", setpoint=5000), None, True, 0.0),
        (command("CentralSetpoint", setpoint=-9000, discharge_limit=-4000), None, True, -4.0),
        (command("CentralSetpoint", setpoint=9000, limit=6000), None, True, 6.0),
        (command("CentralSetpoint", setpoint=-5000), None, False, 0.0),
        (command("CentralSetpoint", setpoint=-50_000), None, True, -11.0),
        (command("CentralSetpoint", setpoint=-8000), 3000.0, True, -3.0),
        (command("ChargingOnly", limit=4000), None, True, 4.0),
        (command(None, limit=-4000), None, True, 0.0),
        (command("ExternalLimits"), 2000.0, True, 2.0),
        (command("CentralSetpoint", limit=5000), None, True, 5.0),
    ],
)
def test_requested_power(
    wish: ProfileCommand | None, station_limit_w: float | None, allowed: bool, expected_kw: float
) -> None:
    assert requested_power_kw(wish, 11.0, station_limit_w, allowed) == pytest.approx(expected_kw)


async def test_clock_runs_compressed() -> None:
    clock = SimClock(speed=1000, start=NOW)
    started = time.monotonic()
    await clock.sleep(50)
    await clock.sleep_until(clock.now() - timedelta(seconds=5))
    assert time.monotonic() - started < 0.5
    assert clock.now() >= NOW + timedelta(seconds=50)
    assert clock.to_real_seconds(-3) == 0.0
    with pytest.raises(ValueError, match="positive"):
        SimClock(speed=0)
    await asyncio.sleep(0)


def test_timestamps_round_trip() -> None:
    text = ocpp_timestamp(NOW + timedelta(microseconds=123456))
    assert text == "2026-06-01T12:00:00.123Z"
    assert parse_ocpp_timestamp(text) == NOW + timedelta(milliseconds=123)
    assert parse_ocpp_timestamp("2026-06-01T12:00:00") == NOW


def test_device_model_get_and_set() -> None:
    intervals: list[float] = []
    model = DeviceModel(OcppVersion.V21, 60, 11, intervals.append)
    assert model.value("V2XChargingCtrlr", "Enabled") == "true"

    def variable(component: str, name: str, value: str | None = None) -> dict[str, object]:
        entry: dict[str, object] = {"component": {"name": component}, "variable": {"name": name}}
        if value is not None:
            entry["attribute_value"] = value
        return entry

    answers = model.set(
        [
            variable("SampledDataCtrlr", "TxUpdatedInterval", "30"),
            variable("OCPPCommCtrlr", "HeartbeatInterval", "-1"),
            variable("OCPPCommCtrlr", "HeartbeatInterval", "soon"),
            variable("SmartChargingCtrlr", "Enabled", "false"),
            variable("Nope", "Nothing", "1"),
        ]
    )
    assert [a["attribute_status"] for a in answers] == [
        "Accepted",
        "Rejected",
        "Rejected",
        "Rejected",
        "UnknownVariable",
    ]
    assert intervals == [30.0]
    assert model.get([variable("SampledDataCtrlr", "TxUpdatedInterval")])[0]["attribute_value"] == "30"


def test_percentiles_and_totals() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 0.5) == pytest.approx(50.5, abs=0.2)
    assert percentile(samples, 0.99) == pytest.approx(99.0, abs=0.2)
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN
    stats = LinkStats()
    stats.calls_sent["Heartbeat"] += 2
    stats.calls_received["Reset"] += 1
    assert stats.messages_total == 3
