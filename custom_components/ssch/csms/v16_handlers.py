"""Handlers for the requests an OCPP 1.6 station sends. Like the 2.x ones they only update state and
emit events; the hub's own CALLs (the boot configuration) run after the answer."""

from __future__ import annotations

from typing import Any

from .clock import parse_timestamp, utc_now
from .events import (
    FaultReported,
    StationBooted,
    StatusChanged,
    TransactionEnded,
    TransactionStarted,
)
from .handler_context import HandlerContext
from .handlers import (
    Handler,
    answer_boot,
    firmware_status_notification,
    heartbeat,
    present_token,
    record_readings,
    security_event_notification,
    sign_certificate,
    transaction_start_time,
)
from .metering import Readings, read_meter_values
from .sequence import SeqTracker
from .v16_configuration import configure_station
from .v16_meter import normalise_meter_values
from .v16_requests import HUB_ID_TAG
from .v16_transaction_ids import start_key

Payload = dict[str, Any]

_ID_TAG_STATUSES = frozenset({"Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"})
# 1.6 connector statuses as the 2.x connector status and charging state the hub keeps.
_CONNECTOR_STATUS = {
    "Available": ("Available", None),
    "Preparing": ("Occupied", "EVConnected"),
    "Charging": ("Occupied", "Charging"),
    "SuspendedEVSE": ("Occupied", "SuspendedEVSE"),
    "SuspendedEV": ("Occupied", "SuspendedEV"),
    "Finishing": ("Occupied", "EVConnected"),
    "Reserved": ("Reserved", None),
    "Unavailable": ("Unavailable", None),
    "Faulted": ("Faulted", None),
}


def boot_notification(session: HandlerContext, payload: Payload) -> Payload:
    answer = answer_boot(
        session,
        StationBooted(
            session.station_id,
            payload["chargePointVendor"],
            payload["chargePointModel"],
            payload.get("firmwareVersion"),
            None,
            payload.get("chargePointSerialNumber") or payload.get("chargeBoxSerialNumber"),
        ),
    )
    if answer["status"] == "Accepted":
        session.after_reply(configure_station)
    return answer


def id_tag_info(session: HandlerContext, connector_id: int | None, id_tag: str) -> Payload:
    """The hub's answer to a card, in 1.6 terms (1.6 has no "Unknown": such a card is Invalid)."""
    token_type = "Central" if id_tag == HUB_ID_TAG else "ISO14443"
    status = present_token(session, connector_id, {"idToken": id_tag, "type": token_type})
    return {"status": status if status in _ID_TAG_STATUSES else "Invalid"}


def authorize(session: HandlerContext, payload: Payload) -> Payload:
    return {"idTagInfo": id_tag_info(session, None, payload["idTag"])}


def status_notification(session: HandlerContext, payload: Payload) -> Payload:
    connector_id, error_code = payload["connectorId"], payload["errorCode"]
    detail = " ".join(
        str(part) for part in (error_code, payload.get("info"), payload.get("vendorErrorCode")) if part
    )
    if connector_id == 0:  # the charge point itself
        if payload["status"] == "Faulted" or error_code != "NoError":
            session.emit(FaultReported(session.station_id, None, "ChargePoint", detail))
        return {}
    evse = session.evse(connector_id)
    status, charging_state = _CONNECTOR_STATUS[payload["status"]]
    if evse.transaction_id is not None:
        evse.charging_state = charging_state
    if evse.status != status:
        evse.status = status
        session.emit(StatusChanged(session.station_id, connector_id, connector_id, status))
    problem = None if error_code == "NoError" else detail
    if problem != evse.error_code:
        cleared = problem is None
        reported = evse.error_code if cleared else problem
        evse.error_code = problem
        session.emit(
            FaultReported(session.station_id, connector_id, "Connector", reported or "", cleared=cleared)
        )
    return {}


def start_transaction(session: HandlerContext, payload: Payload) -> Payload:
    connector_id, id_tag = payload["connectorId"], payload["idTag"]
    evse = session.evse(connector_id)
    key = start_key(connector_id, id_tag, payload["meterStart"], payload["timestamp"])
    transaction_id, repeated = session.state.transaction_ids.assign(key, utc_now())
    answer = {"idTagInfo": id_tag_info(session, connector_id, id_tag), "transactionId": transaction_id}
    if repeated:
        return answer  # sent again after a lost answer: same id, nothing new
    if evse.transaction_id is not None:
        # The station never stopped the one before (its StopTransaction was lost): it is over.
        _end(session, connector_id, "a new transaction started on this connector")
    started_at = transaction_start_time(session, payload["timestamp"])
    evse.start_session(str(transaction_id), started_at)
    meter_start = Readings(import_register_kwh=payload["meterStart"] / 1000.0, sampled_at=started_at)
    record_readings(session, connector_id, meter_start)
    session.emit(TransactionStarted(session.station_id, connector_id, str(transaction_id), id_tag))
    session.mark_dirty()
    return answer


def stop_transaction(session: HandlerContext, payload: Payload) -> Payload:
    transaction_id = str(payload["transactionId"])
    answer: Payload = {}
    if "idTag" in payload:
        answer["idTagInfo"] = id_tag_info(session, None, payload["idTag"])
    connector_id = session.state.evse_of_transaction(transaction_id)
    if connector_id is None:
        if transaction_id not in session.state.ended:
            session.log_once("stop_unknown", f"StopTransaction for unknown transaction {transaction_id}")
        return answer
    readings = _readings(session, payload.get("transactionData", []))
    stopped_at = parse_timestamp(payload["timestamp"])
    meter_stop = Readings(import_register_kwh=payload["meterStop"] / 1000.0, sampled_at=stopped_at)
    record_readings(session, connector_id, readings)
    record_readings(session, connector_id, meter_stop)
    _end(session, connector_id, payload.get("reason", "Local"))
    session.mark_dirty()
    return answer


def _end(session: HandlerContext, connector_id: int, reason: str) -> None:
    evse = session.state.evse(connector_id)
    transaction_id = evse.transaction_id or ""
    session.emit(
        TransactionEnded(
            session.station_id,
            connector_id,
            transaction_id,
            round(evse.session_energy_kwh, 4),
            reason,
            evse.ev_soc_pct,
        )
    )
    session.state.ended.remember(transaction_id, SeqTracker())
    evse.end_session()


def meter_values(session: HandlerContext, payload: Payload) -> Payload:
    connector_id = payload["connectorId"]
    if connector_id == 0:  # the charge point's main meter, not a connector
        return {}
    evse = session.evse(connector_id)
    transaction_id = payload.get("transactionId")
    if transaction_id is not None and str(transaction_id) != evse.transaction_id:
        if str(transaction_id) not in session.state.ended:
            session.log_once("meter_unknown", f"MeterValues for unknown transaction {transaction_id} ignored")
        return {}
    record_readings(session, connector_id, _readings(session, payload["meterValue"]))
    session.mark_dirty()
    return {}


def _readings(session: HandlerContext, meter_values: list[Payload]) -> Readings:
    normalised, problems = normalise_meter_values(meter_values)
    readings = read_meter_values(normalised)
    readings.problems[:0] = problems
    return readings


def diagnostics_status_notification(session: HandlerContext, payload: Payload) -> Payload:
    session.state.diagnostics_status = payload["status"]
    return {}


def _acknowledge(session: HandlerContext, payload: Payload) -> Payload:
    return {}


def _unknown_vendor(session: HandlerContext, payload: Payload) -> Payload:
    return {"status": "UnknownVendorId"}


HANDLERS_16: dict[str, Handler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "StatusNotification": status_notification,
    "Authorize": authorize,
    "StartTransaction": start_transaction,
    "StopTransaction": stop_transaction,
    "MeterValues": meter_values,
    "DataTransfer": _unknown_vendor,
    "FirmwareStatusNotification": firmware_status_notification,
    "SignedFirmwareStatusNotification": firmware_status_notification,
    "DiagnosticsStatusNotification": diagnostics_status_notification,
    "SecurityEventNotification": security_event_notification,
    "SignCertificate": sign_certificate,
    "LogStatusNotification": _acknowledge,
}
