"""Serve the plan card and the dashboard strategy from the integration and load them on every page.

Users install nothing beside the integration and add no dashboard resource: the bundle is served from
the integration's own folder and announced to the frontend as an extra module.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from custom_components.ssch.const import DOMAIN

BUNDLE = Path(__file__).parent.parent / "frontend" / "ssch-plan-card.js"
URL_PATH = f"/{DOMAIN}_frontend/ssch-plan-card.js"
_REGISTERED: HassKey[str] = HassKey(f"{DOMAIN}_frontend_url")


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


async def async_register_frontend(hass: HomeAssistant) -> str:
    """Serve the bundle and add it to every frontend page once; return the URL the frontend loads.

    The URL carries the bundle's fingerprint, so browsers fetch a new bundle after an update while the
    file itself may be cached for long.
    """
    if (url := hass.data.get(_REGISTERED)) is not None:
        return url
    fingerprint = await hass.async_add_executor_job(_fingerprint, BUNDLE)
    await hass.http.async_register_static_paths([StaticPathConfig(URL_PATH, str(BUNDLE), True)])
    url = f"{URL_PATH}?v={fingerprint}"
    add_extra_js_url(hass, url)
    hass.data[_REGISTERED] = url
    return url
