"""Malformed frames, unknown actions, oversize frames and the rate limit over a real connection."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest

from custom_components.ssch.csms.settings import CsmsSettings

from .conftest import Hub, HubFactory, connect_raw, exchange

HEARTBEAT = [2, "hb", "Heartbeat", {}]


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", [4, "-1", "RpcFrameworkError"]),
        ('{"a": 1}', [4, "-1", "RpcFrameworkError"]),
        ("[]", [4, "-1", "RpcFrameworkError"]),
        ("[2]", [4, "-1", "RpcFrameworkError"]),
        ('[2, 17, "Heartbeat", {}]', [4, "-1", "RpcFrameworkError"]),
        ('[2, "m0", "MeterValues", {"evseId": 1, "value": NaN}]', [4, "-1", "RpcFrameworkError"]),
        ('[2, "m0", "MeterValues", {"evseId": 1, "value": -Infinity}]', [4, "-1", "RpcFrameworkError"]),
        ('[9, "m1", "Heartbeat", {}]', [4, "m1", "MessageTypeNotSupported"]),
        ('[true, "m1", "Heartbeat", {}]', [4, "m1", "MessageTypeNotSupported"]),
        ('[2, "m2", "Heartbeat"]', [4, "m2", "RpcFrameworkError"]),
        ('[2, "m3", "Heartbeat", []]', [4, "m3", "FormatViolation"]),
        ('[2, "m4", "FlyToTheMoon", {}]', [4, "m4", "NotImplemented"]),
        (
            '[2, "m5", "CostUpdated", {"totalCost": 1, "transactionId": "t"}]',
            [4, "m5", "NotSupported"],
        ),
        ('[2, "m6", "Heartbeat", {"extra": 1}]', [4, "m6", "FormatViolation"]),
        ('[2, "m7", "StatusNotification", {}]', [4, "m7", "OccurrenceConstraintViolation"]),
        (
            '[2, "m8", "BootNotification", {"reason": 5, '
            '"chargingStation": {"model": "m", "vendorName": "v"}}]',
            [4, "m8", "TypeConstraintViolation"],
        ),
        (
            '[2, "m9", "BootNotification", {"reason": "Bored", '
            '"chargingStation": {"model": "m", "vendorName": "v"}}]',
            [4, "m9", "PropertyConstraintViolation"],
        ),
        (f'[2, "{"x" * 37}", "Heartbeat", {{}}]', [4, "x" * 37, "RpcFrameworkError"]),
        ('[2, "m10", "Heartbeat", ' + "[" * 40 + "]" * 40 + "]", [4, "m10", "FormatViolation"]),
        (
            '[2, "m11", "StatusNotification", {"timestamp": "2026-01-01T00:00:00Z", '
            '"connectorStatus": "Available", "evseId": 1000000000000000000000000000000, "connectorId": 1}]',
            [4, "m11", "PropertyConstraintViolation"],
        ),
    ],
)
@pytest.mark.parametrize("version", ["2.1", "2.0.1"])
async def test_bad_frames_get_the_spec_callerror(
    hub: Hub, http: aiohttp.ClientSession, frame: str, expected: list[object], version: str
) -> None:
    station_id = "CS21" if version == "2.1" else "CS201"
    ws = await connect_raw(http, hub, station_id, (f"ocpp{version}",))
    reply = await exchange(ws, frame)
    assert reply[:3] == expected
    assert isinstance(reply[3], str)
    assert reply[4] == {}
    # the connection keeps working
    assert (await exchange(ws, HEARTBEAT))[:2] == [3, "hb"]
    await ws.close()


async def test_version_specific_message_types(hub: Hub, http: aiohttp.ClientSession) -> None:
    ws201 = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))
    assert (await exchange(ws201, '[6, "s1", "NotifyPeriodicEventStream", {}]'))[:3] == [
        4,
        "s1",
        "MessageTypeNotSupported",
    ]
    ws21 = await connect_raw(http, hub, "CS21", ("ocpp2.1",))
    # SEND and CALLRESULTERROR expect no answer; stray results and errors are dropped too
    for frame in (
        '[6, "s1", "Heartbeat", {}]',
        '[6, "s2", "Heartbeat", []]',
        '[6, "s3", "FlyToTheMoon", {}]',
        '[5, "r1", "GenericError", "x", {}]',
        '[3, "nobody-asked", {}]',
        '[3, "bad-result"]',
        '[4, "nobody-asked", "GenericError", "", {}]',
    ):
        await ws21.send_str(frame)
    await ws21.send_bytes(b"\x00binary")
    reply = await exchange(ws21, HEARTBEAT)
    assert reply[:3] == [4, "-1", "RpcFrameworkError"]  # for the binary frame
    assert (await asyncio.wait_for(ws21.receive_json(), 3))[:2] == [3, "hb"]
    await ws21.close()
    await ws201.close()


async def test_oversize_frames(make_hub: HubFactory, http: aiohttp.ClientSession) -> None:
    hub = await make_hub(settings=CsmsSettings(frame_limit=1000, hard_frame_limit=4000))
    ws = await connect_raw(http, hub, "CS21")
    big = json.dumps([2, "big1", "DataTransfer", {"vendorId": "x", "data": "a" * 2000}])
    assert (await exchange(ws, big))[:3] == [4, "big1", "FormatViolation"]
    assert (await exchange(ws, "x" * 2000))[:3] == [4, "-1", "FormatViolation"]
    assert (await exchange(ws, HEARTBEAT))[0] == 3
    other = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))
    # beyond the hard limit the websocket layer closes the connection (1009) ...
    await ws.send_str(json.dumps([2, "huge", "DataTransfer", {"vendorId": "x", "data": "a" * 8000}]))
    message = await asyncio.wait_for(ws.receive(), 3)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert message.data == 1009
    # ... and every other station keeps working
    assert (await exchange(other, HEARTBEAT))[0] == 3
    await other.close()


async def test_rate_limit_protects_the_hub(
    make_hub: HubFactory, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    hub = await make_hub(settings=CsmsSettings(rate_per_s=1.0, rate_burst=5))
    ws = await connect_raw(http, hub, "CS21")
    other = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))
    with caplog.at_level(logging.WARNING):
        replies = [await exchange(ws, [2, f"m{i}", "Heartbeat", {}]) for i in range(8)]
    assert [reply[0] for reply in replies] == [3] * 5 + [4] * 3
    assert replies[-1][2] == "GenericError"
    # logged once, not once per message
    assert sum("rate limit" in record.getMessage() for record in caplog.records) == 1
    assert (await exchange(other, HEARTBEAT))[0] == 3
    await ws.close()
    await other.close()


async def test_malformed_frames_are_logged_once_per_kind(
    hub: Hub, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    ws = await connect_raw(http, hub, "CS21")
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            await exchange(ws, "garbage")
        await exchange(ws, "[]")
    messages = [record.getMessage() for record in caplog.records if "CS21" in record.getMessage()]
    assert len(messages) == 2
    await ws.close()


async def test_log_memory_per_station_is_bounded(
    hub: Hub, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("custom_components.ssch.csms.server._MAX_LOGGED_KINDS", 2)
    ws = await connect_raw(http, hub, "CS21")
    with caplog.at_level(logging.WARNING):
        for index in range(4):
            assert (await exchange(ws, [2, f"m{index}", f"Unknown{index}", {}]))[2] == "NotImplemented"
    assert sum("CS21" in record.getMessage() for record in caplog.records) == 2
    await ws.close()


async def test_deep_nesting_after_many_valid_messages_leaves_saving_intact(
    make_hub: HubFactory, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    hub = await make_hub()
    ws = await connect_raw(http, hub, "CS21")
    for index in range(10):
        assert (await exchange(ws, [2, f"h{index}", "Heartbeat", {}]))[0] == 3
    nested_id = "[" * 12_000 + "]" * 12_000
    deep = '[2, "deep", "TransactionEvent", {"transactionInfo": {"transactionId": ' + nested_id + "}}]"
    assert (await exchange(ws, deep))[:3] == [4, "deep", "FormatViolation"]
    # a transactionId of the wrong type is refused by the schema check, not stored
    wrong = {"eventType": "Started", "timestamp": "2026-01-01T00:00:00Z", "triggerReason": "Authorized"}
    wrong |= {"seqNo": 0, "transactionInfo": {"transactionId": [[["x"]]]}, "evse": {"id": 1}}
    assert (await exchange(ws, [2, "wrong", "TransactionEvent", wrong]))[2] == "TypeConstraintViolation"
    await hub.server.save()
    assert "Traceback" not in caplog.text
    assert (
        hub.server.state("CS21").evses.get(1) is None
        or hub.server.state("CS21").evses[1].transaction_id is None
    )
    await ws.close()
