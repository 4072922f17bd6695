"""Device registry calls that work before and after Home Assistant 2026.8.

From 2026.8 a device belongs to exactly one config entry and identifiers are unique per config entry:
``async_get_device`` and the ``add_/remove_config_entry_id`` arguments of ``async_update_device`` are
deprecated there, while their replacements (``async_get_device_by_identifier``, ``new_config_entry_id``)
do not exist before. Each helper uses the new call where Home Assistant has it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
import inspect
from typing import Any

from homeassistant.helpers import device_registry as dr


@cache
def _moves_devices(registry_type: type[dr.DeviceRegistry]) -> bool:
    return "new_config_entry_id" in inspect.signature(registry_type.async_update_device).parameters


def device_by_identifier(
    registry: dr.DeviceRegistry, identifier: tuple[str, str], entry_id: str
) -> dr.DeviceEntry | None:
    """The device of one config entry with this identifier."""
    lookup = getattr(registry, "async_get_device_by_identifier", None)
    if lookup is not None:
        device: dr.DeviceEntry | None = lookup(identifier, entry_id)
        return device
    return registry.async_get_device(identifiers={identifier})


def move_device(
    registry: dr.DeviceRegistry, device: dr.DeviceEntry, from_entry_id: str, to_entry_id: str
) -> None:
    """Give a device of one config entry to another, keeping its id (and so the user's area and name)."""
    if _moves_devices(type(registry)):
        update: Callable[..., Any] = registry.async_update_device  # its 2026.8 arguments
        update(device.id, new_config_entry_id=to_entry_id)
    else:
        # Two calls: before 2026.8 one call that adds and removes loses the added entry's subentries.
        registry.async_update_device(device.id, add_config_entry_id=to_entry_id)
        registry.async_update_device(device.id, remove_config_entry_id=from_entry_id)


def remove_device(registry: dr.DeviceRegistry, device: dr.DeviceEntry, entry_id: str) -> None:
    """Take a device away from a config entry; a device of that entry alone is deleted."""
    if _moves_devices(type(registry)):
        registry.async_remove_device(device.id)
    else:
        registry.async_update_device(device.id, remove_config_entry_id=entry_id)
