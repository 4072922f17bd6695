"""The simulator against the project's own CSMS (custom_components.ssch.csms), end to end."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from custom_components.ssch.csms.auth import hash_password
from custom_components.ssch.csms.commands import VariableRef
from custom_components.ssch.csms.registry import StationConfig as CsmsStationConfig, StationRegistry
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.csms.store import MemoryStore
from custom_components.ssch.sim import (
    OcppVersion,
    SimClock,
    SimulatedStation,
    StationConfig,
    V2xLimits,
    car_arriving,
)
from custom_components.ssch.sim.ocpp2.firmware import Ocpp2Firmware
from tests.sim.conftest import PASSWORD, eventually

V2X = V2xLimits(max_discharge_power_kw=7.0)


@pytest.fixture
async def server() -> AsyncGenerator[CsmsServer]:
    password_hash = hash_password(PASSWORD)
    registry = StationRegistry(
        {
            station_id: CsmsStationConfig(
                password_hash, bidirectional=True, max_charge_kw=11.0, max_discharge_kw=11.0
            )
            for station_id in ("SIM01", "SIM02")
        }
    )
    csms = CsmsServer("127.0.0.1", 0, registry, MemoryStore())
    await csms.start()
    yield csms
    await csms.stop()


async def start_station(server: CsmsServer, station_id: str, version: OcppVersion) -> SimulatedStation:
    config = StationConfig(
        station_id,
        f"ws://127.0.0.1:{server.port}/ocpp",
        PASSWORD,
        ocpp_version=version,
        meter_interval_s=60,
    )
    station = SimulatedStation(config, SimClock(speed=600))
    await station.start()
    await station.wait_connected(10)
    station.plug_in(car_arriving(station.clock.now(), soc_percent=50, v2x=V2X))
    await eventually(lambda: station.transaction_id is not None)
    await eventually(lambda: server.state(station_id).evse(1).transaction_id is not None)
    return station


async def test_v2g_setpoints_over_ocpp_21(server: CsmsServer) -> None:
    station = await start_station(server, "SIM01", OcppVersion.V21)
    handle = server.station("SIM01")
    try:
        assert server.state("SIM01").evse(1).transaction_id == station.transaction_id
        assert isinstance(station.firmware, Ocpp2Firmware)
        assert "AC_BPT" in station.firmware.allowed_energy_transfer

        first = await handle.set_setpoint(1, -5.0)
        assert first.action == "SetChargingProfile"
        assert station.power_kw == pytest.approx(-5.0)

        second = await handle.set_setpoint(1, 3.0)
        assert second.action == "UpdateDynamicSchedule"
        assert station.power_kw == pytest.approx(3.0)

        await handle.set_setpoint(1, -20.0)  # beyond the car: the car's 7 kW wins
        assert station.power_kw == pytest.approx(-7.0)

        await handle.clear_setpoint(1)
        assert station.power_kw == pytest.approx(11.0)

        results = await handle.get_variables([VariableRef("V2XChargingCtrlr", "Enabled")])
        assert results[0]["attributeValue"] == "true"

        await handle.stop_transaction(1)
        await eventually(lambda: server.state("SIM01").evse(1).transaction_id is None)
        assert station.power_kw == 0
    finally:
        await station.stop()


async def test_charge_limit_over_ocpp_201(server: CsmsServer) -> None:
    station = await start_station(server, "SIM02", OcppVersion.V201)
    try:
        result = await server.station("SIM02").set_setpoint(1, 5.0)
        assert result.action == "SetChargingProfile"
        assert station.power_kw == pytest.approx(5.0, abs=0.05)
        # below the 6 A a car needs on three phases (4.14 kW): the minimum, never less
        assert (await server.station("SIM02").set_setpoint(1, 3.0)).applied_kw == pytest.approx(4.14)
        assert station.power_kw == pytest.approx(4.14, abs=0.05)
        discharge = await server.station("SIM02").set_setpoint(1, -4.0)
        assert discharge.applied_kw == 0
        assert station.power_kw == 0
    finally:
        await station.stop()


async def test_a_dropped_connection_loses_no_energy(server: CsmsServer) -> None:
    station = await start_station(server, "SIM02", OcppVersion.V21)
    try:
        for drop in range(1, 4):
            await station.drop_connection()
            await eventually(lambda drop=drop: station.stats.connects == 1 + drop and station.connected)
        station.unplug()
        await eventually(lambda: station.pending_requests == 0)
        charged = server.state("SIM02").evse(1).energy_charged_kwh
        assert charged > 0.0
        assert charged == pytest.approx(station.energy_import_wh / 1000.0, abs=1e-3)
    finally:
        await station.stop()
    await station.drop_connection()  # stopped: nothing to drop
