"""Adding a discovered station to its hub as a charger: the form, its checks and the new subentry."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
import voluptuous as vol

from custom_components.ssch.const import (
    CONF_BIDIRECTIONAL,
    CONF_EVSE_COUNT,
    CONF_MAX_DISCHARGE_KW,
    CONF_OCPP_VERSION,
    CONF_PASSWORD,
    CONF_PASSWORD_HASH,
    CONF_STATION_ID,
    OCPP_VERSION_AUTO,
    SUBENTRY_CHARGER,
)
from custom_components.ssch.csms.auth import hash_password
from custom_components.ssch.runtime import SschConfigEntry
from custom_components.ssch.subentry_flows import ChargerSubentryFlow
from custom_components.ssch.validation import charger_errors

from .discovery import DiscoveredStation


def adoption_schema() -> vol.Schema:
    """The charger form without the station id, which the station told."""
    fields = ChargerSubentryFlow().schema(reconfigure=False).schema
    return vol.Schema({key: value for key, value in fields.items() if str(key) != CONF_STATION_ID})


def adoption_suggestions(station: DiscoveredStation) -> dict[str, Any]:
    """Start from what the station told: its EVSE count, and V2G only where it speaks OCPP 2.1."""
    suggested: dict[str, Any] = {
        CONF_NAME: f"Charger {station.station_id}",
        CONF_OCPP_VERSION: OCPP_VERSION_AUTO,
        CONF_BIDIRECTIONAL: station.ocpp_version == "2.1",
    }
    if station.ocpp_version != "2.1":
        suggested[CONF_MAX_DISCHARGE_KW] = 0.0
    if station.evse_count is not None:
        suggested[CONF_EVSE_COUNT] = station.evse_count
    return suggested


def adoption_errors(station: DiscoveredStation, user_input: Mapping[str, Any]) -> dict[str, str]:
    """The charger form's checks; a password is required, the station will log in with it."""
    return charger_errors({**user_input, CONF_STATION_ID: station.station_id}, password_required=True)


async def async_adopt(
    hass: HomeAssistant, hub: SschConfigEntry, station: DiscoveredStation, user_input: Mapping[str, Any]
) -> None:
    """Add the station as a charger subentry; the hub reloads and the station logs in with its password."""
    password_hash = await hass.async_add_executor_job(hash_password, user_input[CONF_PASSWORD])
    data = {key: value for key, value in user_input.items() if key != CONF_PASSWORD}
    data |= {CONF_STATION_ID: station.station_id, CONF_PASSWORD_HASH: password_hash}
    hass.config_entries.async_add_subentry(
        hub,
        ConfigSubentry(
            data=MappingProxyType(data),
            subentry_type=SUBENTRY_CHARGER,
            title=data[CONF_NAME],
            unique_id=station.station_id,
        ),
    )
