"""One simulated charging station: an EVSE with a car schedule, battery physics and an OCPP link.

The part every OCPP version shares lives here: the car arriving and leaving, the energy it takes,
the connection. What goes over the wire, and how much power the CSMS allows, is the business of the
firmware of the configured version (:mod:`.ocpp2` for 2.1 / 2.0.1, :mod:`.ocpp16` for 1.6).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from .battery import EvBattery
from .clock import SimClock
from .config import CarVisit, OcppVersion, StationConfig
from .firmware import Firmware
from .ocpp2.firmware import Ocpp2Firmware
from .ocpp16.firmware import Ocpp16Firmware
from .outbox import Outbox
from .session import StationSession
from .stats import LinkStats

# The physics loop looks at the station at least this often (simulated) when meter values are off.
_IDLE_RECHECK_S = 60.0


@dataclass(frozen=True, slots=True)
class ReceivedCommand:
    """The last smart-charging command the CSMS sent (snake_case payload as received)."""

    at: datetime
    action: str
    payload: dict[str, Any]


class SimulatedStation:
    """A charging station with one EVSE that follows the CSMS like compliant firmware would.

    ``firmware`` speaks ``config.ocpp_version``: an :class:`Ocpp2Firmware` for 2.1 and 2.0.1, an
    :class:`Ocpp16Firmware` for 1.6. Its profiles, configuration and transaction bookkeeping are
    reached through it.
    """

    def __init__(
        self,
        config: StationConfig,
        clock: SimClock | None = None,
        http: aiohttp.ClientSession | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or SimClock()
        self.stats = LinkStats()
        self.outbox = Outbox()
        self.battery: EvBattery | None = None
        self.power_kw = 0.0
        self.energy_import_wh = 0.0
        self.energy_export_wh = 0.0
        self.charging_state: str | None = None
        self.last_setpoint: ReceivedCommand | None = None
        self.heartbeat_interval_s: float | None = None
        self._http = http
        self._owns_http = http is None
        self._session: StationSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending_visits = deque(sorted(config.visits, key=lambda visit: visit.arrival))
        self._last_integration = self.clock.now()
        self._offline_since: datetime | None = self.clock.now()
        self._online = asyncio.Event()
        self._wake = asyncio.Event()
        self.firmware: Firmware = (
            Ocpp16Firmware(self) if config.ocpp_version is OcppVersion.V16 else Ocpp2Firmware(self)
        )

    # ----- observable state -------------------------------------------------------------------
    @property
    def station_id(self) -> str:
        return self.config.station_id

    @property
    def connected(self) -> bool:
        return self._online.is_set()

    @property
    def soc_percent(self) -> float | None:
        return self.battery.soc_percent if self.battery else None

    @property
    def transaction_id(self) -> str | int | None:
        """Return the running transaction's id: a string on 2.x, the CSMS's integer on 1.6."""
        return self.firmware.transaction_id

    @property
    def connector_status(self) -> str:
        return self.firmware.connector_status

    @property
    def meter_interval_s(self) -> float:
        return self.firmware.meter_interval_s

    @property
    def messages_logged(self) -> int:
        """Return how many OCPP requests went either way so far."""
        return self.stats.messages_total

    @property
    def pending_requests(self) -> int:
        return len(self.outbox)

    # ----- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start connecting and simulating; returns at once."""
        if self._tasks:
            return
        if self._http is None:
            self._http = aiohttp.ClientSession()
        self._session = StationSession(
            self.config, self, self.firmware, outbox=self.outbox, stats=self.stats, http=self._http
        )
        self._last_integration = self.clock.now()
        self._tasks = [
            asyncio.create_task(self._session.run_forever(), name=f"{self.station_id}-link"),
            asyncio.create_task(self._simulate(), name=f"{self.station_id}-physics"),
        ]

    async def stop(self) -> None:
        """Stop simulating and close the connection."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._online.clear()
        if self._owns_http and self._http is not None:
            await self._http.close()
            self._http = None

    async def wait_connected(self, timeout_s: float = 10.0) -> None:
        """Wait until the CSMS has accepted the boot."""
        async with asyncio.timeout(timeout_s):
            await self._online.wait()

    async def drop_connection(self) -> None:
        """Lose the network for a moment, as a station on a weak link does."""
        if self._session is not None:
            await self._session.drop()

    async def send_raw_frame(self, text: str) -> None:
        """Send one frame exactly as given (for server robustness tests)."""
        if self._session is None:
            raise RuntimeError("station not started")
        await self._session.send_raw(text)

    # ----- cars ---------------------------------------------------------------------------------
    def plug_in(self, visit: CarVisit) -> None:
        """Plug a car in now; it stays until ``visit.departure`` or :meth:`unplug`."""
        if self.battery is not None:
            raise RuntimeError(f"{self.station_id} already has a car plugged in")
        now = self.clock.now()
        self.settle(now)
        self._arrive(visit, now)
        self._wake.set()

    def unplug(self) -> None:
        """Unplug the current car now (no-op without one)."""
        now = self.clock.now()
        self.settle(now)
        self._depart(now)
        self._wake.set()

    def _arrive(self, visit: CarVisit, now: datetime) -> None:
        self.battery = EvBattery(visit)
        self.firmware.on_car_arrived(now)

    def _depart(self, now: datetime) -> None:
        if self.battery is None:
            return
        self.firmware.on_car_leaving(now)
        self.battery = None
        self.power_kw = 0.0
        self.charging_state = "Idle"

    def _follow_schedule(self, now: datetime) -> None:
        if self.battery is not None and now >= self.battery.visit.departure:
            self._depart(now)
        while self.battery is None and self._pending_visits:
            visit = self._pending_visits[0]
            if visit.arrival > now:
                break
            self._pending_visits.popleft()
            if visit.departure > now:
                self._arrive(visit, now)

    # ----- physics ------------------------------------------------------------------------------
    async def _simulate(self) -> None:
        while True:
            now = self.clock.now()
            self.settle(now)
            self._follow_schedule(now)
            self.refresh_power(now)
            firmware_deadline = self.firmware.on_tick(now)
            self._wake.clear()
            wake_at = self._next_wake(now, firmware_deadline)
            try:
                async with asyncio.timeout(self.clock.to_real_seconds((wake_at - now).total_seconds())):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _next_wake(self, now: datetime, firmware_deadline: datetime | None) -> datetime:
        recheck_s = self.firmware.meter_interval_s or _IDLE_RECHECK_S
        candidates = [now + timedelta(seconds=recheck_s)]
        if firmware_deadline is not None:
            candidates.append(firmware_deadline)
        if self.battery is not None:
            candidates.append(self.battery.visit.departure)
        elif self._pending_visits:
            candidates.append(self._pending_visits[0].arrival)
        return min(candidates)

    def settle(self, now: datetime) -> None:
        """Account the energy moved since the last call at the current power."""
        seconds = (now - self._last_integration).total_seconds()
        self._last_integration = now
        if self.battery is None or self.power_kw == 0 or seconds <= 0:
            return
        moved_kwh = self.battery.transfer(self.power_kw, seconds)
        if moved_kwh >= 0:
            self.energy_import_wh += moved_kwh * 1000.0
        else:
            self.energy_export_wh -= moved_kwh * 1000.0

    def offline_seconds(self, now: datetime) -> float | None:
        if self._offline_since is None:
            return None
        return (now - self._offline_since).total_seconds()

    def refresh_power(self, now: datetime, *, report: bool = True) -> None:
        """Decide the power again; ``report`` tells the firmware when the charging state changes."""
        battery = self.battery
        if battery is None or not self.firmware.transaction_active:
            self.power_kw = 0.0
            return
        if self.config.misbehaviour.ignore_setpoints:
            offered_kw = self.config.evse_max_power_kw
        else:
            offered_kw = self.firmware.offered_power_kw(now, self.offline_seconds(now))
        self.power_kw = battery.accepted_power_kw(offered_kw)
        if self.power_kw != 0:
            state = "Charging"
        elif offered_kw != 0:
            state = "SuspendedEV"
        else:
            state = "SuspendedEVSE"
        if state != self.charging_state:
            self.charging_state = state
            if report:
                self.firmware.on_charging_state_changed(now)

    def stop_charging(self) -> None:
        self.power_kw = 0.0
        self.charging_state = "Idle" if self.battery is None else "EVConnected"

    def wake(self) -> None:
        self._wake.set()

    def apply_command(self, action: str, payload: dict[str, Any], change: Callable[[datetime], str]) -> str:
        """Settle up to now, apply a CSMS command, and decide the power again at once."""
        now = self.clock.now()
        self.settle(now)
        status = str(change(now))
        if status == "Accepted":
            self.last_setpoint = ReceivedCommand(now, action, payload)
        self.refresh_power(now)
        self._wake.set()
        return status

    # ----- connection ---------------------------------------------------------------------------
    def on_online(self, heartbeat_interval_s: float) -> None:
        now = self.clock.now()
        self.settle(now)
        self.heartbeat_interval_s = heartbeat_interval_s
        self._offline_since = None
        self._online.set()
        self.firmware.on_online(now, heartbeat_interval_s)
        self.refresh_power(now)

    def on_offline(self) -> None:
        now = self.clock.now()
        self.settle(now)
        self._offline_since = now
        self._online.clear()
        self._wake.set()

    def set_heartbeat_interval(self, seconds: float) -> None:
        self.heartbeat_interval_s = seconds

    def reboot(self, *, graceful: bool) -> None:
        if self._session is not None:
            reconnect = self._session.reconnect(flush_first=graceful)
            self._tasks.append(asyncio.create_task(reconnect, name=f"{self.station_id}-reboot"))
