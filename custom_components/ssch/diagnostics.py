"""Diagnostics for a hub, with credentials redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import REDACTED_KEYS
from .runtime import SschConfigEntry


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: SschConfigEntry) -> dict[str, Any]:
    """Everything an installer needs to debug a hub, and no secret."""
    return async_redact_data(
        {
            "entry": {"title": entry.title, "data": dict(entry.data), "options": dict(entry.options)},
            "subentries": [
                {"type": sub.subentry_type, "title": sub.title, "data": dict(sub.data)}
                for sub in entry.subentries.values()
            ],
            "config": _lists(asdict(entry.runtime_data.config)),
            "stations": {
                charger.station_id: _lists(asdict(entry.runtime_data.server.state(charger.station_id)))
                for charger in entry.runtime_data.config.chargers
            },
            "pending_stations": sorted(entry.runtime_data.server.pending_stations),
        },
        REDACTED_KEYS,
    )


def _lists(value: Any) -> Any:
    """Turn tuples into lists so redaction reaches into them."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
