"""Fix flows: add an unknown station as a charger, accept a station's new OCPP version."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
import voluptuous as vol

from .const import CONF_PASSWORD, CONF_PASSWORD_HASH, CONF_STATION_ID, DOMAIN, SUBENTRY_CHARGER
from .csms.auth import hash_password
from .runtime import SschConfigEntry
from .station_bridge import ISSUE_UNKNOWN_STATION, ISSUE_VERSION_MISMATCH
from .subentry_flows import ChargerSubentryFlow
from .validation import charger_errors


class _StationRepairFlow(RepairsFlow):
    """A fix flow about one station of one hub."""

    def __init__(self, entry_id: str, station_id: str) -> None:
        """Remember the hub and station the issue is about."""
        self._entry_id = entry_id
        self._station_id = station_id

    def _entry_loaded(self) -> SschConfigEntry | None:
        entry: SschConfigEntry | None = self.hass.config_entries.async_get_entry(self._entry_id)
        return entry if entry is not None and entry.state is ConfigEntryState.LOADED else None


class AdoptStationFlow(_StationRepairFlow):
    """Add a station that connected with an unknown id as a charger of the hub."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> data_entry_flow.FlowResult:
        """The flow starts with the issue's data; the form comes next."""
        return await self.async_step_adopt()

    async def async_step_adopt(self, user_input: dict[str, Any] | None = None) -> data_entry_flow.FlowResult:
        """Ask for the charger's name, password and limits."""
        entry = self._entry_loaded()
        if entry is None:
            return self.async_abort(reason="hub_not_loaded")
        if any(sub.unique_id == self._station_id for sub in entry.subentries.values()):
            return self.async_create_entry(data={})
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = charger_errors({**user_input, CONF_STATION_ID: self._station_id}, password_required=True)
            if not errors:
                password_hash = await self.hass.async_add_executor_job(
                    hash_password, user_input[CONF_PASSWORD]
                )
                data = {k: v for k, v in user_input.items() if k != CONF_PASSWORD}
                data |= {CONF_STATION_ID: self._station_id, CONF_PASSWORD_HASH: password_hash}
                self.hass.config_entries.async_add_subentry(
                    entry,
                    ConfigSubentry(
                        data=MappingProxyType(data),
                        subentry_type=SUBENTRY_CHARGER,
                        title=data[CONF_NAME],
                        unique_id=self._station_id,
                    ),
                )
                return self.async_create_entry(data={})
        fields = ChargerSubentryFlow().schema(reconfigure=False).schema
        schema = vol.Schema({key: value for key, value in fields.items() if str(key) != CONF_STATION_ID})
        suggested = user_input or {CONF_NAME: f"Charger {self._station_id}"}
        return self.async_show_form(
            step_id="adopt",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders={"station_id": self._station_id},
        )


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
    if issue_id.startswith(ISSUE_UNKNOWN_STATION):
        return AdoptStationFlow(entry_id, station_id)
    if issue_id.startswith(ISSUE_VERSION_MISMATCH):
        return AcceptVersionFlow(entry_id, station_id)
    raise ValueError(f"{DOMAIN} has no fix for issue {issue_id}")
