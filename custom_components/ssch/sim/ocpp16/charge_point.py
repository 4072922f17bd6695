"""The CSMS's requests a 1.6 station answers, routed to its command handler.

Some answers promise a request of the station's own (TriggerMessage, RemoteStartTransaction, Reset);
1.6 wants it after the answer, so such a :class:`Reply` carries a follow-up that runs once the
answer is on the wire (``ocpp.routing.after``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ocpp.exceptions import NotImplementedError as OcppNotImplementedError, NotSupportedError, OCPPError
from ocpp.v16 import ChargePoint as V16ChargePoint, call_result
from ocpp.v16.enums import Action, ClearCacheStatus, DataTransferStatus

from custom_components.ssch.sim.link import (
    StationChargePoint,
    WebsocketConnection,
    after_answering,
    handles,
)
from custom_components.ssch.sim.stats import LinkStats


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer's status, and what to do once the answer has been sent."""

    status: str
    then: Callable[[], None] | None = None


class Ocpp16Target(Protocol):
    """What the station does when the CSMS asks it something."""

    def on_set_charging_profile(self, connector_id: int, profile: dict[str, Any]) -> str: ...

    def on_clear_charging_profile(self, criteria: dict[str, Any]) -> str: ...

    def on_get_composite_schedule(
        self, connector_id: int, duration_s: int, unit: str | None
    ) -> dict[str, Any]: ...

    def on_remote_start(
        self, id_tag: str, connector_id: int | None, profile: dict[str, Any] | None
    ) -> Reply: ...

    def on_remote_stop(self, transaction_id: int) -> str: ...

    def on_change_availability(self, connector_id: int, availability: str) -> Reply: ...

    def on_reset(self, reset_type: str) -> Reply: ...

    def on_unlock_connector(self, connector_id: int) -> str: ...

    def on_trigger_message(self, requested_message: str, connector_id: int | None) -> Reply: ...

    def on_get_configuration(self, keys: list[str] | None) -> tuple[list[dict[str, Any]], list[str]]: ...

    def on_change_configuration(self, key: str, value: str) -> str: ...


class Ocpp16ChargePoint(StationChargePoint, V16ChargePoint):  # type: ignore[misc]
    """OCPP 1.6J charge-point side of one connection."""

    def __init__(
        self,
        station_id: str,
        connection: WebsocketConnection,
        stats: LinkStats,
        response_timeout: float,
        target: Ocpp16Target,
    ) -> None:
        super().__init__(station_id, connection, stats, response_timeout)
        self._target = target
        self._follow_ups: dict[str, Callable[[], None]] = {}

    def unhandled_action_error(self, action: str) -> OCPPError:
        """NotImplemented for a 1.6 action this station lacks, NotSupported for a foreign one."""
        if action in {str(known) for known in Action}:
            return OcppNotImplementedError(details={"cause": f"{action} is not implemented"})
        return NotSupportedError(details={"cause": f"{action} is not an OCPP 1.6 action"})

    def _keep_follow_up(self, call_unique_id: str, reply: Reply) -> str:
        if reply.then is not None:
            self._follow_ups[call_unique_id] = reply.then
        return reply.status

    def _run_follow_up(self, call_unique_id: str) -> None:
        follow_up = self._follow_ups.pop(call_unique_id, None)
        if follow_up is not None:
            follow_up()

    @handles("SetChargingProfile")
    def _set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any], **_: Any) -> Any:
        status = self._target.on_set_charging_profile(connector_id, cs_charging_profiles)
        return call_result.SetChargingProfile(status=status)

    @handles("ClearChargingProfile")
    def _clear_charging_profile(self, **criteria: Any) -> Any:
        return call_result.ClearChargingProfile(status=self._target.on_clear_charging_profile(criteria))

    @handles("GetCompositeSchedule")
    def _get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str | None = None, **_: Any
    ) -> Any:
        answer = self._target.on_get_composite_schedule(connector_id, duration, charging_rate_unit)
        return call_result.GetCompositeSchedule(**answer)

    @handles("RemoteStartTransaction")
    def _remote_start(
        self,
        id_tag: str,
        call_unique_id: str,
        connector_id: int | None = None,
        charging_profile: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        reply = self._target.on_remote_start(id_tag, connector_id, charging_profile)
        return call_result.RemoteStartTransaction(status=self._keep_follow_up(call_unique_id, reply))

    @after_answering("RemoteStartTransaction")
    def _after_remote_start(self, call_unique_id: str, **_: Any) -> None:
        self._run_follow_up(call_unique_id)

    @handles("RemoteStopTransaction")
    def _remote_stop(self, transaction_id: int, **_: Any) -> Any:
        return call_result.RemoteStopTransaction(status=self._target.on_remote_stop(transaction_id))

    @handles("ChangeAvailability")
    def _change_availability(self, connector_id: int, type: str, call_unique_id: str, **_: Any) -> Any:
        reply = self._target.on_change_availability(connector_id, type)
        return call_result.ChangeAvailability(status=self._keep_follow_up(call_unique_id, reply))

    @after_answering("ChangeAvailability")
    def _after_change_availability(self, call_unique_id: str, **_: Any) -> None:
        self._run_follow_up(call_unique_id)

    @handles("Reset")
    def _reset(self, type: str, call_unique_id: str, **_: Any) -> Any:
        reply = self._target.on_reset(type)
        return call_result.Reset(status=self._keep_follow_up(call_unique_id, reply))

    @after_answering("Reset")
    def _after_reset(self, call_unique_id: str, **_: Any) -> None:
        self._run_follow_up(call_unique_id)

    @handles("UnlockConnector")
    def _unlock_connector(self, connector_id: int, **_: Any) -> Any:
        return call_result.UnlockConnector(status=self._target.on_unlock_connector(connector_id))

    @handles("TriggerMessage")
    def _trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None, **_: Any
    ) -> Any:
        reply = self._target.on_trigger_message(requested_message, connector_id)
        return call_result.TriggerMessage(status=self._keep_follow_up(call_unique_id, reply))

    @after_answering("TriggerMessage")
    def _after_trigger_message(self, call_unique_id: str, **_: Any) -> None:
        self._run_follow_up(call_unique_id)

    @handles("GetConfiguration")
    def _get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
        known, unknown = self._target.on_get_configuration(key)
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @handles("ChangeConfiguration")
    def _change_configuration(self, key: str, value: str, **_: Any) -> Any:
        return call_result.ChangeConfiguration(status=self._target.on_change_configuration(key, value))

    @handles("ClearCache")
    def _clear_cache(self, **_: Any) -> Any:
        # No authorization cache is kept: there is nothing to clear.
        return call_result.ClearCache(status=ClearCacheStatus.accepted)

    @handles("DataTransfer")
    def _data_transfer(self, **_: Any) -> Any:
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)
