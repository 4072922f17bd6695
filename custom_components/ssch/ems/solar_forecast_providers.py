"""The integrations that give the Energy dashboard a solar forecast, found as the Energy settings find
them: every loaded integration whose ``energy`` platform has ``async_get_solar_forecast``.

The platforms are collected through Home Assistant's integration platform helper, so this works
whether or not the Energy dashboard itself is set up; integrations loaded later are added as they load.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.integration_platform import async_process_integration_platforms
from homeassistant.util.hass_dict import HassKey

from custom_components.ssch.const import DOMAIN

type GetSolarForecast = Callable[[HomeAssistant, str], Awaitable[Mapping[str, Any] | None]]

ENERGY_PLATFORM = "energy"
_PROVIDERS: HassKey[asyncio.Future[dict[str, GetSolarForecast]]] = HassKey(
    f"{DOMAIN}_solar_forecast_providers"
)


async def async_solar_forecast_providers(hass: HomeAssistant) -> dict[str, GetSolarForecast]:
    """Integration domain -> its ``async_get_solar_forecast``, the hub's own left out (it passes on
    the forecast it plans with)."""
    if (found := hass.data.get(_PROVIDERS)) is None:
        found = hass.data[_PROVIDERS] = hass.loop.create_future()
        providers: dict[str, GetSolarForecast] = {}

        @callback
        def add(hass: HomeAssistant, domain: str, platform: Any) -> None:
            if domain != DOMAIN and hasattr(platform, "async_get_solar_forecast"):
                providers[domain] = platform.async_get_solar_forecast

        await async_process_integration_platforms(hass, ENERGY_PLATFORM, add, wait_for_platforms=True)
        found.set_result(providers)
    return await asyncio.shield(found)


async def async_forecast_entry_options(hass: HomeAssistant) -> dict[str, str]:
    """Config entry id -> a label, for every enabled entry of an integration that offers a forecast."""
    providers = await async_solar_forecast_providers(hass)
    return {
        entry.entry_id: f"{entry.title} ({entry.domain})"
        for domain in sorted(providers)
        for entry in hass.config_entries.async_entries(domain, include_ignore=False, include_disabled=False)
    }


async def async_fetch_entry_forecast(hass: HomeAssistant, entry_id: str) -> Mapping[str, Any] | None:
    """What the entry's integration offers the Energy dashboard now; None when it offers nothing (the
    entry is gone, not loaded yet, or its integration has no forecast)."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None:
        return None
    get_forecast = (await async_solar_forecast_providers(hass)).get(entry.domain)
    if get_forecast is None:
        return None
    return await get_forecast(hass, entry_id)
