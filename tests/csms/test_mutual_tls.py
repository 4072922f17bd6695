"""Security profile 3: stations log in with a certificate the hub's CA signed, naming the station."""

from __future__ import annotations

import json
from pathlib import Path
import ssl

import aiohttp
from cryptography import x509
from cryptography.x509.oid import NameOID
import pytest

from custom_components.ssch.csms.events import StationConnected
from custom_components.ssch.csms.signing import CertificateSigner
from custom_components.ssch.csms.tls import certificate_expiry, server_ssl_context
from tests.pki import Issued, issue

from .common import certificate_request
from .conftest import HubFactory, basic_auth, connect_raw, exchange


def client_context(server: Issued, client: Issued | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(server.cert_path))
    if client is not None:
        context.load_cert_chain(client.cert_path, client.key_path)
    return context


async def connect(
    http: aiohttp.ClientSession,
    hub_port: int,
    station_id: str,
    context: ssl.SSLContext,
    password: str | None = None,
) -> aiohttp.ClientWebSocketResponse:
    headers = {"Authorization": basic_auth(station_id, password)} if password else {}
    return await http.ws_connect(
        f"wss://127.0.0.1:{hub_port}/ocpp/{station_id}", protocols=("ocpp2.1",), headers=headers, ssl=context
    )


async def test_stations_log_in_with_their_certificate(
    make_hub: HubFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    ca = issue(tmp_path / "ca", "Hub CA", ca=True)
    server = issue(tmp_path / "server", "127.0.0.1", ip="127.0.0.1")
    hub = await make_hub(
        ssl_context=server_ssl_context(str(server.cert_path), str(server.key_path), str(ca.cert_path))
    )
    port = hub.server.port
    own = issue(tmp_path / "cs21", "CS21", issuer=ca)
    other = issue(tmp_path / "cs201", "CS201", issuer=ca)
    rogue = issue(tmp_path / "rogue", "CS21", issuer=issue(tmp_path / "rogue-ca", "Rogue CA", ca=True))

    # the certificate is the credential; a password on top is checked too
    ws = await connect(http, port, "CS21", client_context(server, own))
    assert (await exchange(ws, [2, "h", "Heartbeat", {}]))[0] == 3
    await hub.wait_for(StationConnected)
    await ws.close()
    with pytest.raises(aiohttp.WSServerHandshakeError) as wrong_password:
        await connect(http, port, "CS21", client_context(server, own), password="wrong")
    assert wrong_password.value.status == 401
    # a certificate of another station, or one the hub's CA did not sign, gets nowhere
    with pytest.raises(aiohttp.WSServerHandshakeError) as borrowed:
        await connect(http, port, "CS21", client_context(server, other))
    assert borrowed.value.status == 403
    with pytest.raises(aiohttp.ClientError):
        await connect(http, port, "CS21", client_context(server, rogue))
    # a station without a certificate still logs in with its password (profile 2 beside 3)
    ws = await connect(http, port, "CS201", client_context(server, None), password="correct-horse-battery")
    assert (await exchange(ws, [2, "h", "Heartbeat", {}]))[0] == 3
    await ws.close()
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_password:
        await connect(http, port, "CS201", client_context(server, None))
    assert no_password.value.status == 401


def test_the_expiry_of_a_certificate_is_read(tmp_path: Path) -> None:
    issued = issue(tmp_path, "127.0.0.1", valid_days=10)
    assert certificate_expiry(str(issued.cert_path)) == issued.certificate.not_valid_after_utc


async def test_the_hub_signs_a_stations_certificate_request(
    make_hub: HubFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    ca = issue(tmp_path / "ca", "Hub CA", ca=True)
    signer = CertificateSigner.from_files(str(ca.cert_path), str(ca.key_path))
    hub = await make_hub(signer=signer)
    ws = await connect_raw(http, hub, "CS21")

    async def sign(common_name: str, certificate_type: str = "ChargingStationCertificate") -> str:
        request = {"csr": certificate_request(common_name), "certificateType": certificate_type}
        return str((await exchange(ws, [2, "s", "SignCertificate", request]))[2]["status"])

    assert await sign("CS21") == "Accepted"
    call = json.loads(await ws.receive_str())
    assert call[2] == "CertificateSigned"
    await ws.send_str(json.dumps([3, call[1], {"status": "Accepted"}]))
    chain = x509.load_pem_x509_certificates(call[3]["certificateChain"].encode())
    assert chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CS21"
    chain[0].verify_directly_issued_by(ca.certificate)
    assert chain[1] == ca.certificate
    # requests for another station, for the V2G PKI, or unreadable ones are refused
    assert await sign("CS201") == "Rejected"
    assert await sign("CS21", "V2GCertificate") == "Rejected"
    garbage = {"csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"}
    assert (await exchange(ws, [2, "g", "SignCertificate", garbage]))[2]["status"] == "Rejected"
    await ws.close()
    # a hub without the CA's key cannot sign
    plain = await make_hub()
    ws = await connect_raw(http, plain, "CS21")
    request = {"csr": certificate_request("CS21")}
    assert (await exchange(ws, [2, "p", "SignCertificate", request]))[2]["status"] == "Rejected"
    await ws.close()


def test_the_ca_key_must_belong_to_the_ca(tmp_path: Path) -> None:
    ca = issue(tmp_path / "ca", "Hub CA", ca=True)
    other = issue(tmp_path / "other", "Other CA", ca=True)
    with pytest.raises(ValueError, match="does not belong"):
        CertificateSigner.from_files(str(ca.cert_path), str(other.key_path))
    plain = issue(tmp_path / "plain", "Not a CA")
    with pytest.raises(ValueError, match="not a CA"):
        CertificateSigner.from_files(str(plain.cert_path), str(plain.key_path))
