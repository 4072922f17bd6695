"""OCPP 1.6 firmware: a household wallbox with one connector, limits in amperes per phase.

A car that plugs in is authorized (Authorize, then StartTransaction with the CSMS's integer id back),
reported by MeterValues with string values, and ended by StopTransaction. The connector's 1.6
status follows every change. Requests from the CSMS are answered by :mod:`.commands`.
"""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any

from ocpp.v16.enums import AuthorizationStatus, Reason

from custom_components.ssch.sim.firmware import StationCore
from custom_components.ssch.sim.link import WebsocketConnection
from custom_components.ssch.sim.meter_timer import MeterTimer

from . import messages
from .charge_point import Ocpp16ChargePoint
from .commands import Ocpp16Commands
from .configuration import (
    HEARTBEAT_INTERVAL,
    LOCAL_AUTHORIZE_OFFLINE,
    MAX_SCHEDULE_PERIODS,
    MAX_STACK_LEVEL,
    METER_VALUE_SAMPLE_INTERVAL,
    Configuration,
)
from .connector import STATION, ConnectorState
from .current import AcSupply, CurrentLimit
from .messages import CONNECTOR_ID, MeterReading
from .profiles import ProfileRules, SmartChargingProfiles
from .transaction import RunningTransaction, Transactions

_LOGGER = logging.getLogger(__name__)


class Ocpp16Firmware:
    """What a 1.6 station says, and how it follows the CSMS's charging profiles."""

    def __init__(self, station: StationCore) -> None:
        config = station.config
        self.station = station
        self.supply = AcSupply.of(config)
        self.hardware = CurrentLimit(config.evse_max_current_a, config.phases)
        self.configuration = Configuration(config, self._on_configuration_changed)
        rules = ProfileRules(self.configuration.rate_units, MAX_STACK_LEVEL, MAX_SCHEDULE_PERIODS)
        self.profiles = SmartChargingProfiles(rules, self.supply)
        self.connector = ConnectorState()
        self.transactions = Transactions(station.outbox, self._on_start_refused)
        self.offered = self.hardware  # what the EVSE offers the car now (Current.Offered)
        self.restart_after_boot = False
        self._meter_timer = MeterTimer(self.configuration.meter_interval_s)
        self._commands = Ocpp16Commands(self)

    # ----- state the station reads --------------------------------------------------------------
    @property
    def transaction_id(self) -> int | None:
        return self.transactions.transaction_id

    @property
    def transaction_active(self) -> bool:
        return self.transactions.current is not None

    @property
    def connector_status(self) -> str:
        return self.status_of(CONNECTOR_ID)

    @property
    def meter_interval_s(self) -> float:
        return self._meter_timer.interval_s

    @property
    def car_waiting(self) -> bool:
        """Tell whether a car is plugged in with no transaction running."""
        return self.station.battery is not None and not self.transaction_active

    def status_of(self, connector_id: int, car_plugged: bool | None = None) -> str:
        return self.connector.status(
            connector_id,
            car_plugged=self.station.battery is not None if car_plugged is None else car_plugged,
            transaction_running=self.transaction_active,
            charging_state=self.station.charging_state,
        )

    # ----- link ---------------------------------------------------------------------------------
    def charge_point(self, connection: WebsocketConnection) -> Ocpp16ChargePoint:
        config = self.station.config
        return Ocpp16ChargePoint(
            config.station_id, connection, self.station.stats, config.call_timeout_s, self._commands
        )

    def boot_notification(self) -> Any:
        return messages.boot_notification(self.station.config)

    def heartbeat(self) -> Any:
        return messages.heartbeat()

    def on_online(self, now: datetime, heartbeat_interval_s: float) -> None:
        self.configuration.note_heartbeat_interval(heartbeat_interval_s)
        outbox = self.station.outbox
        for connector_id in (CONNECTOR_ID, STATION):  # each goes first: the station's ends up ahead
            status = self.status_of(connector_id)
            self.connector.reported[connector_id] = status
            outbox.put_first(messages.status_notification(connector_id, status, now))
        if self.restart_after_boot:
            self.restart_after_boot = False
            battery = self.station.battery
            if battery is not None and self.car_waiting and self.connector.usable:
                self.authorize_then_start(battery.visit.id_token)

    # ----- car and transaction ------------------------------------------------------------------
    def on_car_arrived(self, now: datetime) -> None:
        battery = self.station.battery
        self.connector.finishing = False
        self.report_status(now)
        if battery is None or not self.connector.usable:
            return
        if not self.station.connected and self.configuration.flag(LOCAL_AUTHORIZE_OFFLINE):
            # The owner's wallbox charges without the network; the CSMS hears of it once back.
            self.start_transaction(now, battery.visit.id_token)
        else:
            self.authorize_then_start(battery.visit.id_token)

    def authorize_then_start(self, id_tag: str) -> None:
        """Ask the CSMS about ``id_tag`` and start a transaction if it accepts."""
        car = self.station.battery

        def on_result(result: Any) -> None:
            status = (result.id_tag_info or {}).get("status")
            if status != AuthorizationStatus.accepted:
                _LOGGER.info("%s: id tag not accepted (%s)", self.station.config.station_id, status)
                return
            # the same car, still without a transaction (a remote start may have come first)
            if self.station.battery is car and self.car_waiting and self.connector.usable:
                self.start_transaction(self.station.clock.now(), id_tag)

        self.station.outbox.put(messages.authorize(id_tag), on_result)

    def start_transaction(self, now: datetime, id_tag: str, profile: dict[str, Any] | None = None) -> None:
        """Begin a transaction now (with a TxProfile from a remote start, if given)."""
        station = self.station
        station.settle(now)
        self.connector.finishing = False
        self.transactions.start(now, id_tag, station.energy_import_wh)
        if profile is not None:
            self.profiles.install(CONNECTOR_ID, profile, now, True, None)
        station.refresh_power(now, report=False)
        self._meter_timer.start(now)
        self.report_status(now)

    def stop_transaction(self, now: datetime, reason: str, *, car_leaving: bool = False) -> None:
        """End the running transaction now (no-op without one)."""
        if not self.transaction_active:
            return
        station = self.station
        station.settle(now)
        final = self.meter_value(now, "Transaction.End")
        self.transactions.stop(now, station.energy_import_wh, reason, final)
        station.stop_charging()
        self._meter_timer.stop()
        self.profiles.end_transaction()
        self.connector.transaction_ended()
        self.connector.finishing = station.battery is not None and not car_leaving
        self.report_status(now, car_plugged=not car_leaving and station.battery is not None)
        station.wake()

    def _on_start_refused(self, transaction: RunningTransaction, status: str) -> None:
        _LOGGER.info("%s: StartTransaction answered %s", self.station.config.station_id, status)
        if self.transactions.current is transaction:
            self.stop_transaction(self.station.clock.now(), str(Reason.de_authorized))

    def on_car_leaving(self, now: datetime) -> None:
        self.stop_transaction(now, str(Reason.ev_disconnected), car_leaving=True)
        self.connector.finishing = False
        self.report_status(now, car_plugged=False)

    # ----- status and meter values ----------------------------------------------------------------
    def report_status(self, now: datetime, car_plugged: bool | None = None) -> None:
        """Send a StatusNotification for each connector whose status changed."""
        for connector_id in (STATION, CONNECTOR_ID):
            status = self.status_of(connector_id, car_plugged)
            if self.connector.reported.get(connector_id) != status:
                self.connector.reported[connector_id] = status
                self.station.outbox.put(messages.status_notification(connector_id, status, now))

    def reading(self) -> MeterReading:
        station = self.station
        power_w = station.power_kw * 1000.0
        phases = self.offered.phases
        return MeterReading(
            energy_wh=station.energy_import_wh,
            power_w=power_w,
            current_a=self.supply.amperes_at(power_w, phases),
            phases_in_use=phases,
            supply_phases=self.supply.phases,
            voltage_v=self.supply.voltage_v,
            soc_percent=station.battery.soc_percent if station.battery else None,
            offered_current_a=self.offered.amperes,
            offered_power_w=self.supply.watts(self.offered),
        )

    def meter_value(self, now: datetime, context: str) -> dict[str, Any]:
        return messages.meter_value(now, self.reading(), self.configuration.measurands, context)

    def send_meter_values(self, now: datetime, context: str) -> None:
        self.station.settle(now)
        values = self.meter_value(now, context)
        if values["sampled_value"]:
            self.transactions.report(values)

    # ----- power --------------------------------------------------------------------------------
    def offered_power_kw(self, now: datetime, offline_s: float | None) -> float:
        transaction = self.transactions.current
        relative_start = transaction.started_at if transaction else now
        limit = self.profiles.limit_at(now, transaction is not None, relative_start)
        self.offered = self.hardware.capped_by(limit)
        if self.offered.amperes < self.station.config.min_current_a:
            # A car cannot charge below its minimum current: it pauses instead.
            self.offered = CurrentLimit(0.0, self.offered.phases)
        # Rounded so that 16 A x 3 x 230 V is 11.04 kW, not 11.039999999999999.
        return round(self.supply.watts(self.offered) / 1000.0, 6)

    def on_charging_state_changed(self, now: datetime) -> None:
        self.report_status(now)

    def on_tick(self, now: datetime) -> datetime | None:
        if self.transaction_active and self._meter_timer.fire_if_due(now):
            self.send_meter_values(now, "Sample.Periodic")
        return self._meter_timer.next_at

    def _on_configuration_changed(self, key: str, value: str) -> None:
        if key == METER_VALUE_SAMPLE_INTERVAL:
            self._meter_timer.set_interval(float(value), self.station.clock.now())
            self.station.wake()
        elif key == HEARTBEAT_INTERVAL:
            self.station.set_heartbeat_interval(float(value))
