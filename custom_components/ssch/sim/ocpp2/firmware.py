"""OCPP 2.1 / 2.0.1 firmware: transactions reported by TransactionEvent, V2X setpoints, device model."""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any

from ocpp.v21 import call as call_v21, call_result as result_v21
from ocpp.v201 import call as call_v201, call_result as result_v201

from custom_components.ssch.sim.config import OcppVersion
from custom_components.ssch.sim.firmware import StationCore
from custom_components.ssch.sim.link import WebsocketConnection
from custom_components.ssch.sim.meter_timer import MeterTimer

from . import messages
from .charge_point import Ocpp2ChargePoint
from .control import requested_power_kw
from .device_model import DeviceModel
from .profiles import ProfileStore
from .transaction import TransactionEvents

_LOGGER = logging.getLogger(__name__)
_TRIGGERABLE = frozenset({"BootNotification", "Heartbeat", "StatusNotification", "TransactionEvent"})


class Ocpp2Firmware:
    """What an OCPP 2.1 / 2.0.1 station says and how it follows the CSMS's profiles."""

    def __init__(self, station: StationCore) -> None:
        config = station.config
        self._station = station
        self.version = config.ocpp_version
        is_21 = self.version is OcppVersion.V21
        self.calls = call_v21 if is_21 else call_v201
        self._call_results = result_v21 if is_21 else result_v201
        self.profiles = ProfileStore(config.phases, config.nominal_voltage_v)
        self.allowed_energy_transfer: list[str] = []
        self.transaction = TransactionEvents(self.calls)
        self._meter_timer = MeterTimer(config.meter_interval_s)
        self.device_model = DeviceModel(
            self.version, config.meter_interval_s, config.evse_max_power_kw, self._set_meter_interval
        )

    # ----- state the station reads --------------------------------------------------------------
    @property
    def transaction_id(self) -> str | None:
        return self.transaction.transaction_id

    @property
    def transaction_active(self) -> bool:
        return self.transaction.transaction_id is not None

    @property
    def connector_status(self) -> str:
        return "Occupied" if self._station.battery else "Available"

    @property
    def meter_interval_s(self) -> float:
        return self._meter_timer.interval_s

    # ----- link ---------------------------------------------------------------------------------
    def charge_point(self, connection: WebsocketConnection) -> Ocpp2ChargePoint:
        config = self._station.config
        return Ocpp2ChargePoint(
            config.station_id,
            connection,
            self._station.stats,
            config.call_timeout_s,
            version=self.version.value,
            call_results=self._call_results,
            target=self,
        )

    def boot_notification(self) -> Any:
        return messages.boot_notification(self.calls, self._station.config)

    def heartbeat(self) -> Any:
        return messages.heartbeat(self.calls)

    def on_online(self, now: datetime, heartbeat_interval_s: float) -> None:
        self._station.outbox.put_first(messages.status_notification(self.calls, self.connector_status, now))

    # ----- car and transaction ------------------------------------------------------------------
    def on_car_arrived(self, now: datetime) -> None:
        battery = self._station.battery
        if battery is None:
            return
        outbox = self._station.outbox
        outbox.put(messages.status_notification(self.calls, "Occupied", now))
        outbox.put(messages.authorize(self.calls, battery.visit.id_token), self._on_authorized)

    def _on_authorized(self, result: Any) -> None:
        station = self._station
        id_token_info = result.id_token_info or {}
        battery = station.battery
        if battery is None or self.transaction_active:
            return
        if id_token_info.get("status") != "Accepted":
            _LOGGER.info(
                "%s: car not authorized (%s)", station.config.station_id, id_token_info.get("status")
            )
            return
        self.allowed_energy_transfer = list(getattr(result, "allowed_energy_transfer", None) or [])
        now = station.clock.now()
        station.settle(now)
        self.transaction.begin(now)
        station.refresh_power(now, report=False)
        self._report("Started", "Authorized", now, "Transaction.Begin", id_token=battery.visit.id_token)
        departure = battery.visit.departure
        station.outbox.put(messages.ev_charging_needs(self.calls, station.config, battery, departure, now))
        self._meter_timer.start(now)

    def on_car_leaving(self, now: datetime) -> None:
        self._end_transaction(now, "EVDeparted", "EVDisconnected")
        self.allowed_energy_transfer = []
        self._station.outbox.put(messages.status_notification(self.calls, "Available", now))

    def _end_transaction(self, now: datetime, trigger: str, reason: str) -> None:
        if not self.transaction_active:
            return
        self._station.stop_charging()
        self._report("Ended", trigger, now, "Transaction.End", stopped_reason=reason)
        self.transaction.end()
        self._meter_timer.stop()
        self.profiles.end_transaction()

    def _report(self, event_type: str, trigger: str, now: datetime, context: str, **details: Any) -> None:
        payload = self.transaction.event(self._station, event_type, trigger, now, context, **details)
        if payload is not None:
            self._station.outbox.put(payload)

    # ----- power --------------------------------------------------------------------------------
    def offered_power_kw(self, now: datetime, offline_s: float | None) -> float:
        self.profiles.drop_expired_offline(offline_s)
        command = self.profiles.command_at(now, self.transaction.started_at, offline_s)
        station_limit_w = self.profiles.station_limit_w(now, offline_s)
        discharge_allowed = self.version is OcppVersion.V21 and any(
            "BPT" in mode for mode in self.allowed_energy_transfer
        )
        evse_max_kw = self._station.config.evse_max_power_kw
        return requested_power_kw(command, evse_max_kw, station_limit_w, discharge_allowed)

    def on_charging_state_changed(self, now: datetime) -> None:
        self._report("Updated", "ChargingStateChanged", now, "Trigger")

    def on_tick(self, now: datetime) -> datetime | None:
        if self.transaction_active and self._meter_timer.fire_if_due(now):
            self._report("Updated", "MeterValuePeriodic", now, "Sample.Periodic")
        return self._meter_timer.next_at

    def _set_meter_interval(self, seconds: float) -> None:
        self._meter_timer.set_interval(seconds, self._station.clock.now())
        self._station.wake()

    # ----- CSMS commands ------------------------------------------------------------------------
    def on_set_charging_profile(self, evse_id: int, profile: dict[str, Any]) -> str:
        return self._station.apply_command(
            "SetChargingProfile",
            profile,
            lambda now: self.profiles.install(evse_id, profile, now, self.transaction_id),
        )

    def on_clear_charging_profile(self, profile_id: int | None, criteria: dict[str, Any] | None) -> str:
        def clear(_: datetime) -> str:
            return "Accepted" if self.profiles.clear(profile_id, criteria) else "Unknown"

        return self._station.apply_command(
            "ClearChargingProfile", {"id": profile_id, **(criteria or {})}, clear
        )

    def on_update_dynamic_schedule(self, profile_id: int, update: dict[str, Any]) -> str:
        def apply_update(_: datetime) -> str:
            return "Accepted" if self.profiles.update_dynamic(profile_id, update) else "Rejected"

        return self._station.apply_command(
            "UpdateDynamicSchedule", {"id": profile_id, **update}, apply_update
        )

    def on_allowed_energy_transfer(self, transaction_id: str, allowed: list[str]) -> str:
        if transaction_id != self.transaction_id:
            return "Rejected"
        self.allowed_energy_transfer = list(allowed)
        now = self._station.clock.now()
        self._station.settle(now)
        self._station.refresh_power(now)
        return "Accepted"

    def on_request_stop(self, transaction_id: str) -> str:
        if transaction_id != self.transaction_id:
            return "Rejected"
        now = self._station.clock.now()
        self._station.settle(now)
        self._end_transaction(now, "RemoteStop", "Remote")
        return "Accepted"

    def on_trigger_message(self, requested_message: str) -> str:
        if requested_message not in _TRIGGERABLE:
            return "NotImplemented"
        station = self._station
        now = station.clock.now()
        if requested_message == "BootNotification":
            station.outbox.put(self.boot_notification())
        elif requested_message == "Heartbeat":
            station.outbox.put(self.heartbeat())
        elif requested_message == "StatusNotification":
            station.outbox.put(messages.status_notification(self.calls, self.connector_status, now))
        elif not self.transaction_active:
            return "Rejected"
        else:
            station.settle(now)
            self._report("Updated", "Trigger", now, "Trigger")
        return "Accepted"

    def on_get_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.device_model.get(requests)

    def on_set_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.device_model.set(requests)
