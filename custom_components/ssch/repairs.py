"""Fix flows: accept a station's new OCPP version (unknown stations are discovered, ``station_discovery``)."""

from __future__ import annotations

from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import voluptuous as vol

from .const import DOMAIN
from .runtime import SschConfigEntry
from .stations.bridge import ISSUE_VERSION_MISMATCH


class _StationRepairFlow(RepairsFlow):
    """A fix flow about one station of one hub."""

    def __init__(self, entry_id: str, station_id: str) -> None:
        """Remember the hub and station the issue is about."""
        self._entry_id = entry_id
        self._station_id = station_id

    def _entry_loaded(self) -> SschConfigEntry | None:
        entry: SschConfigEntry | None = self.hass.config_entries.async_get_entry(self._entry_id)
        return entry if entry is not None and entry.state is ConfigEntryState.LOADED else None


class AcceptVersionFlow(_StationRepairFlow):
    """Let a station connect with another OCPP version than the one it booted with before."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> data_entry_flow.FlowResult:
        """The flow starts with the issue's data; the confirmation comes next."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Confirm, then forget the pinned version."""
        entry = self._entry_loaded()
        if entry is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is not None:
            entry.runtime_data.server.reset_version_pin(self._station_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"station_id": self._station_id},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Pick the fix flow for an issue raised by the hub."""
    assert data is not None
    entry_id, station_id = str(data["entry_id"]), str(data["station_id"])
    if issue_id.startswith(ISSUE_VERSION_MISMATCH):
        return AcceptVersionFlow(entry_id, station_id)
    raise ValueError(f"{DOMAIN} has no fix for issue {issue_id}")
