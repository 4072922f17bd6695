"""OCPP-J 1.6 on the wire: the handshake across three versions, CALLERRORs as 1.6 spells them, and the
station messages that are only acknowledged."""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path

import aiohttp
from cryptography import x509
import pytest

from custom_components.ssch.csms.events import StationPending, VersionMismatchRefused
from custom_components.ssch.csms.registry import StationConfig
from custom_components.ssch.csms.signing import CertificateSigner
from tests.pki import issue

from .common import certificate_request, handshake_status
from .conftest import PASSWORD_HASH, Hub, HubFactory, basic_auth, connect_raw, exchange

WALLBOX = StationConfig(PASSWORD_HASH, evse_count=1)
BOOT16 = [2, "b", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]


@pytest.fixture
async def hub16(make_hub: HubFactory) -> Hub:
    return await make_hub({"CS16": WALLBOX, "NEW16": replace(WALLBOX, ocpp_version="1.6")})


async def test_the_same_handshake_rules_for_16(hub16: Hub, http: aiohttp.ClientSession) -> None:
    url = hub16.url
    assert (
        await handshake_status(http, url + "NOPE", {"Authorization": basic_auth("NOPE")}, ("ocpp1.6",)) == 404
    )
    bad = {"Authorization": basic_auth("CS16", "wrong")}
    assert await handshake_status(http, url + "CS16", bad, ("ocpp1.6",)) == 401
    ws = await connect_raw(http, hub16, "CS16", ("ocpp1.6",))
    assert ws.protocol == "ocpp1.6"
    await ws.close()
    # pinned to the version it first connected with: 2.0.1 alone is refused until the pin is reset
    good = {"Authorization": basic_auth("CS16")}
    assert await handshake_status(http, url + "CS16", good, ("ocpp2.0.1",)) == 400
    refused = hub16.of_type(VersionMismatchRefused)[0]
    assert (refused.pinned_version, refused.offered) == ("1.6", ("ocpp2.0.1",))
    hub16.server.reset_version_pin("CS16")
    ws = await connect_raw(http, hub16, "CS16", ("ocpp2.0.1", "ocpp1.6"))
    assert ws.protocol == "ocpp2.0.1"
    await ws.close()


async def test_the_installer_can_declare_16(hub16: Hub, http: aiohttp.ClientSession) -> None:
    # declared 1.6: a station offering 2.0.1 too still speaks 1.6; one offering only 2.x is refused
    ws = await connect_raw(http, hub16, "NEW16", ("ocpp2.0.1", "ocpp1.6"))
    assert ws.protocol == "ocpp1.6"
    await ws.close()
    good = {"Authorization": basic_auth("NEW16")}
    assert await handshake_status(http, hub16.url + "NEW16", good, ("ocpp2.1",)) == 400


async def test_callerrors_as_16_spells_them(hub16: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub16, "CS16", ("ocpp1.6",))

    async def error_code(frame: str | list[object]) -> tuple[str, str]:
        answer = await exchange(ws, frame)
        assert answer[0] == 4
        return answer[1], answer[2]

    assert await error_code("not json") == ("-1", "FormationViolation")
    assert await error_code([7, "t", "Heartbeat", {}]) == ("t", "ProtocolError")
    assert await error_code([2, "r", "Authorize", {}]) == ("r", "OccurenceConstraintViolation")
    assert await error_code([2, "y", "Authorize", {"idTag": 7}]) == ("y", "TypeConstraintViolation")
    long_tag = {"idTag": "x" * 21}
    assert await error_code([2, "p", "Authorize", long_tag]) == ("p", "PropertyConstraintViolation")
    # a 2.x action, an unknown one, and one the station may not send
    assert await error_code([2, "v", "TransactionEvent", {}]) == ("v", "NotImplemented")
    assert await error_code([2, "u", "MakeCoffee", {}]) == ("u", "NotImplemented")
    assert await error_code([2, "s", "Reset", {"type": "Hard"}]) == ("s", "NotSupported")
    unknown_connector = {"connectorId": 5, "errorCode": "NoError", "status": "Available"}
    assert await error_code([2, "c", "StatusNotification", unknown_connector]) == (
        "c",
        "PropertyConstraintViolation",
    )
    # the connection stays usable
    assert (await exchange(ws, [2, "h", "Heartbeat", {}]))[2]["currentTime"].endswith("Z")
    await ws.close()


async def test_acknowledged_messages(hub16: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub16, "CS16", ("ocpp1.6",))
    requests = {
        "DataTransfer": ({"vendorId": "com.example"}, {"status": "UnknownVendorId"}),
        "FirmwareStatusNotification": ({"status": "Downloading"}, {}),
        "SignedFirmwareStatusNotification": ({"status": "SignatureVerified", "requestId": 1}, {}),
        "DiagnosticsStatusNotification": ({"status": "Uploaded"}, {}),
        "LogStatusNotification": ({"status": "Uploaded", "requestId": 2}, {}),
        "SecurityEventNotification": (
            {"type": "TamperDetectionActivated", "timestamp": "2026-01-01T00:00:00Z"},
            {},
        ),
        "SignCertificate": ({"csr": "x"}, {"status": "Rejected"}),
    }
    for action, (payload, expected) in requests.items():
        assert (await exchange(ws, [2, action[:30], action, payload]))[2] == expected, action
    state = hub16.server.state("CS16")
    assert (state.firmware_status, state.diagnostics_status) == ("SignatureVerified", "Uploaded")
    await ws.close()


async def test_a_16_certificate_request_is_signed(
    make_hub: HubFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    ca = issue(tmp_path / "ca", "Hub CA", ca=True)
    hub = await make_hub(
        {"CS16": WALLBOX}, signer=CertificateSigner.from_files(str(ca.cert_path), str(ca.key_path))
    )
    ws = await connect_raw(http, hub, "CS16", ("ocpp1.6",))
    answer = await exchange(ws, [2, "s", "SignCertificate", {"csr": certificate_request("CS16")}])
    assert answer[2] == {"status": "Accepted"}
    signed = json.loads(await ws.receive_str())
    assert signed[2] == "CertificateSigned"
    assert set(signed[3]) == {"certificateChain"}  # 1.6 has no certificate type
    chain = x509.load_pem_x509_certificates(signed[3]["certificateChain"].encode())
    chain[0].verify_directly_issued_by(ca.certificate)
    await ws.send_str(json.dumps([3, signed[1], {"status": "Accepted"}]))
    await ws.close()


async def test_an_unknown_16_station_waits_to_be_adopted(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub({}, adopt_unknown=True)
    ws = await http.ws_connect(hub.url + "WALLBOX7", protocols=("ocpp1.6",))
    boot = await exchange(ws, BOOT16)
    assert (boot[2]["status"], boot[2]["interval"]) == ("Pending", 60)
    refused = await exchange(ws, [2, "a", "Authorize", {"idTag": "CARD"}])
    assert refused[:3] == [4, "a", "SecurityError"]
    assert hub.of_type(StationPending)[-1].vendor == "V"
    await ws.close()
