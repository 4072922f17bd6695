"""The OCPP-J endpoint of one simulated station: websocket adapter and inbound CALL handlers."""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any, Protocol, cast

import aiohttp
from ocpp.charge_point import ChargePoint
from ocpp.exceptions import (
    InternalError,
    NotImplementedError as OcppNotImplementedError,
    OCPPError,
)
from ocpp.routing import on
from ocpp.v21 import call as call_v21, call_result as result_v21
from ocpp.v201 import call as call_v201, call_result as result_v201

from .config import OcppVersion

_LOGGER = logging.getLogger(__name__)
_QUIET_OCPP_LOGGER = logging.getLogger("ocpp.sim")
_QUIET_OCPP_LOGGER.setLevel(logging.WARNING)

_Handler = Callable[..., Any]


class ConnectionLostError(Exception):
    """The websocket to the CSMS closed or failed."""


def _handles(action: str) -> Callable[[_Handler], _Handler]:
    """Typed wrapper around ``ocpp.routing.on`` (the library is untyped)."""
    return cast(Callable[[_Handler], _Handler], on(action))


class WebsocketConnection:
    """Adapts an aiohttp client websocket to the ``recv``/``send`` pair ``ocpp`` expects."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self._websocket = websocket
        self.frames_received = 0
        self.frames_sent = 0

    async def recv(self) -> str:
        message = await self._websocket.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            self.frames_received += 1
            return cast(str, message.data)
        if message.type is aiohttp.WSMsgType.BINARY:
            self.frames_received += 1
            return cast(bytes, message.data).decode("utf-8", errors="replace")
        raise ConnectionLostError(f"websocket ended: {message.type.name}")

    async def close(self) -> None:
        """End the connection from the station's side."""
        await self._websocket.close()

    async def send(self, text: str) -> None:
        if self._websocket.closed:
            raise ConnectionLostError("websocket is closed")
        self.frames_sent += 1
        await self._websocket.send_str(text)


class CommandTarget(Protocol):
    """What the station does when the CSMS asks it something."""

    def on_set_charging_profile(self, evse_id: int, profile: dict[str, Any]) -> str: ...

    def on_clear_charging_profile(self, profile_id: int | None, criteria: dict[str, Any] | None) -> str: ...

    def on_update_dynamic_schedule(self, profile_id: int, update: dict[str, Any]) -> str: ...

    def on_allowed_energy_transfer(self, transaction_id: str, allowed: list[str]) -> str: ...

    def on_request_stop(self, transaction_id: str) -> str: ...

    def on_trigger_message(self, requested_message: str) -> str: ...

    def on_get_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def on_set_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def on_message_received(self, action: str) -> None: ...


class StationChargePoint(ChargePoint):  # type: ignore[misc]
    """OCPP 2.1 / 2.0.1 charging-station side of one connection."""

    def __init__(
        self,
        station_id: str,
        connection: WebsocketConnection,
        version: OcppVersion,
        target: CommandTarget,
        response_timeout: float,
    ) -> None:
        super().__init__(station_id, connection, response_timeout, logger=_QUIET_OCPP_LOGGER)
        self._ocpp_version = version.value
        self._call = call_v21 if version is OcppVersion.V21 else call_v201
        self._call_result = result_v21 if version is OcppVersion.V21 else result_v201
        self.version = version
        self.calls = self._call
        self._target = target

    async def _handle_call(self, msg: Any) -> Any:
        self._target.on_message_received(str(msg.action))
        if msg.action not in self.route_map:
            # ocpp 2.1.0 stays silent on unknown actions; a real station answers.
            raise OcppNotImplementedError(details={"cause": f"{msg.action} is not supported"})
        try:
            return await super()._handle_call(msg)
        except OCPPError:
            raise
        except Exception as err:
            # e.g. an action that has no schema in this OCPP version
            raise InternalError(details={"cause": f"cannot handle {msg.action}"}) from err

    @_handles("SetChargingProfile")
    def _set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], **_: Any) -> Any:
        status = self._target.on_set_charging_profile(evse_id, charging_profile)
        return self._call_result.SetChargingProfile(status=status)

    @_handles("ClearChargingProfile")
    def _clear_charging_profile(
        self,
        charging_profile_id: int | None = None,
        charging_profile_criteria: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        status = self._target.on_clear_charging_profile(charging_profile_id, charging_profile_criteria)
        return self._call_result.ClearChargingProfile(status=status)

    @_handles("UpdateDynamicSchedule")
    def _update_dynamic_schedule(
        self, charging_profile_id: int, schedule_update: dict[str, Any], **_: Any
    ) -> Any:
        status = self._target.on_update_dynamic_schedule(charging_profile_id, schedule_update)
        return self._call_result.UpdateDynamicSchedule(status=status)

    @_handles("NotifyAllowedEnergyTransfer")
    def _notify_allowed_energy_transfer(
        self, transaction_id: str, allowed_energy_transfer: list[str], **_: Any
    ) -> Any:
        status = self._target.on_allowed_energy_transfer(transaction_id, allowed_energy_transfer)
        return self._call_result.NotifyAllowedEnergyTransfer(status=status)

    @_handles("RequestStopTransaction")
    def _request_stop_transaction(self, transaction_id: str, **_: Any) -> Any:
        status = self._target.on_request_stop(transaction_id)
        return self._call_result.RequestStopTransaction(status=status)

    @_handles("TriggerMessage")
    def _trigger_message(self, requested_message: str, **_: Any) -> Any:
        status = self._target.on_trigger_message(requested_message)
        return self._call_result.TriggerMessage(status=status)

    @_handles("GetVariables")
    def _get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = self._target.on_get_variables(get_variable_data)
        return self._call_result.GetVariables(get_variable_result=results)

    @_handles("SetVariables")
    def _set_variables(self, set_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = self._target.on_set_variables(set_variable_data)
        return self._call_result.SetVariables(set_variable_result=results)

    @_handles("Reset")
    def _reset(self, **_: Any) -> Any:
        return self._call_result.Reset(status="Rejected")

    @_handles("ChangeAvailability")
    def _change_availability(self, **_: Any) -> Any:
        return self._call_result.ChangeAvailability(status="Rejected")

    @_handles("RequestStartTransaction")
    def _request_start_transaction(self, **_: Any) -> Any:
        # Cars start their own sessions on plug-in; remote start is not modelled.
        return self._call_result.RequestStartTransaction(status="Rejected")
