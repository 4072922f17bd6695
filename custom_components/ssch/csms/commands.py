"""Commands the hub sends to one station, as typed async methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import itertools
from typing import Any, Protocol

from .clock import utc_now
from .errors import (
    CommandRejected,
    NoTransaction,
    NotSupportedByVersion,
    StationOffline,
    UnknownStation,
)
from .events import SetpointClipped
from .profiles import (
    SetpointPlan,
    clamp_setpoint,
    clear_profile_request,
    profile_id_for,
    set_charging_profile_request,
    update_dynamic_schedule_request,
)
from .state import EvseState
from .station import Session

_remote_start_ids = itertools.count(1)

COMMAND_ACTIONS = (
    "SetChargingProfile",
    "UpdateDynamicSchedule",
    "ClearChargingProfile",
    "GetVariables",
    "SetVariables",
    "RequestStartTransaction",
    "RequestStopTransaction",
    "ChangeAvailability",
    "Reset",
    "TriggerMessage",
    "UnlockConnector",
    "NotifyAllowedEnergyTransfer",
    "CertificateSigned",
)


class SessionSource(Protocol):
    def session(self, station_id: str) -> Session | None:
        """The live session of ``station_id``, if connected."""


@dataclass(frozen=True, slots=True)
class VariableRef:
    """A device-model variable, e.g. ``VariableRef("V2XChargingCtrlr", "Enabled", evse_id=1)``."""

    component: str
    variable: str
    evse_id: int | None = None
    component_instance: str | None = None
    variable_instance: str | None = None

    def to_ocpp(self) -> dict[str, Any]:
        component: dict[str, Any] = {"name": self.component}
        if self.evse_id is not None:
            component["evse"] = {"id": self.evse_id}
        if self.component_instance is not None:
            component["instance"] = self.component_instance
        variable: dict[str, Any] = {"name": self.variable}
        if self.variable_instance is not None:
            variable["instance"] = self.variable_instance
        return {"component": component, "variable": variable}


@dataclass(frozen=True, slots=True)
class SetpointResult:
    """What was sent for a setpoint request. Power in kW, positive = into the EV."""

    requested_kw: float
    applied_kw: float
    action: str
    clipped_reason: str | None


class StationHandle:
    """Commands for one station; valid across reconnects (each call uses the live connection)."""

    def __init__(self, source: SessionSource, station_id: str) -> None:
        self._source = source
        self.station_id = station_id

    def _session(self) -> Session:
        session = self._source.session(self.station_id)
        if session is None:
            raise StationOffline(self.station_id)
        return session

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send any CALL (checked against the schema) and return the response payload."""
        return await self._session().call(action, payload)

    async def _call_accepted(
        self, action: str, payload: dict[str, Any], accepted: Sequence[str] = ("Accepted",)
    ) -> dict[str, Any]:
        response = await self.call(action, payload)
        status = str(response.get("status"))
        if status not in accepted:
            reason = response.get("statusInfo", {}).get("reasonCode")
            raise CommandRejected(action, status, reason)
        return response

    def _evse_with_transaction(self, session: Session, evse_id: int) -> tuple[EvseState, str]:
        evse = session.state.evse(evse_id)
        if evse.transaction_id is None:
            raise NoTransaction(self.station_id, evse_id)
        return evse, evse.transaction_id

    async def set_setpoint(
        self, evse_id: int, power_kw: float, duration_s: int | None = None
    ) -> SetpointResult:
        """Apply a power setpoint to the running transaction (negative = discharge).

        The first setpoint of a transaction installs a TxProfile; later ones on OCPP 2.1 use
        UpdateDynamicSchedule. Discharge is clipped to 0 where it is not possible.
        """
        session = self._session()
        config = session.config
        if config is None:
            raise UnknownStation(self.station_id)
        evse, transaction_id = self._evse_with_transaction(session, evse_id)
        discharge_possible = session.v2g_capable and evse.v2g_allowed
        max_charge_kw = _tighter(config.max_charge_kw, evse.ev_limits.max_charge_kw)
        max_discharge_kw = (
            _tighter(config.max_discharge_kw, evse.ev_limits.max_discharge_kw) if discharge_possible else 0.0
        )
        clamped = clamp_setpoint(
            power_kw,
            max_charge_kw=max_charge_kw,
            max_discharge_kw=max_discharge_kw,
            discharge_possible=discharge_possible,
        )
        if clamped.reason is not None:
            session.log_once(f"clipped:{evse_id}:{clamped.reason}", f"setpoint {clamped.reason}")
            session.emit(
                SetpointClipped(self.station_id, evse_id, power_kw, clamped.applied_kw, clamped.reason)
            )
        plan = SetpointPlan(
            evse_id=evse_id,
            transaction_id=transaction_id,
            power_kw=clamped.applied_kw,
            max_charge_kw=max_charge_kw,
            max_discharge_kw=max_discharge_kw,
            central_setpoint=session.v2g_capable,
            duration_s=duration_s,
            max_offline_s=session.settings.max_offline_s,
        )
        action = await self._send_setpoint(session, evse, plan)
        evse.active_setpoint_kw = clamped.applied_kw
        return SetpointResult(power_kw, clamped.applied_kw, action, clamped.reason)

    async def _send_setpoint(self, session: Session, evse: EvseState, plan: SetpointPlan) -> str:
        if evse.profile_is_dynamic and plan.duration_s is None:
            try:
                await self._call_accepted("UpdateDynamicSchedule", update_dynamic_schedule_request(plan))
            except CommandRejected:
                session.log_once("dynamic_rejected", "UpdateDynamicSchedule rejected; sending a profile")
            else:
                return "UpdateDynamicSchedule"
        await self._call_accepted("SetChargingProfile", set_charging_profile_request(plan, utc_now()))
        evse.active_profile_id = profile_id_for(plan.evse_id)
        evse.profile_is_dynamic = plan.central_setpoint
        evse.operation_mode = "CentralSetpoint" if plan.central_setpoint else "ChargingOnly"
        return "SetChargingProfile"

    async def clear_setpoint(self, evse_id: int) -> None:
        """Remove the hub's profile; the station falls back to its own limits."""
        session = self._session()
        await self._call_accepted(
            "ClearChargingProfile", clear_profile_request(evse_id), ("Accepted", "Unknown")
        )
        session.state.evse(evse_id).forget_setpoint()

    async def set_availability(self, operative: bool, evse_id: int | None = None) -> str:
        """ChangeAvailability for the station or one EVSE; returns Accepted or Scheduled."""
        payload: dict[str, Any] = {"operationalStatus": "Operative" if operative else "Inoperative"}
        if evse_id is not None:
            payload["evse"] = {"id": evse_id}
        response = await self._call_accepted("ChangeAvailability", payload, ("Accepted", "Scheduled"))
        return str(response["status"])

    async def reset(self, immediate: bool = False, evse_id: int | None = None) -> str:
        """Reset the station (or one EVSE); returns Accepted or Scheduled."""
        payload: dict[str, Any] = {"type": "Immediate" if immediate else "OnIdle"}
        if evse_id is not None:
            payload["evseId"] = evse_id
        response = await self._call_accepted("Reset", payload, ("Accepted", "Scheduled"))
        return str(response["status"])

    async def unlock(self, evse_id: int, connector_id: int = 1) -> None:
        """Unlock a connector."""
        await self._call_accepted(
            "UnlockConnector", {"evseId": evse_id, "connectorId": connector_id}, ("Unlocked",)
        )

    async def get_variables(self, variables: Sequence[VariableRef]) -> list[dict[str, Any]]:
        """Read device-model variables; one result per request, in the station's words."""
        response = await self.call("GetVariables", {"getVariableData": [ref.to_ocpp() for ref in variables]})
        return list(response["getVariableResult"])

    async def set_variables(self, values: Sequence[tuple[VariableRef, str]]) -> list[dict[str, Any]]:
        """Write device-model variables; one result per value."""
        data = [{**ref.to_ocpp(), "attributeValue": value} for ref, value in values]
        response = await self.call("SetVariables", {"setVariableData": data})
        return list(response["setVariableResult"])

    async def start_transaction(self, evse_id: int, id_token: str = "ssch-hub") -> str | None:
        """RequestStartTransaction; returns the transaction id if the station already knows it."""
        payload = {
            "evseId": evse_id,
            "remoteStartId": next(_remote_start_ids),
            "idToken": {"idToken": id_token, "type": "Central"},
        }
        response = await self._call_accepted("RequestStartTransaction", payload)
        transaction_id = response.get("transactionId")
        return str(transaction_id) if transaction_id is not None else None

    async def stop_transaction(self, evse_id: int) -> None:
        """RequestStopTransaction for the transaction running on ``evse_id``."""
        _, transaction_id = self._evse_with_transaction(self._session(), evse_id)
        await self._call_accepted("RequestStopTransaction", {"transactionId": transaction_id})

    async def trigger_message(self, message: str, evse_id: int | None = None) -> None:
        """Ask the station to send ``message``, e.g. ``"StatusNotification"``."""
        payload: dict[str, Any] = {"requestedMessage": message}
        if evse_id is not None:
            payload["evse"] = {"id": evse_id}
        await self._call_accepted("TriggerMessage", payload)

    async def notify_allowed_energy_transfer(self, evse_id: int, modes: Sequence[str]) -> None:
        """Change the energy transfer modes of the running transaction (OCPP 2.1 only)."""
        session = self._session()
        if session.ocpp_version != "2.1":
            raise NotSupportedByVersion("NotifyAllowedEnergyTransfer", session.ocpp_version)
        _, transaction_id = self._evse_with_transaction(session, evse_id)
        await self._call_accepted(
            "NotifyAllowedEnergyTransfer",
            {"transactionId": transaction_id, "allowedEnergyTransfer": list(modes)},
        )


def _tighter(configured_kw: float, reported_kw: float | None) -> float:
    return configured_kw if reported_kw is None else min(configured_kw, reported_kw)
