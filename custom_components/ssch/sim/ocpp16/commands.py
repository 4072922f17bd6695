"""How a 1.6 station answers the CSMS: smart charging, remote start/stop, availability, reset,
triggers and configuration."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ocpp.v16.enums import (
    ClearChargingProfileStatus,
    GetCompositeScheduleStatus,
    MessageTrigger,
    Reason,
    RemoteStartStopStatus,
    ResetStatus,
    ResetType,
    TriggerMessageStatus,
    UnlockStatus,
)

from . import messages
from .charge_point import Reply
from .composite import composite_schedule
from .configuration import AUTHORIZE_REMOTE_TX_REQUESTS
from .connector import STATION
from .current import AMPERES, WATTS
from .messages import CONNECTOR_ID
from .profiles import TX_PROFILE, plain_numbers

if TYPE_CHECKING:
    from .firmware import Ocpp16Firmware

ACCEPTED = str(RemoteStartStopStatus.accepted)
REJECTED = str(RemoteStartStopStatus.rejected)


class Ocpp16Commands:
    """Answers the CSMS's requests by acting on the firmware (see :class:`.charge_point.Ocpp16Target`)."""

    def __init__(self, firmware: Ocpp16Firmware) -> None:
        self._firmware = firmware

    @property
    def _now(self) -> datetime:
        return self._firmware.station.clock.now()

    # ----- smart charging -----------------------------------------------------------------------
    def on_set_charging_profile(self, connector_id: int, profile: dict[str, Any]) -> str:
        firmware = self._firmware

        def install(now: datetime) -> str:
            running = firmware.transaction_active
            transaction_id = firmware.transaction_id
            return firmware.profiles.install(connector_id, profile, now, running, transaction_id)

        return firmware.station.apply_command("SetChargingProfile", plain_numbers(profile), install)

    def on_clear_charging_profile(self, criteria: dict[str, Any]) -> str:
        firmware = self._firmware

        def clear(_: datetime) -> str:
            cleared = firmware.profiles.clear(
                criteria.get("id"),
                criteria.get("connector_id"),
                criteria.get("charging_profile_purpose"),
                criteria.get("stack_level"),
            )
            return str(ClearChargingProfileStatus.accepted if cleared else ClearChargingProfileStatus.unknown)

        return firmware.station.apply_command("ClearChargingProfile", dict(criteria), clear)

    def on_get_composite_schedule(
        self, connector_id: int, duration_s: int, unit: str | None
    ) -> dict[str, Any]:
        firmware = self._firmware
        if connector_id not in (STATION, CONNECTOR_ID):
            return {"status": str(GetCompositeScheduleStatus.rejected)}
        now = self._now.replace(microsecond=0)
        transaction = firmware.transactions.current
        schedule = composite_schedule(
            firmware.profiles,
            hardware=firmware.hardware,
            supply=firmware.supply,
            start=now,
            duration_s=duration_s,
            unit=unit or (AMPERES if AMPERES in firmware.configuration.rate_units else WATTS),
            transaction_running=transaction is not None,
            relative_start=transaction.started_at if transaction else now,
        )
        return {
            "status": str(GetCompositeScheduleStatus.accepted),
            "connector_id": connector_id,
            "schedule_start": schedule["start_schedule"],
            "charging_schedule": schedule,
        }

    # ----- transactions -------------------------------------------------------------------------
    def on_remote_start(self, id_tag: str, connector_id: int | None, profile: dict[str, Any] | None) -> Reply:
        firmware = self._firmware
        wanted = plain_numbers(profile) if profile is not None else None
        startable = (
            connector_id in (None, CONNECTOR_ID) and firmware.car_waiting and firmware.connector.usable
        )
        if not startable or (wanted is not None and not self._fits_remote_start(wanted)):
            return Reply(REJECTED)

        def start() -> None:
            if not firmware.car_waiting:
                return
            if firmware.configuration.flag(AUTHORIZE_REMOTE_TX_REQUESTS):
                firmware.authorize_then_start(id_tag)
            else:
                firmware.start_transaction(self._now, id_tag, wanted)

        return Reply(ACCEPTED, start)

    def _fits_remote_start(self, profile: dict[str, Any]) -> bool:
        schedule = profile.get("charging_schedule") or {}
        allowed_unit = schedule.get("charging_rate_unit") in self._firmware.configuration.rate_units
        return profile.get("charging_profile_purpose") == TX_PROFILE and allowed_unit

    def on_remote_stop(self, transaction_id: int) -> str:
        firmware = self._firmware
        if not firmware.transaction_active or transaction_id != firmware.transaction_id:
            return REJECTED
        firmware.stop_transaction(self._now, str(Reason.remote))
        return ACCEPTED

    def on_unlock_connector(self, connector_id: int) -> str:
        if connector_id != CONNECTOR_ID:
            return str(UnlockStatus.not_supported)
        self._firmware.stop_transaction(self._now, str(Reason.unlock_command))
        return str(UnlockStatus.unlocked)

    # ----- station ------------------------------------------------------------------------------
    def on_change_availability(self, connector_id: int, availability: str) -> Reply:
        firmware = self._firmware
        status = firmware.connector.change_availability(
            connector_id, availability == "Operative", firmware.transaction_active
        )
        return Reply(status, lambda: firmware.report_status(self._now))

    def on_reset(self, reset_type: str) -> Reply:
        firmware = self._firmware
        hard = reset_type == ResetType.hard

        def reboot() -> None:
            reason = Reason.hard_reset if hard else Reason.soft_reset
            # The car stays plugged in: after the boot its session starts again.
            firmware.restart_after_boot = firmware.transaction_active
            firmware.stop_transaction(self._now, str(reason))
            firmware.station.reboot(graceful=not hard)

        return Reply(str(ResetStatus.accepted), reboot)

    def on_trigger_message(self, requested_message: str, connector_id: int | None) -> Reply:
        if connector_id not in (None, STATION, CONNECTOR_ID):
            return Reply(str(TriggerMessageStatus.rejected))
        firmware = self._firmware
        outbox = firmware.station.outbox
        senders = {
            MessageTrigger.boot_notification: lambda: outbox.put(firmware.boot_notification()),
            MessageTrigger.heartbeat: lambda: outbox.put(firmware.heartbeat()),
            MessageTrigger.status_notification: lambda: self._send_statuses(connector_id),
            MessageTrigger.meter_values: lambda: firmware.send_meter_values(self._now, "Trigger"),
            MessageTrigger.diagnostics_status_notification: lambda: outbox.put(messages.diagnostics_status()),
            MessageTrigger.firmware_status_notification: lambda: outbox.put(messages.firmware_status()),
        }
        sender = senders.get(requested_message)
        if sender is None:
            return Reply(str(TriggerMessageStatus.not_implemented))
        return Reply(str(TriggerMessageStatus.accepted), sender)

    def _send_statuses(self, connector_id: int | None) -> None:
        now = self._now
        for connector in (STATION, CONNECTOR_ID) if connector_id is None else (connector_id,):
            status = self._firmware.status_of(connector)
            self._firmware.connector.reported[connector] = status
            self._firmware.station.outbox.put(messages.status_notification(connector, status, now))

    def on_get_configuration(self, keys: list[str] | None) -> tuple[list[dict[str, Any]], list[str]]:
        return self._firmware.configuration.get(keys)

    def on_change_configuration(self, key: str, value: str) -> str:
        return self._firmware.configuration.change(key, value)
