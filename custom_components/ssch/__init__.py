"""Super Smart Charging Hub: a V2G charging hub run as one energy system.

This module stays free of Home Assistant imports so that the HA-free subpackages (``core``,
``csms``, ``sim``) can be imported, benchmarked and run standalone without loading Home Assistant.
Home Assistant finds its entry points here; they are resolved lazily from :mod:`.hub`.
"""

from __future__ import annotations

from typing import Any

_HUB_ENTRY_POINTS = frozenset(
    {
        "CONFIG_SCHEMA",
        "async_setup",
        "async_setup_entry",
        "async_unload_entry",
        "async_remove_entry",
        "async_remove_config_entry_device",
    }
)


def __getattr__(name: str) -> Any:
    if name in _HUB_ENTRY_POINTS:
        from . import hub

        return getattr(hub, name)
    raise AttributeError(name)
