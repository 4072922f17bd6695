"""The ``ssch/dashboard`` websocket command: the dashboard strategy asks which entities to lay out."""

from __future__ import annotations

from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.core import HomeAssistant, callback
import voluptuous as vol

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from custom_components.ssch.service_targets import loaded_hubs

from .layout import hub_layout

WS_DASHBOARD = f"{DOMAIN}/dashboard"


@websocket_command({vol.Required("type"): WS_DASHBOARD, vol.Optional(ATTR_CONFIG_ENTRY_ID): str})
@callback
def _ws_dashboard(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    wanted = msg.get(ATTR_CONFIG_ENTRY_ID)
    hubs = [
        hub_layout(hass, entry)
        for entry in sorted(loaded_hubs(hass), key=lambda e: e.title)
        if wanted in (None, entry.entry_id)
    ]
    connection.send_result(msg["id"], {"hubs": hubs})


@callback
def async_setup_dashboard_api(hass: HomeAssistant) -> None:
    """Register the command once for all hubs."""
    async_register_command(hass, _ws_dashboard)
