"""One simulated charging station: an EVSE with a car schedule, battery physics and OCPP."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any
import uuid

import aiohttp
from ocpp.v21 import call as call_v21
from ocpp.v201 import call as call_v201

from . import messages
from .battery import EvBattery
from .clock import SimClock
from .config import CarVisit, OcppVersion, StationConfig
from .control import requested_power_kw
from .device_model import DeviceModel
from .outbox import Outbox
from .profiles import ProfileStore
from .session import StationSession
from .stats import LinkStats

_LOGGER = logging.getLogger(__name__)
_TRIGGERABLE = frozenset({"BootNotification", "Heartbeat", "StatusNotification", "TransactionEvent"})


@dataclass(frozen=True, slots=True)
class ReceivedCommand:
    """The last smart-charging command the CSMS sent (snake_case payload as received)."""

    at: datetime
    action: str
    payload: dict[str, Any]


class SimulatedStation:
    """A charging station with one EVSE that follows the CSMS like compliant firmware would."""

    def __init__(
        self,
        config: StationConfig,
        clock: SimClock | None = None,
        http: aiohttp.ClientSession | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or SimClock()
        self.stats = LinkStats()
        self.profiles = ProfileStore(config.phases)
        self.battery: EvBattery | None = None
        self.power_kw = 0.0
        self.energy_import_wh = 0.0
        self.energy_export_wh = 0.0
        self.transaction_id: str | None = None
        self.charging_state: str | None = None
        self.allowed_energy_transfer: list[str] = []
        self.last_setpoint: ReceivedCommand | None = None
        self.heartbeat_interval_s: float | None = None
        self.meter_interval_s = config.meter_interval_s
        self.device_model = DeviceModel(
            config.ocpp_version,
            config.meter_interval_s,
            config.evse_max_power_kw,
            self._set_meter_interval,
        )
        self._calls = call_v21 if config.ocpp_version is OcppVersion.V21 else call_v201
        self._outbox = Outbox()
        self._http = http
        self._owns_http = http is None
        self._session: StationSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending_visits = deque(sorted(config.visits, key=lambda visit: visit.arrival))
        self._seq_no = 0
        self._transaction_start: datetime | None = None
        self._last_integration = self.clock.now()
        self._next_meter_at: datetime | None = None
        self._offline_since: datetime | None = self.clock.now()
        self._online = asyncio.Event()
        self._wake = asyncio.Event()

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
    def connector_status(self) -> str:
        return "Occupied" if self.battery else "Available"

    @property
    def messages_logged(self) -> int:
        """Return how many OCPP requests went either way so far."""
        return self.stats.messages_total

    @property
    def pending_requests(self) -> int:
        return len(self._outbox)

    # ----- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start connecting and simulating; returns at once."""
        if self._tasks:
            return
        if self._http is None:
            self._http = aiohttp.ClientSession()
        self._session = StationSession(self.config, self, self._outbox, self.stats, self._http)
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
        self._integrate(now)
        self._arrive(visit, now)
        self._wake.set()

    def unplug(self) -> None:
        """Unplug the current car now (no-op without one)."""
        now = self.clock.now()
        self._integrate(now)
        self._depart(now)
        self._wake.set()

    def _arrive(self, visit: CarVisit, now: datetime) -> None:
        self.battery = EvBattery(visit)
        self._outbox.put(messages.status_notification(self._calls, "Occupied", now))
        self._outbox.put(messages.authorize(self._calls, visit.id_token), self._on_authorized)

    def _on_authorized(self, result: Any) -> None:
        id_token_info = result.id_token_info or {}
        battery = self.battery
        if battery is None or self.transaction_id is not None:
            return
        if id_token_info.get("status") != "Accepted":
            _LOGGER.info("%s: car not authorized (%s)", self.station_id, id_token_info.get("status"))
            return
        self.allowed_energy_transfer = list(getattr(result, "allowed_energy_transfer", None) or [])
        now = self.clock.now()
        self._integrate(now)
        self.transaction_id = str(uuid.uuid4())
        self._transaction_start = now
        self._seq_no = 0
        self._recompute_power(now, report=False)
        self._send_transaction_event(
            "Started", "Authorized", now, "Transaction.Begin", id_token=battery.visit.id_token
        )
        departure = battery.visit.departure
        self._outbox.put(messages.ev_charging_needs(self._calls, self.config, battery, departure, now))
        self._next_meter_at = now + timedelta(seconds=self.meter_interval_s)

    def _depart(self, now: datetime) -> None:
        if self.battery is None:
            return
        self._end_transaction(now, "EVDeparted", "EVDisconnected")
        self.battery = None
        self.allowed_energy_transfer = []
        self._outbox.put(messages.status_notification(self._calls, "Available", now))

    def _end_transaction(self, now: datetime, trigger: str, reason: str) -> None:
        if self.transaction_id is None:
            return
        self.power_kw = 0.0
        self.charging_state = "Idle" if self.battery is None else "EVConnected"
        self._send_transaction_event("Ended", trigger, now, "Transaction.End", stopped_reason=reason)
        self.transaction_id = None
        self._transaction_start = None
        self._next_meter_at = None
        self.profiles.end_transaction()

    # ----- physics ------------------------------------------------------------------------------
    async def _simulate(self) -> None:
        while True:
            now = self.clock.now()
            self._integrate(now)
            self._follow_schedule(now)
            self._recompute_power(now)
            if self._next_meter_at is not None and now >= self._next_meter_at:
                self._send_transaction_event("Updated", "MeterValuePeriodic", now, "Sample.Periodic")
                self._next_meter_at = now + timedelta(seconds=self.meter_interval_s)
            self._wake.clear()
            wait_s = self.clock.to_real_seconds((self._next_wake(now) - now).total_seconds())
            try:
                async with asyncio.timeout(wait_s):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _next_wake(self, now: datetime) -> datetime:
        candidates = [now + timedelta(seconds=self.meter_interval_s)]
        if self._next_meter_at is not None:
            candidates.append(self._next_meter_at)
        if self.battery is not None:
            candidates.append(self.battery.visit.departure)
        elif self._pending_visits:
            candidates.append(self._pending_visits[0].arrival)
        return min(candidates)

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

    def _integrate(self, now: datetime) -> None:
        seconds = (now - self._last_integration).total_seconds()
        self._last_integration = now
        if self.battery is None or self.power_kw == 0 or seconds <= 0:
            return
        moved_kwh = self.battery.transfer(self.power_kw, seconds)
        if moved_kwh >= 0:
            self.energy_import_wh += moved_kwh * 1000.0
        else:
            self.energy_export_wh -= moved_kwh * 1000.0

    def _offline_seconds(self, now: datetime) -> float | None:
        if self._offline_since is None:
            return None
        return (now - self._offline_since).total_seconds()

    def _recompute_power(self, now: datetime, report: bool = True) -> None:
        battery = self.battery
        if battery is None or self.transaction_id is None:
            self.power_kw = 0.0
            return
        offline_s = self._offline_seconds(now)
        self.profiles.drop_expired_offline(offline_s)
        if self.config.misbehaviour.ignore_setpoints:
            command, station_limit_w = None, None
        else:
            command = self.profiles.command_at(now, self._transaction_start, offline_s)
            station_limit_w = self.profiles.station_limit_w(now, offline_s)
        discharge_allowed = self.config.ocpp_version is OcppVersion.V21 and any(
            "BPT" in mode for mode in self.allowed_energy_transfer
        )
        requested = requested_power_kw(
            command, self.config.evse_max_power_kw, station_limit_w, discharge_allowed
        )
        self.power_kw = battery.accepted_power_kw(requested)
        if self.power_kw != 0:
            state = "Charging"
        elif requested != 0:
            state = "SuspendedEV"
        else:
            state = "SuspendedEVSE"
        if state != self.charging_state:
            self.charging_state = state
            if report:
                self._send_transaction_event("Updated", "ChargingStateChanged", now, "Trigger")

    def _send_transaction_event(
        self,
        event_type: str,
        trigger: str,
        now: datetime,
        context: str,
        *,
        id_token: str | None = None,
        stopped_reason: str | None = None,
    ) -> None:
        if self.transaction_id is None:
            return
        info: dict[str, Any] = {"transaction_id": self.transaction_id}
        if self.charging_state is not None:
            info["charging_state"] = self.charging_state
        if stopped_reason is not None:
            info["stopped_reason"] = stopped_reason
        sample = messages.meter_value(
            now,
            context=context,
            import_wh=self.energy_import_wh,
            export_wh=self.energy_export_wh,
            power_w=self.power_kw * 1000.0,
            soc_percent=self.soc_percent,
        )
        payload = messages.transaction_event(
            self._calls,
            event_type=event_type,
            trigger_reason=trigger,
            seq_no=self._seq_no,
            transaction_info=info,
            now=now,
            meter_values=[sample],
            id_token=id_token,
            offline=not self.connected,
            phases=self.config.phases,
        )
        self._seq_no += 1
        self._outbox.put(payload)

    def _set_meter_interval(self, seconds: float) -> None:
        self.meter_interval_s = seconds
        if self._next_meter_at is not None:
            self._next_meter_at = self.clock.now() + timedelta(seconds=seconds)
            self._wake.set()

    # ----- connection events --------------------------------------------------------------------
    def on_online(self, heartbeat_interval_s: float) -> None:
        now = self.clock.now()
        self._integrate(now)
        self.heartbeat_interval_s = heartbeat_interval_s
        self._offline_since = None
        self._online.set()
        self._outbox.put_first(messages.status_notification(self._calls, self.connector_status, now))
        self._recompute_power(now)

    def on_offline(self) -> None:
        now = self.clock.now()
        self._integrate(now)
        self._offline_since = now
        self._online.clear()
        self._wake.set()

    # ----- inbound CALLs ------------------------------------------------------------------------
    def on_message_received(self, action: str) -> None:
        self.stats.calls_received[action] += 1

    def _apply(self, action: str, payload: dict[str, Any], change: Any) -> str:
        """Integrate up to now, apply a command, and re-decide the power at once."""
        now = self.clock.now()
        self._integrate(now)
        status = str(change(now))
        if status == "Accepted":
            self.last_setpoint = ReceivedCommand(now, action, payload)
        self._recompute_power(now)
        self._wake.set()
        return status

    def on_set_charging_profile(self, evse_id: int, profile: dict[str, Any]) -> str:
        return self._apply(
            "SetChargingProfile",
            profile,
            lambda now: self.profiles.install(evse_id, profile, now, self.transaction_id),
        )

    def on_clear_charging_profile(self, profile_id: int | None, criteria: dict[str, Any] | None) -> str:
        def clear(_: datetime) -> str:
            return "Accepted" if self.profiles.clear(profile_id, criteria) else "Unknown"

        return self._apply("ClearChargingProfile", {"id": profile_id, **(criteria or {})}, clear)

    def on_update_dynamic_schedule(self, profile_id: int, update: dict[str, Any]) -> str:
        def apply_update(_: datetime) -> str:
            return "Accepted" if self.profiles.update_dynamic(profile_id, update) else "Rejected"

        return self._apply("UpdateDynamicSchedule", {"id": profile_id, **update}, apply_update)

    def on_allowed_energy_transfer(self, transaction_id: str, allowed: list[str]) -> str:
        if transaction_id != self.transaction_id:
            return "Rejected"
        self.allowed_energy_transfer = list(allowed)
        now = self.clock.now()
        self._integrate(now)
        self._recompute_power(now)
        return "Accepted"

    def on_request_stop(self, transaction_id: str) -> str:
        if transaction_id != self.transaction_id:
            return "Rejected"
        now = self.clock.now()
        self._integrate(now)
        self._end_transaction(now, "RemoteStop", "Remote")
        return "Accepted"

    def on_trigger_message(self, requested_message: str) -> str:
        if requested_message not in _TRIGGERABLE:
            return "NotImplemented"
        now = self.clock.now()
        if requested_message == "BootNotification":
            self._outbox.put(messages.boot_notification(self._calls, self.config))
        elif requested_message == "Heartbeat":
            self._outbox.put(messages.heartbeat(self._calls))
        elif requested_message == "StatusNotification":
            self._outbox.put(messages.status_notification(self._calls, self.connector_status, now))
        elif self.transaction_id is None:
            return "Rejected"
        else:
            self._integrate(now)
            self._send_transaction_event("Updated", "Trigger", now, "Trigger")
        return "Accepted"

    def on_get_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.device_model.get(requests)

    def on_set_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.device_model.set(requests)
