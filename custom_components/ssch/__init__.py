"""Super Smart Charging Hub: a V2G charging hub run as one energy system.

Home Assistant's entry points are here; their work is done in :mod:`.hub` and :mod:`.migration`,
imported when Home Assistant calls them. This keeps the package free of Home Assistant imports, so the
HA-free subpackages (``core``, ``csms``, ``sim``) import, benchmark and run standalone without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.device_registry import DeviceEntry
    from homeassistant.helpers.typing import ConfigType

    from .runtime import SschConfigEntry


def __getattr__(name: str) -> Any:
    if name == "CONFIG_SCHEMA":
        from . import hub

        return hub.CONFIG_SCHEMA
    raise AttributeError(name)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and offer its blueprints; hubs themselves are config entries."""
    from . import hub

    return await hub.async_setup(hass, config)


async def async_setup_entry(hass: HomeAssistant, entry: SschConfigEntry) -> bool:
    """Load a hub: its OCPP server and planning stack first, then its devices and entities."""
    from . import hub

    entry.runtime_data = await hub.async_create_runtime(hass, entry)
    await hub.async_start(hass, entry)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SschConfigEntry) -> bool:
    """Unload a hub; what it holds is released by the callbacks it registered while loading."""
    from . import hub

    return await hass.config_entries.async_unload_platforms(entry, hub.PLATFORMS)


async def async_migrate_entry(hass: HomeAssistant, entry: SschConfigEntry) -> bool:
    """Bring a hub written by an earlier version up to date."""
    from . import migration

    return await migration.async_migrate_hub(hass, entry)


async def async_remove_entry(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """The hub is deleted: drop its kept planner, any server held for it and its stored files."""
    from . import hub

    await hub.async_remove(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SschConfigEntry, device: DeviceEntry
) -> bool:
    """Only devices that no longer belong to a configured asset may be deleted by hand."""
    from . import hub

    return hub.device_is_removable(entry, device)
