"""Joining a community when a hub loads; the MQTT integration is imported only for hubs that joined."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant

from custom_components.ssch.runtime import SschConfigEntry

from .topics import CommunitySettings

_LOGGER = logging.getLogger(__name__)


def community_settings(entry: SschConfigEntry) -> CommunitySettings | None:
    """The hub's community settings, None when it has not joined one."""
    return CommunitySettings.from_options(entry.options, entry.unique_id or entry.entry_id)


async def async_join_community(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """Start the hub's community link (and aggregator) if it joined; it leaves when the hub unloads."""
    settings = community_settings(entry)
    if settings is None:
        return
    # Imported here: it pulls in Home Assistant's MQTT integration, which a hub outside a community
    # does not need.
    from .community_host import async_start_community

    unload = await async_start_community(hass, entry, settings)
    if unload is not None:
        entry.async_on_unload(unload)
