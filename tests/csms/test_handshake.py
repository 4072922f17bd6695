"""Handshake: station id, Basic auth, subprotocols, version pinning, adopting, duplicates, TLS."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
import ssl

import aiohttp
import pytest

from custom_components.ssch.csms.events import (
    StationConnected,
    StationDisconnected,
    StationPending,
    VersionMismatchRefused,
)
from custom_components.ssch.csms.registry import StationConfig
from custom_components.ssch.csms.tls import server_ssl_context

from .common import handshake_status
from .conftest import PASSWORD_HASH, V2G, Hub, HubFactory, basic_auth, connect_raw, exchange

BOOT = [
    2,
    "b1",
    "BootNotification",
    {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
]


async def test_unknown_station_gets_404(hub: Hub, http: aiohttp.ClientSession) -> None:
    assert await handshake_status(http, hub.url + "NOPE", {"Authorization": basic_auth("NOPE")}) == 404
    assert await handshake_status(http, hub.url, {}) == 404
    assert await handshake_status(http, hub.url + "X" * 49, {}) == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": basic_auth("CS21", "wrong-password")},
        {"Authorization": basic_auth("CS201")},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic " + "bm9jb2xvbg=="},
    ],
)
async def test_bad_credentials_get_401(
    hub: Hub, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    assert await handshake_status(http, hub.url + "CS21", headers) == 401
    assert not hub.of_type(StationConnected)


async def test_station_id_is_last_path_segment_and_reconnect_uses_cached_password(
    hub: Hub, http: aiohttp.ClientSession
) -> None:
    for _ in range(3):
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{hub.server.port}/any/prefix/CS21",
            protocols=("ocpp2.1",),
            headers={"Authorization": basic_auth("CS21")},
        )
        assert ws.protocol == "ocpp2.1"
        await ws.close()
        await hub.wait_for(StationDisconnected, len(hub.of_type(StationConnected)))
    connected = hub.of_type(StationConnected)
    assert [event.reconnects for event in connected] == [0, 1, 2]
    assert hub.server.state("CS21").reconnects == 2


async def test_subprotocol_negotiation_and_version_pinning(hub: Hub, http: aiohttp.ClientSession) -> None:
    assert (
        await handshake_status(http, hub.url + "CS201", {"Authorization": basic_auth("CS201")}, ("ocpp1.5",))
        == 400
    )
    # The newest version offered wins.
    ws = await connect_raw(http, hub, "CS201", ("ocpp1.6", "ocpp2.0.1"))
    assert ws.protocol == "ocpp2.0.1"
    await ws.close()
    await hub.wait_for(StationDisconnected)
    # a station pinned to 2.0.1 that now offers 2.1 first still gets 2.0.1
    ws = await connect_raw(http, hub, "CS201", ("ocpp2.1", "ocpp2.0.1"))
    assert ws.protocol == "ocpp2.0.1"
    await ws.close()
    await hub.wait_for(StationDisconnected, 2)
    # switching to 2.1 only is refused and reported
    assert await handshake_status(http, hub.url + "CS201", {"Authorization": basic_auth("CS201")}) == 400
    refused = hub.of_type(VersionMismatchRefused)
    assert refused == [VersionMismatchRefused("CS201", "2.0.1", ("ocpp2.1",))]
    # the installer can release the pin, e.g. after a firmware upgrade
    hub.server.reset_version_pin("CS201")
    ws = await connect_raw(http, hub, "CS201", ("ocpp2.0.1", "ocpp2.1"))
    assert ws.protocol == "ocpp2.1"
    await ws.close()


async def test_newest_connection_wins(hub: Hub, http: aiohttp.ClientSession) -> None:
    first = await connect_raw(http, hub, "CS21")
    second = await connect_raw(http, hub, "CS21")
    message = await asyncio.wait_for(first.receive(), 3)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert "superseded" in str(message.extra)
    assert (await exchange(second, BOOT))[2]["status"] == "Accepted"
    assert hub.server.state("CS21").connected
    assert not hub.of_type(StationDisconnected)
    await second.close()
    await hub.wait_for(StationDisconnected)
    assert not hub.server.state("CS21").connected


async def test_unknown_station_is_held_pending_when_adopting(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub(adopt_unknown=True)
    ws = await http.ws_connect(hub.url + "NEW1", protocols=("ocpp2.0.1",))
    boot = await exchange(ws, BOOT)
    assert boot[2]["status"] == "Pending"
    assert boot[2]["interval"] == 60
    assert (await exchange(ws, [2, "h", "Heartbeat", {}]))[0] == 3
    refused = await exchange(
        ws,
        [
            2,
            "s",
            "StatusNotification",
            {
                "timestamp": "2025-01-01T00:00:00Z",
                "connectorStatus": "Available",
                "evseId": 1,
                "connectorId": 1,
            },
        ],
    )
    assert refused[:3] == [4, "s", "SecurityError"]
    pending = hub.of_type(StationPending)
    assert pending[0] == StationPending("NEW1", "127.0.0.1")
    assert pending[1].vendor == "V"
    assert pending[1].model == "M"
    assert "NEW1" in hub.server.pending_stations
    # commands reach a pending station (e.g. to set its password before adopting it)
    assert hub.server.station("NEW1").station_id == "NEW1"
    # adopting closes the pending connection so the station comes back with credentials
    await hub.server.update_registry({"CS21": V2G, "NEW1": StationConfig(PASSWORD_HASH)})
    message = await asyncio.wait_for(ws.receive(), 3)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert "NEW1" not in hub.server.pending_stations
    ws = await connect_raw(http, hub, "NEW1")
    assert (await exchange(ws, BOOT))[2]["status"] == "Accepted"
    await ws.close()


async def test_pending_limit(make_hub: HubFactory, http: aiohttp.ClientSession) -> None:
    from custom_components.ssch.csms.settings import CsmsSettings

    hub = await make_hub(adopt_unknown=True, settings=CsmsSettings(pending_limit=1))
    ws = await http.ws_connect(hub.url + "NEW1", protocols=("ocpp2.1",))
    assert await handshake_status(http, hub.url + "NEW2", {}) == 404
    again = await http.ws_connect(hub.url + "NEW1", protocols=("ocpp2.1",))
    await again.close()
    await ws.close()


async def test_removing_a_station_disconnects_it(hub: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))
    await exchange(ws, BOOT)
    await hub.server.update_registry({"CS21": V2G})
    message = await asyncio.wait_for(ws.receive(), 3)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert "removed" in str(message.extra)
    assert await handshake_status(http, hub.url + "CS201", {"Authorization": basic_auth("CS201")}) == 404


async def test_password_change_takes_effect(hub: Hub, http: aiohttp.ClientSession) -> None:
    from custom_components.ssch.csms.auth import hash_password

    ws = await connect_raw(http, hub, "CS21")
    await hub.server.update_registry(
        {"CS21": StationConfig(hash_password("new-password"), bidirectional=True)}
    )
    assert (await asyncio.wait_for(ws.receive(), 3)).type == aiohttp.WSMsgType.CLOSE
    assert await handshake_status(http, hub.url + "CS21", {"Authorization": basic_auth("CS21")}) == 401
    ws = await connect_raw(http, hub, "CS21", password="new-password")
    await ws.close()


def _self_signed(tmp_path: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(certfile), str(keyfile)


async def test_tls_security_profile_2(
    make_hub: HubFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    certfile, keyfile = _self_signed(tmp_path)
    context = server_ssl_context(certfile, keyfile)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    hub = await make_hub(ssl_context=context)
    client_context = ssl.create_default_context(cafile=certfile)
    client_context.check_hostname = False
    ws = await http.ws_connect(
        f"wss://127.0.0.1:{hub.server.port}/CS21",
        protocols=("ocpp2.1",),
        headers={"Authorization": basic_auth("CS21")},
        ssl=client_context,
    )
    assert (await exchange(ws, BOOT))[2]["status"] == "Accepted"
    await ws.close()
    # plain ws to a TLS port fails
    with pytest.raises(aiohttp.ClientError):
        await http.ws_connect(f"ws://127.0.0.1:{hub.server.port}/CS21", protocols=("ocpp2.1",))


async def test_stop_releases_port_and_closes_connections(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub()
    port = hub.server.port
    ws = await connect_raw(http, hub, "CS21")
    await hub.server.stop()
    message = await asyncio.wait_for(ws.receive(), 3)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert hub.of_type(StationDisconnected)[0].reason == "server shutting down"
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    assert not [task for task in tasks if "csms" in repr(task.get_coro())]
    # the port is free again: a new server can bind it
    from custom_components.ssch.csms.registry import StationRegistry
    from custom_components.ssch.csms.server import CsmsServer
    from custom_components.ssch.csms.store import MemoryStore

    again = CsmsServer("127.0.0.1", port, StationRegistry(), MemoryStore())
    await again.start()
    assert again.port == port
    await again.stop()
    # binding a port in use fails cleanly
    blocker = CsmsServer("127.0.0.1", 0, StationRegistry(), MemoryStore())
    await blocker.start()
    clash = CsmsServer("127.0.0.1", blocker.port, StationRegistry(), MemoryStore())
    with pytest.raises(OSError, match=r"address already in use|Errno"):
        await clash.start()
    await blocker.stop()


async def test_config_change_applies_to_the_live_connection(hub: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub, "CS21")
    authorize = [2, "a", "Authorize", {"idToken": {"idToken": "c", "type": "ISO14443"}}]
    assert "allowedEnergyTransfer" in (await exchange(ws, authorize))[2]
    await hub.server.update_registry({"CS21": StationConfig(PASSWORD_HASH, bidirectional=False)})
    assert "allowedEnergyTransfer" not in (await exchange(ws, authorize))[2]
    assert hub.server.state("CS21").connected
    await ws.close()
