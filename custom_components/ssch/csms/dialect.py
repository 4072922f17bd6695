"""The same command in the words of each OCPP version: 2.0.1 / 2.1 here, 1.6 in ``ocpp16``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import itertools
from typing import Any, Protocol

from .clock import format_timestamp
from .profiles import clear_profile_request

_remote_start_ids = itertools.count(1)
# The id a station repeats in its FirmwareStatusNotification / LogStatusNotification.
request_ids = itertools.count(1)
# What may be cleared, in 2.x words (1.6 calls the station's cap ChargePointMaxProfile).


@dataclass(frozen=True, slots=True)
class Request:
    """A CALL and the answers that mean it was done (none: any answer, the response has no status)."""

    action: str
    payload: dict[str, Any]
    accepted: tuple[str, ...] = ("Accepted",)


@dataclass(frozen=True, slots=True)
class FirmwareUpdate:
    """Where a station fetches new firmware, and from when."""

    location: str
    retrieve_at: datetime
    retries: int | None = None
    retry_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class LogUpload:
    """Where a station uploads a log, which log and which period of it."""

    location: str
    log_type: str = "DiagnosticsLog"
    oldest: datetime | None = None
    latest: datetime | None = None
    retries: int | None = None
    retry_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class ProfileFilter:
    """Which charging profiles to clear; all fields empty clears every profile of the station."""

    profile_id: int | None = None
    evse_id: int | None = None
    purpose: str | None = None
    stack_level: int | None = None


def retry_fields(retries: int | None, retry_interval_s: int | None) -> dict[str, Any]:
    """The optional retry fields shared by firmware and log requests of every version."""
    fields: dict[str, Any] = {}
    if retries is not None:
        fields["retries"] = retries
    if retry_interval_s is not None:
        fields["retryInterval"] = retry_interval_s
    return fields


class Dialect(Protocol):
    """Builds the requests of station commands for one OCPP version."""

    def availability(self, operative: bool, evse_id: int | None) -> Request: ...

    def reset(self, immediate: bool, evse_id: int | None) -> Request: ...

    def unlock(self, evse_id: int, connector_id: int) -> Request: ...

    def remote_start(self, evse_id: int, id_token: str) -> Request: ...

    def remote_stop(self, transaction_id: str) -> Request: ...

    def trigger(self, message: str, evse_id: int | None) -> Request: ...

    def clear_profile(self, evse_id: int) -> Request: ...

    def composite_schedule(self, evse_id: int, duration_s: int) -> Request: ...

    def update_firmware(self, update: FirmwareUpdate) -> Request: ...

    def upload_log(self, upload: LogUpload) -> Request: ...

    def data_transfer(self, vendor_id: str, message_id: str | None, data: Any) -> Request: ...

    def clear_profiles(self, which: ProfileFilter) -> Request: ...


class Ocpp2Dialect:
    """OCPP 2.0.1 and 2.1."""

    def availability(self, operative: bool, evse_id: int | None) -> Request:
        payload: dict[str, Any] = {"operationalStatus": "Operative" if operative else "Inoperative"}
        if evse_id is not None:
            payload["evse"] = {"id": evse_id}
        return Request("ChangeAvailability", payload, ("Accepted", "Scheduled"))

    def reset(self, immediate: bool, evse_id: int | None) -> Request:
        payload: dict[str, Any] = {"type": "Immediate" if immediate else "OnIdle"}
        if evse_id is not None:
            payload["evseId"] = evse_id
        return Request("Reset", payload, ("Accepted", "Scheduled"))

    def unlock(self, evse_id: int, connector_id: int) -> Request:
        return Request("UnlockConnector", {"evseId": evse_id, "connectorId": connector_id}, ("Unlocked",))

    def remote_start(self, evse_id: int, id_token: str) -> Request:
        payload = {
            "evseId": evse_id,
            "remoteStartId": next(_remote_start_ids),
            "idToken": {"idToken": id_token, "type": "Central"},
        }
        return Request("RequestStartTransaction", payload)

    def remote_stop(self, transaction_id: str) -> Request:
        return Request("RequestStopTransaction", {"transactionId": transaction_id})

    def trigger(self, message: str, evse_id: int | None) -> Request:
        payload: dict[str, Any] = {"requestedMessage": message}
        if evse_id is not None:
            payload["evse"] = {"id": evse_id}
        return Request("TriggerMessage", payload)

    def clear_profile(self, evse_id: int) -> Request:
        return Request("ClearChargingProfile", clear_profile_request(evse_id), ("Accepted", "Unknown"))

    def composite_schedule(self, evse_id: int, duration_s: int) -> Request:
        return Request("GetCompositeSchedule", {"duration": duration_s, "evseId": evse_id})

    def update_firmware(self, update: FirmwareUpdate) -> Request:
        firmware = {"location": update.location, "retrieveDateTime": format_timestamp(update.retrieve_at)}
        payload = {
            "requestId": next(request_ids),
            "firmware": firmware,
            **retry_fields(update.retries, update.retry_interval_s),
        }
        return Request("UpdateFirmware", payload, ("Accepted", "AcceptedCanceled"))

    def upload_log(self, upload: LogUpload) -> Request:
        return get_log_request(upload)

    def data_transfer(self, vendor_id: str, message_id: str | None, data: Any) -> Request:
        payload: dict[str, Any] = {"vendorId": vendor_id}
        if message_id is not None:
            payload["messageId"] = message_id
        if data is not None:
            payload["data"] = data
        return Request("DataTransfer", payload)

    def clear_profiles(self, which: ProfileFilter) -> Request:
        payload: dict[str, Any] = {}
        if which.profile_id is not None:
            payload["chargingProfileId"] = which.profile_id
        criteria = {
            name: value
            for name, value in (
                ("evseId", which.evse_id),
                ("chargingProfilePurpose", which.purpose),
                ("stackLevel", which.stack_level),
            )
            if value is not None
        }
        if criteria:
            payload["chargingProfileCriteria"] = criteria
        return Request("ClearChargingProfile", payload, ("Accepted", "Unknown"))


def get_log_request(upload: LogUpload) -> Request:
    """GetLog of OCPP 2.x, also the 1.6 security whitepaper's."""
    log: dict[str, Any] = {"remoteLocation": upload.location}
    if upload.oldest is not None:
        log["oldestTimestamp"] = format_timestamp(upload.oldest)
    if upload.latest is not None:
        log["latestTimestamp"] = format_timestamp(upload.latest)
    payload = {
        "log": log,
        "logType": upload.log_type,
        "requestId": next(request_ids),
        **retry_fields(upload.retries, upload.retry_interval_s),
    }
    return Request("GetLog", payload, ("Accepted", "AcceptedCanceled"))


def dialect_for(ocpp_version: str) -> Dialect:
    """The request builder of ``ocpp_version``."""
    if ocpp_version == "1.6":
        from .v16_requests import Ocpp16Dialect

        return Ocpp16Dialect()
    return Ocpp2Dialect()
