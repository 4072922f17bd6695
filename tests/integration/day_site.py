"""A hub's day in compressed time: Home Assistant's clock drives stations, PV, office and battery."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ssch.sim.battery import EvBattery
from custom_components.ssch.sim.clock import SimClock
from custom_components.ssch.sim.station import SimulatedStation

# The stations poll the clock this often (real seconds): the test moves time in jumps.
_POLL_S = 0.01


class HubClock(SimClock):
    """Simulated stations on Home Assistant's clock, which the test moves forward."""

    def now(self) -> datetime:
        return dt_util.utcnow()

    def to_real_seconds(self, simulated_seconds: float) -> float:
        return min(max(simulated_seconds, 0.0), _POLL_S)


def pv_kw(local: datetime, peak_kw: float = 48.0) -> float:
    """Clear-sky output of the roof: sunrise 05:30, sunset 21:30, highest at 13:30."""
    hour = local.hour + local.minute / 60
    if not 5.5 < hour < 21.5:
        return 0.0
    return peak_kw * math.sin(math.pi * (hour - 5.5) / 16) ** 2


def office_kw(local: datetime) -> float:
    """An office: base load at night, people from 08:00 to 18:00, kitchen peak at noon."""
    hour = local.hour + local.minute / 60
    load = 6.0
    if 8 <= hour < 18:
        load += 14.0
    if 12 <= hour < 13:
        load += 6.0
    return load


@dataclass(slots=True)
class StationaryBattery:
    """A battery that does what its setpoint entity says, within its state of charge."""

    capacity_kwh: float = 100.0
    soc_pct: float = 50.0
    soc_min_pct: float = 10.0
    soc_max_pct: float = 90.0
    power_kw: float = 0.0

    def run(self, setpoint_kw: float, hours: float) -> None:
        """Apply the setpoint for ``hours`` (charging positive) and keep the SoC in its bounds."""
        energy = self.capacity_kwh * self.soc_pct / 100
        low, high = self.capacity_kwh * self.soc_min_pct / 100, self.capacity_kwh * self.soc_max_pct / 100
        wanted = energy + setpoint_kw * hours
        reached = min(max(wanted, min(low, energy)), max(high, energy))
        self.power_kw = (reached - energy) / hours if hours > 0 else 0.0
        self.soc_pct = reached / self.capacity_kwh * 100


@dataclass(slots=True)
class DayLog:
    """What the site really did, step by step, measured at the stations and the meters."""

    grid_kw: list[tuple[datetime, float, float]] = field(default_factory=list)
    cars: dict[int, tuple[str, EvBattery]] = field(default_factory=dict)
    commands: dict[str, set[tuple[datetime, str]]] = field(default_factory=dict)

    def over_limit(self, tolerance_kw: float = 0.5) -> list[tuple[datetime, float, float]]:
        """Steps where the grid import exceeded the limit in force."""
        return [(at, grid, limit) for at, grid, limit in self.grid_kw if grid > limit + tolerance_kw]


class CompressedDay:
    """Moves Home Assistant's time in steps and plays the site's meters along with it."""

    def __init__(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        stations: list[SimulatedStation],
        battery: StationaryBattery,
    ) -> None:
        self.hass = hass
        self.freezer = freezer
        self.stations = stations
        self.battery = battery
        self.log = DayLog()
        self.office_available = True

    def publish(self) -> None:
        """Write the meters' states as their integrations would."""
        local = dt_util.as_local(dt_util.utcnow())
        states = self.hass.states
        states.async_set(
            "sensor.pv_power",
            f"{pv_kw(local) * 1000:.0f}",
            {"unit_of_measurement": "W", "device_class": "power"},
        )
        office = f"{office_kw(local):.2f}" if self.office_available else "unavailable"
        states.async_set(
            "sensor.office_power", office, {"unit_of_measurement": "kW", "device_class": "power"}
        )
        states.async_set(
            "sensor.battery_soc",
            f"{self.battery.soc_pct:.2f}",
            {"unit_of_measurement": "%", "device_class": "battery"},
        )
        states.async_set(
            "sensor.battery_power",
            f"{self.battery.power_kw:.3f}",
            {"unit_of_measurement": "kW", "device_class": "power"},
        )

    def _battery_setpoint(self) -> float:
        state = self.hass.states.get("input_number.battery_setpoint")
        return float(state.state) if state is not None else 0.0

    async def step(self, minutes: float, import_limit_kw: float) -> None:
        """Let ``minutes`` pass, then let the hub and the stations react, and log the grid."""
        self.battery.run(self._battery_setpoint(), minutes / 60)
        self.freezer.tick(timedelta(minutes=minutes))
        self.publish()
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done()
        await asyncio.sleep(3 * _POLL_S)  # the stations see the new time and report
        await self.settle()
        self.record(import_limit_kw)

    async def settle(self) -> None:
        """Wait until no request is in flight either way.

        Time jumps also move the timeouts of calls in flight, which would then expire at once.
        """
        async with asyncio.timeout(10):
            while any(s.pending_requests for s in self.stations if s.connected):  # noqa: ASYNC110
                await asyncio.sleep(_POLL_S)
        await self.hass.async_block_till_done()

    def record(self, import_limit_kw: float) -> None:
        """Log the real grid import and every car seen at a station."""
        local = dt_util.as_local(dt_util.utcnow())
        evs = 0.0
        for station in self.stations:
            evs += station.power_kw
            if station.battery is not None:
                self.log.cars[id(station.battery)] = (station.station_id, station.battery)
            if (command := station.last_setpoint) is not None:
                self.log.commands.setdefault(station.station_id, set()).add((command.at, command.action))
        grid = office_kw(local) + evs - pv_kw(local) + self.battery.power_kw
        self.log.grid_kw.append((dt_util.utcnow(), grid, import_limit_kw))
