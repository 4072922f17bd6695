"""Config entries written by earlier versions of the integration, brought up to date."""

from __future__ import annotations

import logging
from uuid import uuid4

from homeassistant.core import HomeAssistant

from .runtime import SschConfigEntry

_LOGGER = logging.getLogger(__name__)


async def async_migrate_hub(hass: HomeAssistant, entry: SschConfigEntry) -> bool:
    """Version 1.1 took the slug of the hub's name as its unique id, which changed with the name; 1.2
    gives every hub a generated id once. A hub from a newer major version is left alone (not loaded)."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        hass.config_entries.async_update_entry(entry, unique_id=uuid4().hex, minor_version=2)
        _LOGGER.debug("Hub %s migrated to version 1.2", entry.title)
    return True
