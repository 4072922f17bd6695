"""The OCPP server's TLS in Home Assistant: its certificate, the CA of the stations' certificates
(the installer's, or one the hub creates and keeps beside its storage) and the signer of their requests."""

from __future__ import annotations

from pathlib import Path
import ssl

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.signing import CertificateSigner, create_ca
from custom_components.ssch.csms.tls import server_ssl_context
from custom_components.ssch.hub_config import HubConfig
from custom_components.ssch.hub_storage import created_ca_files


def station_ca_files(hass: HomeAssistant, config: HubConfig) -> tuple[str, str | None] | None:
    """The CA the stations' certificates are checked against, and its key when the hub may sign."""
    if config.tls_create_station_ca:
        certificate, key = created_ca_files(hass, config.entry_id)
        return str(certificate), str(key)
    if config.tls_client_ca:
        return config.tls_client_ca, config.tls_client_ca_key
    return None


async def async_server_tls(
    hass: HomeAssistant, config: HubConfig
) -> tuple[ssl.SSLContext | None, CertificateSigner | None]:
    """The server's TLS context and certificate signer; a file that cannot be used needs the installer."""
    if not (config.tls_certificate and config.tls_key):
        return None, None
    certificate, key = config.tls_certificate, config.tls_key
    ca = station_ca_files(hass, config)
    try:
        if config.tls_create_station_ca:
            created = created_ca_files(hass, config.entry_id)
            await hass.async_add_executor_job(create_ca, *created, f"{config.name} stations CA")
        context = await hass.async_add_executor_job(
            server_ssl_context, certificate, key, ca[0] if ca else None
        )
        signer = None
        if ca is not None and ca[1] is not None:
            signer = await hass.async_add_executor_job(CertificateSigner.from_files, ca[0], ca[1])
    except (OSError, ssl.SSLError, ValueError, TypeError) as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="tls_load_failed",
            translation_placeholders={"error": str(err)},
        ) from err
    return context, signer


async def async_station_ca_pem(hass: HomeAssistant, config: HubConfig) -> str | None:
    """The certificate of the stations' CA, to install where the stations' certificates are made."""
    ca = station_ca_files(hass, config)
    if ca is None:
        return None
    return await hass.async_add_executor_job(Path(ca[0]).read_text, "utf-8")
