"""Handlers for requests a station sends. They only update state and emit events: they never
await a CALL to the station (the receive loop must keep running)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import re
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

from .clock import format_timestamp, parse_timestamp, station_time_or_now, utc_now
from .events import (
    EvNeedsReceived,
    FaultReported,
    FirmwareStatusChanged,
    MeterValuesReceived,
    SecurityEventReported,
    StationBooted,
    StationPending,
    StatusChanged,
    TokenPresented,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from .handler_context import HandlerContext
from .metering import Readings, apply_readings, read_meter_values
from .sequence import SeqTracker

# Handlers answer at once and never await a request to the station (see ``handler_context``).
Handler = Callable[[HandlerContext, dict[str, Any]], dict[str, Any]]
Payload = dict[str, Any]

BIDIRECTIONAL_TRANSFER_MODES = ["AC_single_phase", "AC_three_phase", "DC", "AC_BPT", "DC_BPT"]
_MAX_STORED_VARIABLES = 5000
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORST_REPORTED_SEVERITY = 6  # 0 Danger ... 6 Warning; Notice and below are not faults
# A Started event may come late (queued while the station was offline) or with a clock a little
# fast; outside these bounds the station's clock is wrong and the hub's is used.
_STARTED_LAG = timedelta(hours=24)
_STARTED_LEAD = timedelta(minutes=5)


def _now() -> str:
    return format_timestamp(utc_now())


def boot_notification(session: HandlerContext, payload: Payload) -> Payload:
    station = payload["chargingStation"]
    return answer_boot(
        session,
        StationBooted(
            session.station_id,
            station["vendorName"],
            station["model"],
            station.get("firmwareVersion"),
            payload.get("reason"),
            station.get("serialNumber"),
        ),
    )


def answer_boot(session: HandlerContext, boot: StationBooted) -> Payload:
    """Accept a configured station's boot (and remember what it is); a pending one waits."""
    vendor, model = boot.vendor, boot.model
    if session.pending is not None:
        session.pending.vendor, session.pending.model = vendor, model
        session.emit(StationPending(session.station_id, session.pending.remote, vendor, model))
        return {
            "currentTime": _now(),
            "interval": session.settings.pending_retry_s,
            "status": "Pending",
        }
    state = session.state
    state.vendor, state.model = vendor, model
    state.firmware_version = boot.firmware_version
    state.serial_number = boot.serial_number
    state.booted = True
    session.mark_dirty()
    session.emit(boot)
    return {
        "currentTime": _now(),
        "interval": session.settings.heartbeat_interval_s,
        "status": "Accepted",
    }


def heartbeat(session: HandlerContext, payload: Payload) -> Payload:
    session.state.last_heartbeat = utc_now()
    return {"currentTime": _now()}


def status_notification(session: HandlerContext, payload: Payload) -> Payload:
    evse_id, connector_id = payload["evseId"], payload["connectorId"]
    status = payload["connectorStatus"]
    evse = session.evse(evse_id)
    if evse.status != status:
        evse.status = status
        session.emit(StatusChanged(session.station_id, evse_id, connector_id, status))
        if status == "Faulted":
            session.emit(
                FaultReported(session.station_id, evse_id, "Connector", f"connector {connector_id} faulted")
            )
    return {}


def _transaction_answer(session: HandlerContext, payload: Payload) -> Payload:
    if "idToken" not in payload:
        return {}
    return {"idTokenInfo": {"status": session.authority.status(payload["idToken"])}}


def present_token(session: HandlerContext, evse_id: int | None, id_token: Payload) -> str:
    """Answer a presented card, and report it once (an Authorize and the transaction it starts
    carry the same card)."""
    status = session.authority.status(id_token)
    value, token_type = str(id_token.get("idToken", "")), str(id_token.get("type", ""))
    if value and token_type not in ("NoAuthorization", "Central") and value != session.last_token:
        session.emit(TokenPresented(session.station_id, evse_id, value, token_type, status))
    session.last_token = value
    return status


def _transaction_evse(session: HandlerContext, transaction_id: str, payload: Payload) -> int | None:
    """The EVSE of a transaction event: named in it, known from the transaction, or the only one."""
    named = payload.get("evse", {}).get("id")
    if named:
        return int(named)
    known = session.state.evse_of_transaction(transaction_id)
    if known is not None:
        return known
    configured = session.config.evse_count if session.config else 0
    return 1 if configured == 1 else None


def transaction_event(session: HandlerContext, payload: Payload) -> Payload:
    state = session.state
    info = payload["transactionInfo"]
    transaction_id: str = info["transactionId"]
    seq_no: int = payload["seqNo"]
    if transaction_id in state.ended:
        # Ended and acknowledged: a repeat or a late event must not open it again.
        session.log_once("tx_after_end", f"event {seq_no} of ended transaction {transaction_id} ignored")
        return _transaction_answer(session, payload)
    evse_id = _transaction_evse(session, transaction_id, payload)
    if evse_id is None:
        session.log_once("tx_without_evse", f"transaction {transaction_id} names no EVSE")
        return _transaction_answer(session, payload)
    evse = session.evse(evse_id)
    event_type = payload["eventType"]
    is_current = evse.transaction_id == transaction_id
    if is_current and evse.sequence.seen(seq_no):
        return _transaction_answer(session, payload)  # delivered again after a lost CALLRESULT
    if not is_current and event_type != "Ended":
        evse.start_session(transaction_id, _plug_in_time(session, event_type, payload))
        is_current = True
        id_token = payload.get("idToken", {}).get("idToken")
        session.emit(TransactionStarted(session.station_id, evse_id, transaction_id, id_token))
    if is_current and evse.sequence.add(seq_no):
        session.log_once("seq_gap", f"transaction {transaction_id}: events before seqNo {seq_no} missing")
    meter_values = payload.get("meterValue")
    if meter_values:
        record_readings(session, evse_id, read_meter_values(meter_values))
    if is_current:
        evse.charging_state = info.get("chargingState", evse.charging_state)
        evse.operation_mode = info.get("operationMode", evse.operation_mode)
        if event_type == "Ended":
            session.emit(
                TransactionEnded(
                    session.station_id,
                    evse_id,
                    transaction_id,
                    round(evse.session_energy_kwh, 4),
                    info.get("stoppedReason"),
                    evse.ev_soc_pct,
                )
            )
            state.ended.remember(transaction_id, evse.sequence)
            evse.end_session()
        elif event_type == "Updated":
            session.emit(TransactionUpdated(session.station_id, evse_id, transaction_id, evse.charging_state))
    elif event_type == "Ended":
        state.ended.remember(transaction_id, SeqTracker(seq_no))
    session.mark_dirty()
    if "idToken" in payload:
        return {"idTokenInfo": {"status": present_token(session, evse_id, payload["idToken"])}}
    return {}


def _plug_in_time(session: HandlerContext, event_type: str, payload: Payload) -> datetime:
    """When the car came: the Started event's time if the station's clock is believable; a
    transaction first seen in a later event started at an unknown time, so it counts from now."""
    if event_type != "Started":
        return utc_now()
    return transaction_start_time(session, payload.get("timestamp"))


def transaction_start_time(session: HandlerContext, timestamp: object) -> datetime:
    """The station's start time of a transaction if its clock is believable, else now."""
    started, plausible = station_time_or_now(
        parse_timestamp(timestamp), utc_now(), lead=_STARTED_LEAD, lag=_STARTED_LAG
    )
    if not plausible:
        session.log_once(
            "implausible_clock",
            f"transaction start time {str(timestamp)[:40]!r} is not plausible; "
            "the hub's clock is used (check the station's time synchronisation)",
        )
    return started


def meter_values(session: HandlerContext, payload: Payload) -> Payload:
    evse_id = payload["evseId"]
    if evse_id == 0:  # the station's grid meter, not an EVSE
        return {}
    record_readings(session, evse_id, read_meter_values(payload["meterValue"]))
    session.mark_dirty()
    return {}


def record_readings(session: HandlerContext, evse_id: int, readings: Readings) -> None:
    """Apply readings to a configured EVSE, log once what could not be used, and report them."""
    evse = session.evse(evse_id)
    for problem in apply_readings(evse, readings):
        # One line per kind of problem: the values in it change from message to message.
        kind = _NUMBER.sub("#", problem.split("'", 1)[0])
        session.log_once(f"meter:{evse_id}:{kind}", f"EVSE {evse_id}: {problem} (ignored)")
    session.emit(
        MeterValuesReceived(
            session.station_id,
            evse_id,
            evse.power_kw,
            round(evse.energy_charged_kwh, 4),
            round(evse.energy_discharged_kwh, 4),
            evse.ev_soc_pct,
        )
    )


def authorize(session: HandlerContext, payload: Payload) -> Payload:
    status = present_token(session, None, payload["idToken"])
    response: Payload = {"idTokenInfo": {"status": status}}
    # The request names no EVSE: bidirectional transfer is granted when any EVSE of a
    # bidirectional station allows it; a later NotifyAllowedEnergyTransfer can narrow it.
    if (
        status == "Accepted"
        and session.v2g_capable
        and any(e.v2g_allowed for e in _configured_evses(session))
    ):
        response["allowedEnergyTransfer"] = list(BIDIRECTIONAL_TRANSFER_MODES)
    return response


def _configured_evses(session: HandlerContext) -> list[Any]:
    count = session.config.evse_count if session.config else 0
    return [session.state.evse(evse_id) for evse_id in range(1, count + 1)]


def _kw(watts: object) -> float | None:
    return float(watts) / 1000.0 if isinstance(watts, int | float) else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def notify_ev_charging_needs(session: HandlerContext, payload: Payload) -> Payload:
    evse_id = payload["evseId"]
    needs = payload["chargingNeeds"]
    evse = session.evse(evse_id)
    v2x = needs.get("v2xChargingParameters", {})
    ac = needs.get("acChargingParameters", {})
    dc = needs.get("dcChargingParameters", {})
    energy_wh = v2x.get("evTargetEnergyRequest", ac.get("energyAmount", dc.get("energyAmount")))
    evse.requested_energy_transfer = needs["requestedEnergyTransfer"]
    evse.control_mode = needs.get("controlMode")
    evse.departure_time = parse_timestamp(needs.get("departureTime"))
    evse.energy_request_kwh = _kw(energy_wh)
    limits = evse.ev_limits
    limits.max_charge_kw = _kw(v2x.get("maxChargePower", dc.get("evMaxPower")))
    limits.min_charge_kw = _kw(v2x.get("minChargePower"))
    limits.max_discharge_kw = _kw(v2x.get("maxDischargePower"))
    limits.min_discharge_kw = _kw(v2x.get("minDischargePower"))
    # AC cars state limits per phase; the power they mean depends on the phases in use.
    limits.min_current_a = _number(ac.get("evMinCurrent"))
    limits.max_current_a = _number(ac.get("evMaxCurrent"))
    limits.max_voltage_v = _number(ac.get("evMaxVoltage"))
    session.mark_dirty()
    session.emit(
        EvNeedsReceived(
            session.station_id,
            evse_id,
            evse.requested_energy_transfer,
            evse.control_mode,
            evse.departure_time,
            evse.energy_request_kwh,
            limits.max_charge_kw,
            limits.max_discharge_kw,
        )
    )
    return {"status": "Accepted"}


def notify_report(session: HandlerContext, payload: Payload) -> Payload:
    variables = session.state.variables
    for item in payload.get("reportData", []):
        if len(variables) >= _MAX_STORED_VARIABLES:
            session.log_once("report_overflow", "device model report truncated")
            break
        component, variable = item["component"], item["variable"]
        key = _variable_key(component, variable)
        for attribute in item.get("variableAttribute", []):
            if attribute.get("type", "Actual") == "Actual" and "value" in attribute:
                variables[key] = str(attribute["value"])
    return {}


def _variable_key(component: Payload, variable: Payload) -> str:
    name = component["name"]
    if "instance" in component:
        name += f"[{component['instance']}]"
    if "evse" in component:
        name += f"@{component['evse']['id']}"
    variable_name = variable["name"]
    if "instance" in variable:
        variable_name += f"[{variable['instance']}]"
    return f"{name}/{variable_name}"


def notify_event(session: HandlerContext, payload: Payload) -> Payload:
    for event in payload["eventData"]:
        severity = event.get("severity")
        is_problem = event["variable"]["name"] in {"Problem", "Tripped", "Fault"}
        if not is_problem and (severity is None or severity > _WORST_REPORTED_SEVERITY):
            continue
        component = event["component"]
        detail = f"{event['variable']['name']}={event['actualValue']}"
        if "techCode" in event:
            detail += f" ({event['techCode']})"
        session.emit(
            FaultReported(
                session.station_id,
                component.get("evse", {}).get("id"),
                component["name"],
                detail,
                bool(event.get("cleared", False)),
            )
        )
    return {}


def security_event_notification(session: HandlerContext, payload: Payload) -> Payload:
    event_type = payload["type"]
    session.log_once(f"security:{event_type}", f"security event {event_type}")
    session.emit(SecurityEventReported(session.station_id, event_type, payload.get("techInfo")))
    return {}


def firmware_status_notification(session: HandlerContext, payload: Payload) -> Payload:
    session.state.firmware_status = payload["status"]
    session.emit(FirmwareStatusChanged(session.station_id, payload["status"]))
    return {}


_STATION_CERTIFICATE = "ChargingStationCertificate"


def sign_certificate(session: HandlerContext, payload: Payload) -> Payload:
    """Sign a station's own certificate request with the hub's CA; the certificate follows in a
    CertificateSigned request. ISO 15118 (V2G) certificates belong to another PKI."""
    signer = session.signer
    if signer is None or payload.get("certificateType", _STATION_CERTIFICATE) != _STATION_CERTIFICATE:
        return {"status": "Rejected"}
    try:
        chain = signer.sign(payload["csr"], session.station_id)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        session.log_once("csr", f"certificate request refused: {error}")
        return {"status": "Rejected"}
    signed: Payload = {"certificateChain": chain}
    if session.ocpp_version != "1.6":  # 1.6 (security whitepaper) has no certificate types
        signed["certificateType"] = _STATION_CERTIFICATE
    session.call_soon("CertificateSigned", signed)
    return {"status": "Accepted"}


def pull_dynamic_schedule_update(session: HandlerContext, payload: Payload) -> Payload:
    from .profiles import profile_id_for

    for evse_id, evse in session.state.evses.items():
        if profile_id_for(evse_id) == payload["chargingProfileId"] and evse.active_setpoint_kw is not None:
            watts = round(evse.active_setpoint_kw * 1000.0, 1)
            return {"status": "Accepted", "scheduleUpdate": {"setpoint": watts}}
    return {"status": "Rejected"}


def _constant(response: Payload) -> Handler:
    def handler(session: HandlerContext, payload: Payload) -> Payload:
        return dict(response)

    return handler


_ACKNOWLEDGED = (
    "LogStatusNotification",
    "NotifyChargingLimit",
    "ClearedChargingLimit",
    "ReportChargingProfiles",
    "NotifyMonitoringReport",
    "NotifyCustomerInformation",
    "NotifyDisplayMessages",
    "ReservationStatusUpdate",
    "PublishFirmwareStatusNotification",
    "NotifyPriorityCharging",
    "NotifyDERAlarm",
    "NotifyDERStartStop",
    "ReportDERControl",
)

HANDLERS: dict[str, Handler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "StatusNotification": status_notification,
    "TransactionEvent": transaction_event,
    "MeterValues": meter_values,
    "Authorize": authorize,
    "NotifyEVChargingNeeds": notify_ev_charging_needs,
    "NotifyReport": notify_report,
    "NotifyEvent": notify_event,
    "SecurityEventNotification": security_event_notification,
    "FirmwareStatusNotification": firmware_status_notification,
    "PullDynamicScheduleUpdate": pull_dynamic_schedule_update,
    "DataTransfer": _constant({"status": "UnknownVendorId"}),
    "SignCertificate": sign_certificate,
    "NotifyEVChargingSchedule": _constant({"status": "Accepted"}),
    **{action: _constant({}) for action in _ACKNOWLEDGED},
}
