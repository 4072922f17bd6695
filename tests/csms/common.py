"""Helpers shared by the OCPP server's tests: a refused handshake, a certificate request, a started
transaction."""

from __future__ import annotations

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.v201 import call as call201
import pytest

from custom_components.ssch.csms.clock import format_timestamp, utc_now


async def handshake_status(
    http: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    protocols: tuple[str, ...] = ("ocpp2.1",),
) -> int:
    with pytest.raises(aiohttp.WSServerHandshakeError) as error:
        await http.ws_connect(url, protocols=protocols, headers=headers)
    return error.value.status


def certificate_request(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode()


async def start_transaction(station: object, version_call: object = call201) -> None:
    await station.call(  # type: ignore[attr-defined]
        version_call.TransactionEvent(  # type: ignore[attr-defined]
            event_type="Started",
            seq_no=0,
            timestamp=format_timestamp(utc_now()),
            transaction_info={"transactionId": "tx-9"},
            trigger_reason="CablePluggedIn",
            evse={"id": 2, "connectorId": 1},
        ),
        suppress=False,
    )
