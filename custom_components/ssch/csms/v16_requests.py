"""OCPP 1.6 requests of the hub: connectors for EVSEs, integer transaction ids, profiles in A or W."""

from __future__ import annotations

import json
from typing import Any

from .ac import AcSupply
from .clock import format_timestamp
from .dialect import FirmwareUpdate, LogUpload, ProfileFilter, Request, get_log_request, retry_fields
from .errors import NotSupportedByVersion
from .profiles import STACK_LEVEL, profile_id_for

# The profile that caps a connector when no transaction profile applies: below the hub's own.
DEFAULT_STACK_LEVEL = 0
DEFAULT_PROFILE_ID_BASE = 7000
HUB_ID_TAG = "ssch-hub"
# Messages a 1.6 station can be asked for, by their 2.x name (1.6 reports log uploads as diagnostics).
TRIGGER_MESSAGES = {
    "BootNotification": "BootNotification",
    "Heartbeat": "Heartbeat",
    "MeterValues": "MeterValues",
    "StatusNotification": "StatusNotification",
    "FirmwareStatusNotification": "FirmwareStatusNotification",
    "LogStatusNotification": "DiagnosticsStatusNotification",
}
_PURPOSES = {"ChargingStationMaxProfile": "ChargePointMaxProfile"}


class Ocpp16Dialect:
    """OCPP 1.6J (connector = EVSE)."""

    def availability(self, operative: bool, evse_id: int | None) -> Request:
        payload = {"connectorId": evse_id or 0, "type": "Operative" if operative else "Inoperative"}
        return Request("ChangeAvailability", payload, ("Accepted", "Scheduled"))

    def reset(self, immediate: bool, evse_id: int | None) -> Request:
        # 1.6 resets the whole charge point: Hard reboots now, Soft ends transactions first.
        return Request("Reset", {"type": "Hard" if immediate else "Soft"})

    def unlock(self, evse_id: int, connector_id: int) -> Request:
        return Request("UnlockConnector", {"connectorId": evse_id}, ("Unlocked",))

    def remote_start(self, evse_id: int, id_token: str) -> Request:
        return Request("RemoteStartTransaction", {"connectorId": evse_id, "idTag": id_token[:20]})

    def remote_stop(self, transaction_id: str) -> Request:
        return Request("RemoteStopTransaction", {"transactionId": int(transaction_id)})

    def trigger(self, message: str, evse_id: int | None) -> Request:
        if message not in TRIGGER_MESSAGES:
            raise NotSupportedByVersion(f"TriggerMessage {message}", "1.6")
        payload: dict[str, Any] = {"requestedMessage": TRIGGER_MESSAGES[message]}
        if evse_id is not None:
            payload["connectorId"] = evse_id
        return Request("TriggerMessage", payload)

    def clear_profile(self, evse_id: int) -> Request:
        return Request("ClearChargingProfile", {"id": profile_id_for(evse_id)}, ("Accepted", "Unknown"))

    def composite_schedule(self, evse_id: int, duration_s: int) -> Request:
        return Request("GetCompositeSchedule", {"connectorId": evse_id, "duration": duration_s})

    def update_firmware(self, update: FirmwareUpdate) -> Request:
        payload = {
            "location": update.location,
            "retrieveDate": format_timestamp(update.retrieve_at),
            **retry_fields(update.retries, update.retry_interval_s),
        }
        return Request("UpdateFirmware", payload, ())

    def upload_log(self, upload: LogUpload) -> Request:
        if upload.log_type != "DiagnosticsLog":
            return get_log_request(upload)  # the security whitepaper's GetLog
        payload: dict[str, Any] = {
            "location": upload.location,
            **retry_fields(upload.retries, upload.retry_interval_s),
        }
        if upload.oldest is not None:
            payload["startTime"] = format_timestamp(upload.oldest)
        if upload.latest is not None:
            payload["stopTime"] = format_timestamp(upload.latest)
        return Request("GetDiagnostics", payload, ())

    def data_transfer(self, vendor_id: str, message_id: str | None, data: Any) -> Request:
        payload: dict[str, Any] = {"vendorId": vendor_id}
        if message_id is not None:
            payload["messageId"] = message_id
        if data is not None:
            # 1.6 carries text only: structured data goes as its JSON text.
            payload["data"] = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        return Request("DataTransfer", payload)

    def clear_profiles(self, which: ProfileFilter) -> Request:
        fields = (
            ("id", which.profile_id),
            ("connectorId", which.evse_id),
            ("chargingProfilePurpose", _PURPOSES.get(which.purpose or "", which.purpose)),
            ("stackLevel", which.stack_level),
        )
        payload = {name: value for name, value in fields if value is not None}
        return Request("ClearChargingProfile", payload, ("Accepted", "Unknown"))


def _limit(power_kw: float, unit: str, supply: AcSupply) -> float:
    if unit == "A":
        return supply.amperes(power_kw)
    return round(max(power_kw, 0.0) * 1000.0, 1)


def _schedule(power_kw: float, unit: str, supply: AcSupply, duration_s: int | None) -> dict[str, Any]:
    period: dict[str, Any] = {"startPeriod": 0, "limit": _limit(power_kw, unit, supply)}
    if unit == "A":
        period["numberPhases"] = supply.phases
    schedule: dict[str, Any] = {"chargingRateUnit": unit, "chargingSchedulePeriod": [period]}
    if duration_s is not None:
        schedule["duration"] = duration_s
    schedule["minChargingRate"] = _limit(supply.min_kw, unit, supply)
    return schedule


def tx_profile_request(
    connector_id: int,
    transaction_id: str,
    power_kw: float,
    *,
    unit: str,
    supply: AcSupply,
    duration_s: int | None = None,
) -> Request:
    """A TxProfile for the running transaction. Relative to the transaction's start, it applies at
    once whatever the station's clock says."""
    profile = {
        "chargingProfileId": profile_id_for(connector_id),
        "transactionId": int(transaction_id),
        "stackLevel": STACK_LEVEL,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": _schedule(power_kw, unit, supply, duration_s),
    }
    return Request("SetChargingProfile", {"connectorId": connector_id, "csChargingProfiles": profile})


def default_profile_request(connector_id: int, power_kw: float, *, unit: str, supply: AcSupply) -> Request:
    """A TxDefaultProfile: the installer's limit for every transaction on the connector."""
    profile = {
        "chargingProfileId": DEFAULT_PROFILE_ID_BASE + connector_id,
        "stackLevel": DEFAULT_STACK_LEVEL,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": _schedule(power_kw, unit, supply, None),
    }
    return Request("SetChargingProfile", {"connectorId": connector_id, "csChargingProfiles": profile})
