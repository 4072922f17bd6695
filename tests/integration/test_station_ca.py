"""A hub that creates the CA of its stations' certificates: mutual TLS and certificate signing without
files from the installer, and the CA's certificate offered by an action."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.signing import create_ca
from tests.pki import issue

from .common import hub_entry, load_hub
from .tls import write_self_signed


async def _station_ca(hass: HomeAssistant) -> ServiceResponse:
    return await hass.services.async_call(DOMAIN, "get_station_ca", {}, blocking=True, return_response=True)


async def test_the_hub_creates_its_stations_ca_and_offers_it(hass: HomeAssistant, tmp_path: Path) -> None:
    cert, key = write_self_signed(tmp_path / "server")
    site = {"tls_certificate": str(cert), "tls_key": str(key), "tls_create_station_ca": True}
    entry = await load_hub(hass, hub_entry(site=site))
    storage = Path(hass.config.path(".storage"))
    created = storage / f"ssch.{entry.entry_id}.station_ca.crt.pem"
    assert await hass.async_add_executor_job(created.exists)
    ca_key = created.with_name(created.name.replace("crt", "key"))
    key_mode = (await hass.async_add_executor_job(ca_key.stat)).st_mode
    assert key_mode & 0o077 == 0  # the CA's key is readable by its owner only

    response = await _station_ca(hass)
    assert response is not None
    ca = x509.load_pem_x509_certificate(str(response["certificate"]).encode())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # the hub signs with it: a certificate it issues verifies against the CA it offers
    signer = entry.runtime_data.server.signer
    assert signer is not None
    request = issue(tmp_path / "csr", "CS01")
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(request.certificate.subject)
        .sign(request.key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )
    issued = x509.load_pem_x509_certificates(signer.sign(csr, "CS01").encode())[0]
    issued.verify_directly_issued_by(ca)

    # a reload keeps the same CA; deleting the hub removes it
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await _station_ca(hass) == response
    assert await hass.config_entries.async_remove(entry.entry_id)
    assert not await hass.async_add_executor_job(created.exists)


async def test_a_hub_without_a_stations_ca_says_so(hass: HomeAssistant) -> None:
    await load_hub(hass, hub_entry())
    with pytest.raises(ServiceValidationError, match="no CA for its stations"):
        await _station_ca(hass)


def test_an_existing_ca_is_kept(tmp_path: Path) -> None:
    certificate, key = tmp_path / "ca.crt.pem", tmp_path / "ca.key.pem"
    create_ca(certificate, key, "Hub stations CA")
    first = certificate.read_bytes()
    create_ca(certificate, key, "Hub stations CA")
    assert certificate.read_bytes() == first
