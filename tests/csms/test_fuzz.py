"""Property-based fuzzing: any text is classified without an exception, and every CALL to any handler,
however its payload is bent, gets exactly one answer with its own message id."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.ssch.csms.frames import FrameViolation, parse_frame
from custom_components.ssch.csms.handlers import HANDLERS
from custom_components.ssch.csms.settings import CsmsSettings
from custom_components.ssch.csms.state import StationState
from custom_components.ssch.csms.station import Session
from custom_components.ssch.csms.v16_handlers import HANDLERS_16

from .conftest import V2G

NOW = "2026-06-01T12:00:00Z"
METER = [
    {"timestamp": NOW, "sampledValue": [{"value": 1200.0, "measurand": "Energy.Active.Import.Register"}]}
]
VALID: dict[str, dict[str, Any]] = {
    "BootNotification": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
    "Heartbeat": {},
    "StatusNotification": {"timestamp": NOW, "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
    "TransactionEvent": {
        "eventType": "Started",
        "timestamp": NOW,
        "triggerReason": "CablePluggedIn",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx", "chargingState": "Charging"},
        "evse": {"id": 1, "connectorId": 1},
        "idToken": {"idToken": "card", "type": "ISO14443"},
        "meterValue": METER,
    },
    "MeterValues": {"evseId": 1, "meterValue": METER},
    "Authorize": {"idToken": {"idToken": "card", "type": "ISO14443"}},
    "NotifyEVChargingNeeds": {
        "evseId": 1,
        "chargingNeeds": {
            "requestedEnergyTransfer": "AC_BPT",
            "departureTime": NOW,
            "acChargingParameters": {
                "energyAmount": 20000,
                "evMinCurrent": 6,
                "evMaxCurrent": 16,
                "evMaxVoltage": 400,
            },
        },
    },
    "NotifyEvent": {
        "generatedAt": NOW,
        "seqNo": 0,
        "eventData": [
            {
                "eventId": 1,
                "timestamp": NOW,
                "trigger": "Alerting",
                "actualValue": "true",
                "eventNotificationType": "HardWiredNotification",
                "component": {"name": "Connector", "evse": {"id": 1}},
                "variable": {"name": "Problem"},
                "severity": 2,
            }
        ],
    },
    "SecurityEventNotification": {"type": "FirmwareUpdated", "timestamp": NOW},
    "FirmwareStatusNotification": {"status": "Installed"},
    "PullDynamicScheduleUpdate": {"chargingProfileId": 1},
    "DataTransfer": {"vendorId": "acme"},
}
METER_16 = [
    {
        "timestamp": NOW,
        "sampledValue": [
            {"value": "1200", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "16.1", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
        ],
    }
]
VALID_16: dict[str, dict[str, Any]] = {
    "BootNotification": {"chargePointVendor": "V", "chargePointModel": "M"},
    "Heartbeat": {},
    "StatusNotification": {"connectorId": 1, "errorCode": "NoError", "status": "Charging"},
    "Authorize": {"idTag": "card"},
    "StartTransaction": {"connectorId": 1, "idTag": "card", "meterStart": 100, "timestamp": NOW},
    "MeterValues": {"connectorId": 1, "transactionId": 1, "meterValue": METER_16},
    "StopTransaction": {
        "transactionId": 1,
        "meterStop": 900,
        "timestamp": NOW,
        "reason": "EVDisconnected",
        "transactionData": METER_16,
    },
    "FirmwareStatusNotification": {"status": "Installed"},
    "DiagnosticsStatusNotification": {"status": "Uploaded"},
    "SecurityEventNotification": {"type": "FirmwareUpdated", "timestamp": NOW},
    "DataTransfer": {"vendorId": "acme"},
}


def _all_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {key for value in node.values() for key in _all_keys(value)}
    if isinstance(node, list):
        return {key for value in node for key in _all_keys(value)}
    return set()


FIELD_NAMES = sorted(_all_keys(VALID) | _all_keys(VALID_16))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def bent_payloads(draw: st.DrawFn, valid: dict[str, dict[str, Any]] = VALID) -> tuple[str, Any]:
    """A valid payload of some action with one value replaced, removed or left, or any JSON at all."""
    action = draw(st.sampled_from([*valid, "FlyToTheMoon", "CostUpdated"]))
    payload: Any = copy.deepcopy(valid.get(action, {}))
    paths = _paths(payload)
    choice = draw(st.sampled_from(["replace", "remove", "keep", "any"]))
    if choice == "any":
        return action, draw(JSON)
    if paths and choice != "keep":
        path = draw(st.sampled_from(paths))
        parent = payload
        for part in path[:-1]:
            parent = parent[part]
        if choice == "remove" and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return action, payload


class RecordingSocket:
    """Stands in for the websocket so thousands of examples run in seconds; the real one is tested
    everywhere else in this package."""

    closed = False

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_str(self, text: str) -> None:
        self.sent.append(text)


async def _persist(station_id: str) -> None:
    return None


def _session(socket: RecordingSocket, version: str = "2.1") -> Session:
    return Session(
        socket,  # type: ignore[arg-type]
        StationState("CS21"),
        version,
        config=V2G,
        pending=None,
        settings=CsmsSettings(rate_per_s=1e6, rate_burst=10**6),
        emit=lambda event: None,
        persist=_persist,
        log_once=lambda station_id, kind, message: None,
    )


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | JSON.map(json.dumps))
def test_any_text_is_classified_without_an_exception(text: str) -> None:
    for version in ("2.1", "2.0.1", "1.6"):
        frame = parse_frame(text, version)
        assert frame is not None
        if isinstance(frame, FrameViolation):
            assert frame.code


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bent_payloads(), min_size=1, max_size=6))
def test_every_call_to_every_handler_gets_exactly_one_answer(calls: list[tuple[str, Any]]) -> None:
    socket = RecordingSocket()
    session = _session(socket)

    async def run() -> None:
        for index, (action, payload) in enumerate(calls):
            await session._on_text(json.dumps([2, f"m{index}", action, payload]))

    asyncio.run(run())
    answers = [json.loads(text) for text in socket.sent]
    assert [answer[1] for answer in answers] == [f"m{index}" for index in range(len(calls))]
    for answer, (action, _) in zip(answers, calls, strict=True):
        assert answer[0] in (3, 4)
        if answer[0] == 4:
            assert answer[2] in {
                "FormatViolation",
                "TypeConstraintViolation",
                "OccurrenceConstraintViolation",
                "PropertyConstraintViolation",
                "NotImplemented",
                "NotSupported",
            }, (action, answer)
    # whatever was accepted can be saved
    json.dumps(session.state.to_dict(), allow_nan=False)


def test_the_valid_payloads_are_accepted() -> None:
    socket = RecordingSocket()
    session = _session(socket)

    async def run() -> None:
        for action, payload in VALID.items():
            await session._on_text(json.dumps([2, action, action, payload]))

    asyncio.run(run())
    assert [json.loads(text)[0] for text in socket.sent] == [3] * len(VALID)
    assert set(VALID) <= set(HANDLERS)


_ERRORS_16 = {
    "FormationViolation",
    "TypeConstraintViolation",
    "OccurenceConstraintViolation",
    "PropertyConstraintViolation",
    "NotImplemented",
    "NotSupported",
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bent_payloads(VALID_16), min_size=1, max_size=6))
def test_every_call_of_a_16_station_gets_exactly_one_answer_in_16_terms(calls: list[tuple[str, Any]]) -> None:
    socket = RecordingSocket()
    session = _session(socket, "1.6")

    async def run() -> None:
        for index, (action, payload) in enumerate(calls):
            await session._on_text(json.dumps([2, f"m{index}", action, payload]))

    asyncio.run(run())
    answers = [answer for answer in map(json.loads, socket.sent) if answer[0] in (3, 4)]
    assert [answer[1] for answer in answers] == [f"m{index}" for index in range(len(calls))]
    assert all(answer[2] in _ERRORS_16 for answer in answers if answer[0] == 4), answers
    json.dumps(session.state.to_dict(), allow_nan=False)


def test_the_valid_16_payloads_are_accepted() -> None:
    socket = RecordingSocket()
    session = _session(socket, "1.6")

    async def run() -> None:
        for action, payload in VALID_16.items():
            await session._on_text(json.dumps([2, action, action, payload]))

    asyncio.run(run())
    answers = [answer for answer in map(json.loads, socket.sent) if answer[0] in (3, 4)]
    assert [answer[0] for answer in answers] == [3] * len(VALID_16)
    assert set(VALID_16) <= set(HANDLERS_16)
