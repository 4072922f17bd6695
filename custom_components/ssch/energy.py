"""Energy platform: the hub's PV forecast on the Energy dashboard's solar graph."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .runtime import SschConfigEntry


async def async_get_solar_forecast(
    hass: HomeAssistant, config_entry_id: str
) -> dict[str, dict[str, float | int]] | None:
    """Forecast PV energy per step of the current plan, in Wh, keyed by the step's start."""
    entry: SschConfigEntry | None = hass.config_entries.async_get_entry(config_entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    snapshot = entry.runtime_data.ems.data.snapshot
    if not entry.runtime_data.config.pv:
        return None
    hours = snapshot.grid.step_hours
    return {
        "wh_hours": {
            start.isoformat(): round(float(kw) * hours * 1000.0)
            for start, kw in zip(snapshot.grid.times(), snapshot.forecasts.pv_kw, strict=True)
        }
    }
