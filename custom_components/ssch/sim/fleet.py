"""Many simulated stations sharing one clock and one HTTP client session."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
import random

import aiohttp

from .clock import SimClock
from .config import OcppVersion, StationConfig
from .schedule import random_visits
from .station import SimulatedStation


def fleet_configs(
    url: str,
    count: int,
    *,
    prefix: str = "SIM",
    password: str | None = None,
    version: OcppVersion = OcppVersion.V21,
    versions: Sequence[OcppVersion] | None = None,
    seed: int | None = 1,
    start: datetime | None = None,
    days: int = 2,
    template: StationConfig | None = None,
) -> list[StationConfig]:
    """Build ``count`` configs named ``<prefix>01..`` with seeded random car schedules.

    ``versions`` mixes OCPP versions: station n speaks ``versions[(n - 1) % len(versions)]``, so
    ``(V21, V201, V16)`` gives SIM01 2.1, SIM02 2.0.1, SIM03 1.6, SIM04 2.1 and so on. Without it
    every station speaks ``version``.
    """
    cycle = tuple(versions) if versions else (version,)
    width = max(2, len(str(count)))
    base = template or StationConfig(station_id="", url=url)
    rng = random.Random(seed)
    configs = []
    for number in range(1, count + 1):
        station_id = f"{prefix}{number:0{width}d}"
        visits = random_visits(rng, start, days, id_token=f"TAG{station_id}") if start else ()
        configs.append(
            replace(
                base,
                station_id=station_id,
                url=url,
                password=password,
                ocpp_version=cycle[(number - 1) % len(cycle)],
                visits=visits,
            )
        )
    return configs


class SimulatedFleet:
    """Runs many :class:`SimulatedStation` (of any OCPP versions) on one event loop."""

    def __init__(self, configs: Iterable[StationConfig], clock: SimClock | None = None) -> None:
        self.clock = clock or SimClock()
        self._configs = list(configs)
        self._http: aiohttp.ClientSession | None = None
        self.stations: list[SimulatedStation] = []

    def __getitem__(self, station_id: str) -> SimulatedStation:
        for station in self.stations:
            if station.station_id == station_id:
                return station
        raise KeyError(station_id)

    async def start(self, stagger_s: float = 0.0) -> None:
        """Start every station, ``stagger_s`` real seconds apart (0: all at once)."""
        # No connection limit: every station holds its own websocket.
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        for config in self._configs:
            station = SimulatedStation(config, self.clock, self._http)
            self.stations.append(station)
            await station.start()
            if stagger_s:
                await asyncio.sleep(stagger_s)

    async def wait_connected(self, timeout_s: float = 30.0) -> None:
        """Wait until every station has booted."""
        async with asyncio.timeout(timeout_s):
            await asyncio.gather(*(s.wait_connected(timeout_s) for s in self.stations))

    async def stop(self) -> None:
        await asyncio.gather(*(station.stop() for station in self.stations))
        if self._http is not None:
            await self._http.close()
            self._http = None

    @property
    def connected_count(self) -> int:
        return sum(station.connected for station in self.stations)

    def round_trips_ms(self) -> list[float]:
        """Return every CALL round trip measured so far, over all stations."""
        return [rtt for station in self.stations for rtt in station.stats.round_trips_ms]

    def messages_total(self) -> int:
        return sum(station.stats.messages_total for station in self.stations)
