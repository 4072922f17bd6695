"""Commands the hub sends to one station, as typed async methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .ac import ac_supply, charge_limits_kw
from .clock import utc_now
from .dialect import Dialect, FirmwareUpdate, LogUpload, ProfileFilter, Request, dialect_for
from .errors import (
    CommandRejected,
    NoTransaction,
    NotSupportedByVersion,
    StationOffline,
    UnknownStation,
)
from .events import SetpointClipped
from .profiles import (
    STACK_LEVEL,
    SetpointPlan,
    clamp_setpoint,
    profile_id_for,
    set_charging_profile_request,
    update_dynamic_schedule_request,
)
from .state import EvseState
from .station import Session
from .v16_requests import HUB_ID_TAG, tx_profile_request

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
    "GetCompositeSchedule",
    "UpdateFirmware",
    "GetLog",
    "DataTransfer",
    # OCPP 1.6
    "GetConfiguration",
    "ChangeConfiguration",
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "GetDiagnostics",
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
        if accepted and status not in accepted:
            reason = response.get("statusInfo", {}).get("reasonCode")
            raise CommandRejected(action, status, reason)
        return response

    async def _send(self, request: Request) -> dict[str, Any]:
        return await self._call_accepted(request.action, request.payload, request.accepted)

    def _dialect(self) -> Dialect:
        return dialect_for(self._session().ocpp_version)

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
        UpdateDynamicSchedule. Discharge is clipped to 0 where it is not possible; a charging power
        the car cannot take (below its minimum current) becomes 0 or that minimum.
        """
        session = self._session()
        config = session.config
        if config is None:
            raise UnknownStation(self.station_id)
        evse, transaction_id = self._evse_with_transaction(session, evse_id)
        discharge_possible = session.v2g_capable and evse.v2g_allowed
        min_charge_kw, max_charge_kw = charge_limits_kw(config, evse)
        max_discharge_kw = (
            _tighter(config.max_discharge_kw, evse.ev_limits.max_discharge_kw) if discharge_possible else 0.0
        )
        clamped = clamp_setpoint(
            power_kw,
            max_charge_kw=max_charge_kw,
            max_discharge_kw=max_discharge_kw,
            discharge_possible=discharge_possible,
            min_charge_kw=min_charge_kw,
        )
        if clamped.reason is not None:
            session.log_once(f"clipped:{evse_id}:{clamped.reason}", f"setpoint {clamped.reason}")
            session.emit(
                SetpointClipped(self.station_id, evse_id, power_kw, clamped.applied_kw, clamped.reason)
            )
        if session.ocpp_version == "1.6":
            request = tx_profile_request(
                evse_id,
                transaction_id,
                clamped.applied_kw,
                unit=session.state.charging_rate_unit or "A",
                supply=ac_supply(config, evse),
                duration_s=duration_s,
            )
            await self._send(request)
            evse.active_profile_id = profile_id_for(evse_id)
            action = request.action
        else:
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
        await self._send(self._dialect().clear_profile(evse_id))
        self._session().state.evse(evse_id).forget_setpoint()

    async def set_availability(self, operative: bool, evse_id: int | None = None) -> str:
        """ChangeAvailability for the station or one EVSE; returns Accepted or Scheduled."""
        response = await self._send(self._dialect().availability(operative, evse_id))
        return str(response["status"])

    async def reset(self, immediate: bool = False, evse_id: int | None = None) -> str:
        """Reset the station (or one EVSE where the version allows); returns Accepted or Scheduled."""
        response = await self._send(self._dialect().reset(immediate, evse_id))
        return str(response["status"])

    async def unlock(self, evse_id: int, connector_id: int = 1) -> None:
        """Unlock a connector."""
        await self._send(self._dialect().unlock(evse_id, connector_id))

    async def get_composite_schedule(self, evse_id: int, duration_s: int = 3600) -> dict[str, Any]:
        """The limits the station will apply over the next ``duration_s``, all profiles combined."""
        return await self._send(self._dialect().composite_schedule(evse_id, duration_s))

    def _require(self, action: str, *versions: str) -> Session:
        session = self._session()
        if session.ocpp_version not in versions:
            raise NotSupportedByVersion(action, session.ocpp_version)
        return session

    async def get_variables(self, variables: Sequence[VariableRef]) -> list[dict[str, Any]]:
        """Read device-model variables (2.x); one result per request, in the station's words."""
        self._require("GetVariables", "2.0.1", "2.1")
        response = await self.call("GetVariables", {"getVariableData": [ref.to_ocpp() for ref in variables]})
        return list(response["getVariableResult"])

    async def set_variables(self, values: Sequence[tuple[VariableRef, str]]) -> list[dict[str, Any]]:
        """Write device-model variables (2.x); one result per value."""
        self._require("SetVariables", "2.0.1", "2.1")
        data = [{**ref.to_ocpp(), "attributeValue": value} for ref, value in values]
        response = await self.call("SetVariables", {"setVariableData": data})
        return list(response["setVariableResult"])

    async def get_configuration(self, keys: Sequence[str] = ()) -> dict[str, str | None]:
        """Read configuration keys of a 1.6 station (all of them without ``keys``); unknown ones are
        None."""
        self._require("GetConfiguration", "1.6")
        response = await self.call("GetConfiguration", {"key": list(keys)} if keys else {})
        values: dict[str, str | None] = dict.fromkeys(response.get("unknownKey", []))
        for item in response.get("configurationKey", []):
            values[str(item["key"])] = item.get("value")
        return values

    async def change_configuration(self, key: str, value: str) -> str:
        """Change one configuration key of a 1.6 station; returns Accepted or RebootRequired."""
        self._require("ChangeConfiguration", "1.6")
        request = Request("ChangeConfiguration", {"key": key, "value": value}, ("Accepted", "RebootRequired"))
        return str((await self._send(request))["status"])

    async def start_transaction(self, evse_id: int, id_token: str = HUB_ID_TAG) -> str | None:
        """Start charging remotely; returns the transaction id if the station already knows it."""
        response = await self._send(self._dialect().remote_start(evse_id, id_token))
        transaction_id = response.get("transactionId")
        return str(transaction_id) if transaction_id is not None else None

    async def stop_transaction(self, evse_id: int) -> None:
        """Stop the transaction running on ``evse_id``."""
        _, transaction_id = self._evse_with_transaction(self._session(), evse_id)
        await self._send(self._dialect().remote_stop(transaction_id))

    async def trigger_message(self, message: str, evse_id: int | None = None) -> None:
        """Ask the station to send ``message``, e.g. ``"StatusNotification"``."""
        await self._send(self._dialect().trigger(message, evse_id))

    async def update_firmware(self, update: FirmwareUpdate) -> str | None:
        """Have the station fetch and install firmware; its progress arrives as FirmwareStatusChanged.

        Returns the station's answer (2.x), None where the version answers without one (1.6).
        """
        response = await self._send(self._dialect().update_firmware(update))
        return _optional_str(response.get("status"))

    async def upload_log(self, upload: LogUpload) -> str | None:
        """Have the station upload a log to ``upload.location``; returns the file name, if it tells."""
        response = await self._send(self._dialect().upload_log(upload))
        return _optional_str(response.get("filename", response.get("fileName")))

    async def data_transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None) -> Any:
        """Send vendor-specific data; returns the data the station answered with (None if none)."""
        response = await self._send(self._dialect().data_transfer(vendor_id, message_id, data))
        return response.get("data")

    async def clear_charging_profiles(self, which: ProfileFilter) -> str:
        """Clear the station's profiles that match ``which``; returns Accepted, or Unknown if none matched.

        An EVSE whose hub profile may be among them forgets its setpoint, so the next one sends a new
        profile rather than an update of a profile that is gone.
        """
        session = self._session()
        response = await self._send(self._dialect().clear_profiles(which))
        hub_profiles = which.purpose in (None, "TxProfile") and which.stack_level in (None, STACK_LEVEL)
        for evse_id, evse in session.state.evses.items():
            if (
                hub_profiles
                and which.evse_id in (None, evse_id)
                and which.profile_id in (None, evse.active_profile_id)
            ):
                evse.forget_setpoint()
        return str(response["status"])

    async def notify_allowed_energy_transfer(self, evse_id: int, modes: Sequence[str]) -> None:
        """Change the energy transfer modes of the running transaction (OCPP 2.1 only)."""
        session = self._require("NotifyAllowedEnergyTransfer", "2.1")
        _, transaction_id = self._evse_with_transaction(session, evse_id)
        await self._call_accepted(
            "NotifyAllowedEnergyTransfer",
            {"transactionId": transaction_id, "allowedEnergyTransfer": list(modes)},
        )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _tighter(configured_kw: float, reported_kw: float | None) -> float:
    return configured_kw if reported_kw is None else min(configured_kw, reported_kw)
