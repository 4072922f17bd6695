"""The same command in the words of each OCPP version: 2.0.1 / 2.1 here, 1.6 in ``ocpp16``."""

from __future__ import annotations

from dataclasses import dataclass
import itertools
from typing import Any, Protocol

from .profiles import clear_profile_request

_remote_start_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Request:
    """A CALL and the answers that mean it was done."""

    action: str
    payload: dict[str, Any]
    accepted: tuple[str, ...] = ("Accepted",)


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


def dialect_for(ocpp_version: str) -> Dialect:
    """The request builder of ``ocpp_version``."""
    if ocpp_version == "1.6":
        from .v16_requests import Ocpp16Dialect

        return Ocpp16Dialect()
    return Ocpp2Dialect()
