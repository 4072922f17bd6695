"""The server's own keep-alive: quiet stations are pinged, silent ones are let go."""

from __future__ import annotations

import asyncio

import aiohttp

from custom_components.ssch.csms.events import StationDisconnected
from custom_components.ssch.csms.settings import CsmsSettings

from .conftest import PASSWORD, Hub, HubFactory, basic_auth, exchange

INTERVAL_S = 0.2


def _settings() -> CsmsSettings:
    return CsmsSettings(
        call_timeout_s=2.0, save_delay_s=0.05, auth_failure_lockout_s=0.0, ping_interval_s=INTERVAL_S
    )


async def _booted(
    make_hub: HubFactory, http: aiohttp.ClientSession, *, autoping: bool
) -> tuple[Hub, aiohttp.ClientWebSocketResponse]:
    """A hub with a short ping interval and station CS21 connected and heard once."""
    hub = await make_hub(settings=_settings())
    ws = await http.ws_connect(
        hub.url + "CS21",
        protocols=("ocpp2.1",),
        headers={"Authorization": basic_auth("CS21", PASSWORD)},
        autoping=autoping,
    )
    await exchange(ws, [2, "boot", "Heartbeat", {}])
    return hub, ws


async def test_a_station_that_answers_pings_stays_connected(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub, ws = await _booted(make_hub, http, autoping=True)
    # Quiet for many intervals: the client's automatic pongs keep it in.
    reader = asyncio.create_task(ws.receive())
    await asyncio.sleep(INTERVAL_S * 8)
    assert not reader.done()
    assert hub.server.session("CS21") is not None
    assert hub.of_type(StationDisconnected) == []
    reader.cancel()
    await ws.close()


async def test_a_silent_station_is_pinged_and_let_go(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub, ws = await _booted(make_hub, http, autoping=False)
    async with asyncio.timeout(INTERVAL_S * 10):
        ping = await ws.receive()
    assert ping.type is aiohttp.WSMsgType.PING
    # No pong and nothing else: after half an interval more the server closes the connection.
    assert (await hub.wait_for(StationDisconnected, within_s=INTERVAL_S * 10))[0].station_id == "CS21"
    assert hub.server.session("CS21") is None
    await ws.close()


async def test_any_frame_counts_as_an_answer_and_the_server_answers_pings(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub, ws = await _booted(make_hub, http, autoping=False)
    for index in range(8):
        await exchange(ws, [2, f"beat-{index}", "Heartbeat", {}])
        await asyncio.sleep(INTERVAL_S / 2)
    await ws.ping(b"are you there")
    async with asyncio.timeout(INTERVAL_S * 5):
        while (message := await ws.receive()).type is aiohttp.WSMsgType.PING:
            pass  # a keep-alive ping of the server may come first
    assert message.type is aiohttp.WSMsgType.PONG
    assert message.data == b"are you there"
    assert hub.of_type(StationDisconnected) == []
    await ws.close()
