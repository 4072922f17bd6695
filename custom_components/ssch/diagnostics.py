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
            "ems": _ems_diagnostics(entry),
            "bookings": entry.runtime_data.bookings.diagnostics(),
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


def _ems_diagnostics(entry: SschConfigEntry) -> dict[str, Any]:
    """The last snapshot the planner saw and the plan it made."""
    ems = entry.runtime_data.ems
    snapshot = ems.data.snapshot
    status, reason = ems.status()
    return {
        "mode": ems.mode.value,
        "status": status,
        "reason": reason,
        "grid_signals": [signal.to_dict() for signal in ems.builder.signals],
        "snapshot": {
            "start": snapshot.grid.start.isoformat(),
            "step_minutes": snapshot.grid.step_minutes,
            "steps": snapshot.grid.steps,
            "import_limit_kw": snapshot.limits.import_limit_kw.tolist(),
            "import_price_eur_per_kwh": snapshot.prices.import_eur_per_kwh.tolist(),
            "pv_kw": snapshot.forecasts.pv_kw.tolist(),
            "building_kw": snapshot.forecasts.building_kw.tolist(),
            "battery": None if snapshot.battery is None else asdict(snapshot.battery),
            "evses": [asdict(evse) for evse in snapshot.evses],
            "sessions": [asdict(session) for session in snapshot.sessions],
        },
        "plan": ems.data.plan.to_dict(),
    }
