"""The CSMS's requests an OCPP 2.1 / 2.0.1 station answers, routed to its firmware."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Protocol

from custom_components.ssch.sim.link import StationChargePoint, WebsocketConnection, handles
from custom_components.ssch.sim.stats import LinkStats


class Ocpp2Commands(Protocol):
    """What the firmware does when the CSMS asks it something."""

    def on_set_charging_profile(self, evse_id: int, profile: dict[str, Any]) -> str: ...

    def on_clear_charging_profile(self, profile_id: int | None, criteria: dict[str, Any] | None) -> str: ...

    def on_update_dynamic_schedule(self, profile_id: int, update: dict[str, Any]) -> str: ...

    def on_allowed_energy_transfer(self, transaction_id: str, allowed: list[str]) -> str: ...

    def on_request_stop(self, transaction_id: str) -> str: ...

    def on_trigger_message(self, requested_message: str) -> str: ...

    def on_get_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def on_set_variables(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


class Ocpp2ChargePoint(StationChargePoint):
    """OCPP 2.1 / 2.0.1 charging-station side of one connection."""

    def __init__(
        self,
        station_id: str,
        connection: WebsocketConnection,
        stats: LinkStats,
        response_timeout: float,
        *,
        version: str,
        call_results: ModuleType,
        target: Ocpp2Commands,
    ) -> None:
        super().__init__(station_id, connection, stats, response_timeout)
        self._ocpp_version = version
        self._call_result = call_results
        self._target = target

    @handles("SetChargingProfile")
    def _set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], **_: Any) -> Any:
        status = self._target.on_set_charging_profile(evse_id, charging_profile)
        return self._call_result.SetChargingProfile(status=status)

    @handles("ClearChargingProfile")
    def _clear_charging_profile(
        self,
        charging_profile_id: int | None = None,
        charging_profile_criteria: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        status = self._target.on_clear_charging_profile(charging_profile_id, charging_profile_criteria)
        return self._call_result.ClearChargingProfile(status=status)

    @handles("UpdateDynamicSchedule")
    def _update_dynamic_schedule(
        self, charging_profile_id: int, schedule_update: dict[str, Any], **_: Any
    ) -> Any:
        status = self._target.on_update_dynamic_schedule(charging_profile_id, schedule_update)
        return self._call_result.UpdateDynamicSchedule(status=status)

    @handles("NotifyAllowedEnergyTransfer")
    def _notify_allowed_energy_transfer(
        self, transaction_id: str, allowed_energy_transfer: list[str], **_: Any
    ) -> Any:
        status = self._target.on_allowed_energy_transfer(transaction_id, allowed_energy_transfer)
        return self._call_result.NotifyAllowedEnergyTransfer(status=status)

    @handles("RequestStopTransaction")
    def _request_stop_transaction(self, transaction_id: str, **_: Any) -> Any:
        status = self._target.on_request_stop(transaction_id)
        return self._call_result.RequestStopTransaction(status=status)

    @handles("TriggerMessage")
    def _trigger_message(self, requested_message: str, **_: Any) -> Any:
        status = self._target.on_trigger_message(requested_message)
        return self._call_result.TriggerMessage(status=status)

    @handles("GetVariables")
    def _get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = self._target.on_get_variables(get_variable_data)
        return self._call_result.GetVariables(get_variable_result=results)

    @handles("SetVariables")
    def _set_variables(self, set_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        results = self._target.on_set_variables(set_variable_data)
        return self._call_result.SetVariables(set_variable_result=results)

    @handles("Reset")
    def _reset(self, **_: Any) -> Any:
        return self._call_result.Reset(status="Rejected")

    @handles("ChangeAvailability")
    def _change_availability(self, **_: Any) -> Any:
        return self._call_result.ChangeAvailability(status="Rejected")

    @handles("RequestStartTransaction")
    def _request_start_transaction(self, **_: Any) -> Any:
        # Cars start their own sessions on plug-in; remote start is not modelled on 2.x.
        return self._call_result.RequestStartTransaction(status="Rejected")
