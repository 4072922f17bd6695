"""A repair issue before the OCPP server's TLS certificate expires, checked at setup and every day."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.tls import certificate_expiry
from custom_components.ssch.hub_config import HubConfig

WARN_BEFORE = timedelta(days=30)
ISSUE_CERTIFICATE_EXPIRING = "tls_certificate_expiring"


@callback
def async_watch_certificate(hass: HomeAssistant, config: HubConfig) -> CALLBACK_TYPE:
    """Watch the hub's server certificate; returns the function that stops watching."""
    certificate = config.tls_certificate
    if not certificate:
        return lambda: None
    issue_id = f"{ISSUE_CERTIFICATE_EXPIRING}_{config.entry_id}"

    async def check(_: datetime | None = None) -> None:
        try:
            expires = await hass.async_add_executor_job(certificate_expiry, certificate)
        except (OSError, ValueError):
            return  # a certificate that cannot be read stops the server's start, with its own error
        if expires - dt_util.utcnow() > WARN_BEFORE:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR if expires <= dt_util.utcnow() else ir.IssueSeverity.WARNING,
            translation_key=ISSUE_CERTIFICATE_EXPIRING,
            translation_placeholders={
                "hub": config.name,
                "path": certificate,
                "expires": expires.date().isoformat(),
            },
        )

    hass.async_create_task(check(), eager_start=True)
    return async_track_time_interval(hass, check, timedelta(days=1), cancel_on_shutdown=True)
