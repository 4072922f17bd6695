"""Sampled schema validation, dead connections and odd API uses."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import aiohttp
import pytest

from custom_components.ssch.csms import __main__ as cli, handlers
from custom_components.ssch.csms.auth import verify_password
from custom_components.ssch.csms.errors import StationOffline, UnknownStation
from custom_components.ssch.csms.events import StationDisconnected

from .conftest import PASSWORD_HASH, HubFactory, connect_raw, exchange

BAD_METER = {
    "evseId": "x",
    "meterValue": [{"timestamp": "2025-01-01T00:00:00Z", "sampledValue": [{"value": 1}]}],
}
GOOD_METER = {
    "evseId": 1,
    "meterValue": [{"timestamp": "2025-01-01T00:00:00Z", "sampledValue": [{"value": 1}]}],
}


async def test_every_request_is_schema_checked(make_hub: HubFactory, http: aiohttp.ClientSession) -> None:
    hub = await make_hub()
    ws = await connect_raw(http, hub, "CS21")
    for index in range(8):
        assert (await exchange(ws, [2, f"h{index}", "Heartbeat", {"extra": 1}]))[2] == "FormatViolation"
        assert (await exchange(ws, [2, f"g{index}", "MeterValues", GOOD_METER]))[0] == 3
        refused = await exchange(ws, [2, f"b{index}", "MeterValues", BAD_METER])
        assert refused[2] == "TypeConstraintViolation"
    await ws.close()


async def test_a_connection_that_breaks_while_answering_ends_quietly(
    make_hub: HubFactory, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = await make_hub()
    ws = await connect_raw(http, hub, "CS21")
    await exchange(ws, [2, "a", "Heartbeat", {}])
    session = hub.server.session("CS21")
    assert session is not None

    async def broken_send(text: str) -> None:
        raise ConnectionResetError("peer vanished")

    monkeypatch.setattr(session.ws, "send_str", broken_send)
    with pytest.raises(StationOffline):
        await session.call("Reset", {"type": "OnIdle"})
    await ws.send_json([2, "b", "Heartbeat", {}])
    assert (await hub.wait_for(StationDisconnected))[0].station_id == "CS21"
    # the session object is gone: calls on it fail as offline, even racing the close
    with pytest.raises(StationOffline):
        await session.call("Reset", {"type": "OnIdle"})
    with pytest.raises(StationOffline):
        await session._send("[]")
    await ws.close()


async def test_commands_need_a_live_configured_station(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub(adopt_unknown=True)
    with pytest.raises(StationOffline):
        await hub.server.station("CS21").reset()
    ws = await http.ws_connect(hub.url + "NEW9", protocols=("ocpp2.1",))
    await asyncio.sleep(0.05)
    with pytest.raises(UnknownStation):
        await hub.server.station("NEW9").set_setpoint(1, 2.0)
    hub.server.dismiss_pending("NEW9")
    assert "NEW9" not in hub.server.pending_stations
    await ws.close()


async def test_device_model_storage_is_bounded(
    make_hub: HubFactory, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers, "_MAX_STORED_VARIABLES", 1)
    hub = await make_hub()
    ws = await connect_raw(http, hub, "CS21")
    item = {"component": {"name": "C"}, "variable": {"name": "V"}, "variableAttribute": [{"value": "1"}]}
    other = {"component": {"name": "D"}, "variable": {"name": "W"}, "variableAttribute": [{"value": "2"}]}
    report = {"requestId": 1, "generatedAt": "2025-01-01T00:00:00Z", "seqNo": 0, "reportData": [item, other]}
    assert (await exchange(ws, [2, "r", "NotifyReport", report]))[0] == 3
    assert hub.server.state("CS21").variables == {"C/V": "1"}
    await ws.close()


def test_malformed_password_hashes_never_match() -> None:
    assert not verify_password("pw", "plain-text")
    assert not verify_password("pw", "scrypt$8192$8$1$!!!$abc")
    assert not verify_password("pw", PASSWORD_HASH.replace("$8192$", "$3$"))


def test_cli_main_runs_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []

    saved = True

    def fake_run(coroutine: Coroutine[Any, Any, bool]) -> bool:
        started.append(coroutine)
        coroutine.close()
        return saved

    monkeypatch.setattr("custom_components.ssch.csms.__main__.asyncio.run", fake_run)
    monkeypatch.setattr("custom_components.ssch.csms.__main__.logging.basicConfig", lambda **kwargs: None)
    cli.main(["--port", "0"])
    assert len(started) == 1
    # a failed final save is a failure exit, so a supervisor notices
    saved = False
    with pytest.raises(SystemExit, match="saving the station state failed"):
        cli.main(["--port", "0"])
