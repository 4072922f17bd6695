"""How the station copes with a CSMS that is slow, picky, absent or refusing."""

from __future__ import annotations

import asyncio
import runpy
import sys
from typing import Any

import pytest

from custom_components.ssch.sim import OcppVersion, SimClock, SimulatedStation, StationConfig, car_arriving
from custom_components.ssch.sim.link import ConnectionLostError
from custom_components.ssch.sim.session import _until_first_ends
from tests.sim.conftest import StationFactory, eventually, plugged
from tests.sim.csms_fixture import FixtureCsms


async def test_pending_boot_is_retried_then_heartbeats_flow(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    csms.boot_statuses = ["Pending"]
    csms.heartbeat_interval_s = 1
    station = await make_station(connect=False)
    await station.start()  # a second start is a no-op
    await station.wait_connected(3.0)
    assert len(csms.messages("SIM01", "BootNotification")) == 2
    await csms.wait_for("SIM01", "Heartbeat", timeout_s=10.0)


async def test_call_errors_and_timeouts_are_counted_and_skipped(
    csms: FixtureCsms, make_station: StationFactory
) -> None:
    csms.charging_needs_behaviour = "error"
    station = await make_station(call_timeout_s=0.5)
    await plugged(station)
    await eventually(lambda: station.stats.call_errors >= 1)

    csms.charging_needs_behaviour = "slow"
    station.unplug()
    await plugged(station)
    await eventually(lambda: station.stats.call_timeouts >= 1)
    # later requests still go through
    await csms.wait_for("SIM01", "TransactionEvent", lambda e: e["trigger_reason"] == "MeterValuePeriodic")


async def test_rejected_card_gets_no_transaction(csms: FixtureCsms, make_station: StationFactory) -> None:
    csms.authorize_status = "Invalid"
    station = await make_station()
    station.plug_in(car_arriving(station.clock.now()))
    await csms.wait_for("SIM01", "Authorize")
    await asyncio.sleep(0.1)
    assert station.transaction_id is None
    assert station.power_kw == 0
    assert station.connector_status == "Occupied"


async def test_a_bad_answer_handler_does_not_stop_the_station(
    make_station: StationFactory,
) -> None:
    station = await make_station()

    def explode(_: Any) -> None:
        raise KeyError("surprise")

    station.outbox.put(station.firmware.heartbeat(), explode)
    station.outbox.put(station.firmware.heartbeat())
    await eventually(lambda: station.stats.calls_sent["Heartbeat"] == 2 and not station.outbox)
    assert station.connected


async def test_unaccepted_subprotocol_never_connects(csms: FixtureCsms, clock: SimClock) -> None:
    csms.subprotocols = ("ocpp2.1",)
    config = StationConfig("SIM01", csms.url, "x", ocpp_version=OcppVersion.V201, reconnect_initial_s=0.01)
    station = SimulatedStation(config, clock)
    await station.start()
    await asyncio.sleep(0.2)
    assert not station.connected
    assert station.stats.connects == 0
    with pytest.raises(ConnectionLostError):
        await station.send_raw_frame("hello")
    await station.stop()


async def test_unexpected_failures_propagate() -> None:
    async def broken() -> None:
        raise ValueError("bug")

    async def forever() -> None:
        await asyncio.Event().wait()

    with pytest.raises(ValueError, match="bug"):
        await _until_first_ends([asyncio.create_task(broken()), asyncio.create_task(forever())])


def test_module_entry_point_prints_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["sim", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("custom_components.ssch.sim", run_name="__main__")
    assert exit_info.value.code == 0
    assert "--stations" in capsys.readouterr().out
