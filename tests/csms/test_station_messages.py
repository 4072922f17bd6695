"""Station -> CSMS messages beyond the charging session, answered as each schema requires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
import logging

import aiohttp
from ocpp.messages import get_validator
import pytest

from custom_components.ssch.csms import handlers
from custom_components.ssch.csms.clock import format_timestamp
from custom_components.ssch.csms.events import (
    FaultReported,
    FirmwareStatusChanged,
    MeterValuesReceived,
    SecurityEventReported,
    StatusChanged,
    TransactionEnded,
)
from custom_components.ssch.csms.schemas import known_actions

from .conftest import Hub, connect_raw, exchange

NOW = "2025-06-01T12:00:00.000Z"


async def test_device_model_events_and_faults(hub: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub, "CS21")
    report = {
        "requestId": 1,
        "generatedAt": NOW,
        "seqNo": 0,
        "reportData": [
            {
                "component": {"name": "V2XChargingCtrlr", "evse": {"id": 1}, "instance": "main"},
                "variable": {"name": "Enabled", "instance": "x"},
                "variableAttribute": [
                    {"type": "Actual", "value": "true"},
                    {"type": "Target", "value": "false"},
                ],
            },
            {
                "component": {"name": "EVSE"},
                "variable": {"name": "Power"},
                "variableAttribute": [{"value": "11000"}],
            },
        ],
    }
    assert (await exchange(ws, [2, "r", "NotifyReport", report]))[:3] == [3, "r", {}]
    assert hub.server.state("CS21").variables == {
        "V2XChargingCtrlr[main]@1/Enabled[x]": "true",
        "EVSE/Power": "11000",
    }
    event = {
        "generatedAt": NOW,
        "seqNo": 0,
        "eventData": [
            {
                "eventId": 1,
                "timestamp": NOW,
                "trigger": "Alerting",
                "actualValue": "true",
                "techCode": "E42",
                "eventNotificationType": "HardWiredNotification",
                "component": {"name": "Connector", "evse": {"id": 1}},
                "variable": {"name": "Problem"},
            },
            {
                "eventId": 2,
                "timestamp": NOW,
                "trigger": "Periodic",
                "actualValue": "230",
                "eventNotificationType": "HardWiredMonitor",
                "severity": 8,
                "component": {"name": "EVSE"},
                "variable": {"name": "Voltage"},
            },
            {
                "eventId": 3,
                "timestamp": NOW,
                "trigger": "Alerting",
                "actualValue": "85",
                "eventNotificationType": "HardWiredMonitor",
                "severity": 4,
                "cleared": True,
                "component": {"name": "ChargingStation"},
                "variable": {"name": "Temperature"},
            },
        ],
    }
    assert (await exchange(ws, [2, "e", "NotifyEvent", event]))[0] == 3
    faults = hub.of_type(FaultReported)
    assert faults == [
        FaultReported("CS21", 1, "Connector", "Problem=true (E42)"),
        FaultReported("CS21", None, "ChargingStation", "Temperature=85", cleared=True),
    ]
    status = {"timestamp": NOW, "connectorStatus": "Faulted", "evseId": 1, "connectorId": 1}
    await exchange(ws, [2, "s1", "StatusNotification", status])
    await exchange(ws, [2, "s2", "StatusNotification", status])
    assert len(hub.of_type(StatusChanged)) == 1
    assert hub.of_type(FaultReported)[-1].component == "Connector"
    security = {"type": "TamperDetectionActivated", "timestamp": NOW, "techInfo": "lid"}
    assert (await exchange(ws, [2, "x", "SecurityEventNotification", security]))[0] == 3
    assert hub.of_type(SecurityEventReported) == [
        SecurityEventReported("CS21", "TamperDetectionActivated", "lid")
    ]
    assert (await exchange(ws, [2, "f", "FirmwareStatusNotification", {"status": "Installed"}]))[0] == 3
    assert hub.of_type(FirmwareStatusChanged) == [FirmwareStatusChanged("CS21", "Installed")]
    assert hub.server.state("CS21").firmware_status == "Installed"
    assert (await exchange(ws, [2, "d", "DataTransfer", {"vendorId": "acme"}]))[2] == {
        "status": "UnknownVendorId"
    }
    await ws.close()


def _transaction(
    event_type: str, tx_id: str, evse: int | None = None, *, timestamp: str = NOW, **extra: object
) -> dict[str, object]:
    """A TransactionEvent payload; without ``evse`` it names none."""
    payload: dict[str, object] = {
        "eventType": event_type,
        "timestamp": timestamp,
        "triggerReason": "Trigger",
        "seqNo": next(_SEQ_NOS),
        "transactionInfo": {"transactionId": tx_id},
        **extra,
    }
    if evse is not None:
        payload["evse"] = {"id": evse}
    return payload


_SEQ_NOS = itertools.count()


async def test_transactions_edge_cases(hub: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))

    # an Updated without EVSE for an unknown transaction cannot be placed
    ghost = await exchange(ws, [2, "a", "TransactionEvent", _transaction("Updated", "ghost")])
    assert ghost[:3] == [3, "a", {}]
    # an Ended for a transaction the hub never saw does not touch the EVSE
    await exchange(ws, [2, "b", "TransactionEvent", _transaction("Started", "t1", 1)])
    await exchange(ws, [2, "c", "TransactionEvent", _transaction("Ended", "old", 1)])
    assert hub.server.state("CS201").evses[1].transaction_id == "t1"
    # an Updated for a transaction seen for the first time starts it (e.g. after a restart)
    await exchange(ws, [2, "d", "TransactionEvent", _transaction("Updated", "t2", 2)])
    assert hub.server.state("CS201").evses[2].transaction_id == "t2"
    # the grid meter (EVSE 0) and per-phase / odd units are skipped
    meter = [
        {
            "timestamp": NOW,
            "sampledValue": [
                {
                    "value": 5.0,
                    "measurand": "Energy.Active.Import.Register",
                    "unitOfMeasure": {"unit": "kWh"},
                },
                {"value": 99.0, "measurand": "Power.Active.Import", "phase": "L1"},
                {"value": 2.0, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}},
                {"value": 1.0, "measurand": "Power.Active.Export", "unitOfMeasure": {"unit": "kvar"}},
                {"value": 3.0, "measurand": "Voltage", "unitOfMeasure": {"unit": "V"}},
            ],
        }
    ]
    await exchange(ws, [2, "e", "MeterValues", {"evseId": 0, "meterValue": meter}])
    assert not hub.of_type(MeterValuesReceived)
    await exchange(ws, [2, "f", "MeterValues", {"evseId": 1, "meterValue": meter}])
    assert hub.of_type(MeterValuesReceived)[0].power_kw == 2.0
    await exchange(ws, [2, "g", "TransactionEvent", _transaction("Ended", "t1")])
    assert hub.of_type(TransactionEnded)[0].evse_id == 1
    await ws.close()


async def test_the_plug_in_time_is_the_stations_when_its_clock_is_plausible(
    hub: Hub, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    ws = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))

    def tx(event_type: str, tx_id: str, evse: int, timestamp: str) -> list[object]:
        payload = _transaction(event_type, tx_id, evse, timestamp=timestamp)
        return [2, f"{tx_id}-{event_type}", "TransactionEvent", payload]

    queued = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    await exchange(ws, tx("Started", "late", 1, format_timestamp(queued)))
    evses = hub.server.state("CS201").evses
    assert evses[1].session_started_at == queued
    # A clock years off is not believed (and said once); neither is the time of a later event.
    before = datetime.now(UTC)
    with caplog.at_level(logging.WARNING):
        for event_type, tx_id in (("Started", "off"), ("Started", "off-again"), ("Updated", "first-seen")):
            stamp = NOW if event_type == "Started" else format_timestamp(queued)
            await exchange(ws, tx(event_type, tx_id, 2, stamp))
            started = evses[2].session_started_at
            assert started is not None
            assert before <= started <= datetime.now(UTC)
    assert caplog.text.count("is not plausible") == 1
    # the station has two EVSEs: a third is refused, and nothing is recorded for it
    refused = await exchange(ws, tx("Started", "third", 3, NOW))
    assert refused[2] == "PropertyConstraintViolation"
    assert 3 not in evses
    await exchange(ws, tx("Ended", "late", 1, format_timestamp(datetime.now(UTC))))
    assert evses[1].session_started_at is None
    await ws.close()


async def test_handler_failure_answers_internal_error(
    hub: Hub, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(session: object, payload: object) -> dict[str, object]:
        raise RuntimeError("boom")

    monkeypatch.setitem(handlers.HANDLERS, "Heartbeat", broken)

    def failing_listener(event: object) -> None:
        raise ValueError("listener bug")

    hub.server.listen(failing_listener)
    unsubscribe = hub.server.listen(hub.events.append)
    unsubscribe()
    unsubscribe()
    with caplog.at_level(logging.WARNING):
        ws = await connect_raw(http, hub, "CS21")
        assert (await exchange(ws, [2, "h", "Heartbeat", {}]))[:3] == [4, "h", "InternalError"]
    assert any("listener" in record.getMessage() for record in caplog.records)
    await ws.close()


@pytest.mark.parametrize("version", ["2.1", "2.0.1"])
def test_canned_answers_match_the_response_schemas(version: str) -> None:
    canned = [action for action in handlers.HANDLERS if action in known_actions(version)]
    assert len(canned) > 15
    for action, handler in handlers.HANDLERS.items():
        if action not in known_actions(version) or handler.__module__ != handlers.__name__:
            continue
        if handler.__name__ != "handler":
            continue
        response = handler(None, {})  # type: ignore[arg-type]
        get_validator(3, action, version).validate(response)
