"""Strangers cannot keep stations out: idle sockets, oversized handshakes, password floods, made-up ids."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import logging
import os
import resource

import aiohttp
import pytest

from custom_components.ssch.csms.events import PendingExpired, StationConnected
from custom_components.ssch.csms.settings import CsmsSettings

from .conftest import PASSWORD, HubFactory, basic_auth, connect_raw, exchange

STRANGER = "127.0.0.2"


async def idle_socket(port: int, local: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(local, 0))


@contextlib.asynccontextmanager
async def from_address(local: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(local, 0))) as session:
        yield session


async def test_idle_sockets_from_one_address_cannot_lock_out_stations(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    # With 300 spare descriptors for both sides, 1,100 sockets held by the server would exhaust them.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, in_use + 300), hard))
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    closed_by_server = 0
    try:
        settings = CsmsSettings(handshake_sockets_per_address=50, handshake_timeout_s=30.0, save_delay_s=0.05)
        hub = await make_hub(settings=settings)
        for index in range(1100):
            held.append(await idle_socket(hub.server.port, STRANGER))
            if index % 25 == 24:
                await asyncio.sleep(0.05)
                closed = [writer for reader, writer in held if reader.at_eof()]
                closed_by_server += len(closed)
                held = [(reader, writer) for reader, writer in held if not reader.at_eof()]
                for writer in closed:
                    writer.close()
        assert len(held) <= 50
        assert closed_by_server >= 1050
        ws = await connect_raw(http, hub, "CS21")
        assert (await exchange(ws, [2, "h", "Heartbeat", {}]))[0] == 3
        await ws.close()
    finally:
        for _, writer in held:
            writer.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def test_a_socket_that_never_upgrades_is_closed(make_hub: HubFactory) -> None:
    hub = await make_hub(settings=CsmsSettings(handshake_timeout_s=0.3, save_delay_s=0.05))
    reader, writer = await idle_socket(hub.server.port, STRANGER)
    writer.write(b"GET /ocpp/CS21 HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
    async with asyncio.timeout(3):
        assert await reader.read() == b""
    writer.close()


async def test_oversized_handshake_headers_are_cut_off(make_hub: HubFactory) -> None:
    hub = await make_hub(settings=CsmsSettings(handshake_bytes=4096, save_delay_s=0.05))
    reader, writer = await idle_socket(hub.server.port, STRANGER)
    writer.write(b"GET /ocpp/CS21 HTTP/1.1\r\nHost: x\r\n")
    with contextlib.suppress(ConnectionError):
        for index in range(200):
            writer.write(f"X-Filler-{index}: {'a' * 1000}\r\n".encode())
            await writer.drain()
    async with asyncio.timeout(3):
        with contextlib.suppress(ConnectionError):
            assert await reader.read() == b""
    writer.close()


async def test_a_password_flood_from_elsewhere_does_not_keep_the_station_out(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub(settings=CsmsSettings(auth_failure_lockout_s=5.0, save_delay_s=0.05))
    async with from_address(STRANGER) as stranger:
        for _ in range(5):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await stranger.ws_connect(
                    hub.url + "CS21",
                    protocols=("ocpp2.1",),
                    headers={"Authorization": basic_auth("CS21", "nope")},
                )
            assert refused.value.status == 401
        # the station has never logged in since the start: its password is checked and let in
        ws = await connect_raw(http, hub, "CS21", password=PASSWORD)
        await hub.wait_for(StationConnected)
        # the stranger's right password does not help it while it is locked out
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await stranger.ws_connect(
                hub.url + "CS201", protocols=("ocpp2.1",), headers={"Authorization": basic_auth("CS201")}
            )
    await ws.close()


async def test_made_up_ids_from_one_address_cannot_fill_the_pending_list(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    settings = CsmsSettings(pending_limit=16, pending_per_address=2, pending_expiry_s=0.2, save_delay_s=0.05)
    hub = await make_hub(adopt_unknown=True, settings=settings)
    async with from_address(STRANGER) as stranger:
        held = [
            await stranger.ws_connect(hub.url + f"FAKE{index}", protocols=("ocpp2.1",)) for index in range(2)
        ]
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await stranger.ws_connect(hub.url + "FAKE2", protocols=("ocpp2.1",))
        # a real new station from another address still gets a place
        real = await http.ws_connect(hub.url + "NEWSTATION", protocols=("ocpp2.1",))
        for ws in held:
            await ws.close()
        await asyncio.sleep(0.3)
        # the made-up ids expired once they went quiet: the address may try again
        again = await stranger.ws_connect(hub.url + "FAKE3", protocols=("ocpp2.1",))
        assert set(hub.server.pending_stations) == {"NEWSTATION", "FAKE3"}
        assert {event.station_id for event in hub.of_type(PendingExpired)} == {"FAKE0", "FAKE1"}
        await again.close()
    await real.close()


async def test_a_refused_request_closes_its_socket(make_hub: HubFactory) -> None:
    hub = await make_hub()
    reader, writer = await idle_socket(hub.server.port, STRANGER)
    writer.write(
        b"GET /ocpp/CS21 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Protocol: ocpp2.1\r\nAuthorization: "
        + basic_auth("CS21", "wrong").encode()
        + b"\r\n\r\n"
    )
    async with asyncio.timeout(3):
        answer = await reader.read()  # the whole answer, then the end of the connection
    assert answer.startswith(b"HTTP/1.1 401")
    writer.close()


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"HELLO WORLD\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"\x16\x03\x01" + bytes(40),
    ],
)
async def test_malformed_http_is_refused_without_a_traceback(
    make_hub: HubFactory, caplog: pytest.LogCaptureFixture, request_bytes: bytes
) -> None:
    hub = await make_hub()
    reader, writer = await idle_socket(hub.server.port, STRANGER)
    writer.write(request_bytes)
    async with asyncio.timeout(3):
        assert (await reader.read()).startswith(b"HTTP/1.0 400")
    writer.close()
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
