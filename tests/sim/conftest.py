"""Fixtures of the simulator tests: a loopback CSMS and fast simulated time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import pytest

from custom_components.ssch.sim import OcppVersion, SimClock, SimulatedStation, StationConfig, car_arriving
from tests.sim.csms_fixture import FixtureCsms

PASSWORD = "correct horse"
SPEED = 3600.0


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(socket_enabled: None) -> None:
    """No ``hass`` instance here (the simulator runs without Home Assistant); loopback sockets."""


@pytest.fixture
async def csms() -> AsyncGenerator[FixtureCsms]:
    server = FixtureCsms(passwords={f"SIM0{n}": PASSWORD for n in range(1, 10)})
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> SimClock:
    return SimClock(speed=SPEED)


StationFactory = Callable[..., Awaitable[SimulatedStation]]


@pytest.fixture
async def make_station(csms: FixtureCsms, clock: SimClock) -> AsyncGenerator[StationFactory]:
    """Start stations against the fixture CSMS; every one is stopped after the test."""
    started: list[SimulatedStation] = []

    async def factory(
        station_id: str = "SIM01",
        version: OcppVersion = OcppVersion.V21,
        connect: bool = True,
        **options: object,
    ) -> SimulatedStation:
        settings: dict[str, object] = {
            "meter_interval_s": 300.0,
            "reconnect_initial_s": 0.05,
            "reconnect_max_s": 0.2,
            **options,
        }
        config = StationConfig(
            station_id=station_id,
            url=csms.url,
            password=PASSWORD,
            ocpp_version=version,
            **settings,  # type: ignore[arg-type]
        )
        station = SimulatedStation(config, clock)
        started.append(station)
        await station.start()
        if connect:
            await station.wait_connected(5.0)
        return station

    yield factory
    for station in started:
        await station.stop()


async def eventually(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Wait until ``condition()`` holds (polling), failing after ``timeout_s``."""
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 - state of other objects, no event to wait on
            await asyncio.sleep(0.01)


def samples(event: dict[str, Any]) -> dict[str, float]:
    values = event["meter_value"][0]["sampled_value"]
    return {value["measurand"]: value["value"] for value in values}


async def plugged(station: SimulatedStation, **car: Any) -> str:
    """Plug a car into a 2.x station and return the id of the transaction it starts."""
    transaction_id = await _plugged(station, **car)
    assert isinstance(transaction_id, str)
    return transaction_id


async def plugged16(station: SimulatedStation, **car: Any) -> int:
    """Plug a car into a 1.6 station and return the id the CSMS gave its transaction."""
    transaction_id = await _plugged(station, **car)
    assert isinstance(transaction_id, int)
    return transaction_id


async def _plugged(station: SimulatedStation, **car: Any) -> str | int:
    station.plug_in(car_arriving(station.clock.now(), **car))
    await eventually(lambda: station.transaction_id is not None)
    assert station.transaction_id is not None
    return station.transaction_id
