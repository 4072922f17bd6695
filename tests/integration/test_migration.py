"""Hubs written by earlier versions load after their config entry is brought up to date."""

from __future__ import annotations

import re

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from demo.ports import free_port

from .common import PLANNING, SITE


def _entry(version: int, minor_version: int, unique_id: str) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=SITE["name"],
        unique_id=unique_id,
        version=version,
        minor_version=minor_version,
        data=SITE | {"port": free_port()},
        options=PLANNING,
    )


async def test_a_1_1_hub_gets_a_generated_unique_id(hass: HomeAssistant) -> None:
    """Version 1.1 used the slug of the name, which a reconfigure changed: 1.2 generates one for good."""
    entry = _entry(1, 1, "harbour_hub")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.unique_id is not None
    assert re.fullmatch("[0-9a-f]{32}", entry.unique_id)
    migrated = entry.unique_id
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.unique_id == migrated


async def test_a_current_hub_keeps_its_unique_id(hass: HomeAssistant) -> None:
    entry = _entry(1, 2, "0123456789abcdef0123456789abcdef")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.unique_id == "0123456789abcdef0123456789abcdef"


async def test_a_hub_from_a_newer_version_is_not_loaded(hass: HomeAssistant) -> None:
    """A downgrade leaves the entry as it is, unloaded, rather than reading a format it does not know."""
    entry = _entry(2, 1, "0123456789abcdef0123456789abcdef")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert entry.unique_id == "0123456789abcdef0123456789abcdef"
