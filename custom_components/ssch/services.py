"""Actions: manual charger setpoints for people and automations."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .bookings.services import async_setup_booking_services
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_DURATION, ATTR_POWER_KW, ATTR_START, DOMAIN
from .core.evse_key import evse_key
from .core.grid_signals import GridSignal
from .ems.flexibility_service import (
    REQUEST_FLEXIBILITY_FIELDS,
    SERVICE_REQUEST_FLEXIBILITY,
    async_request_flexibility,
)
from .ems.notification_actions import async_setup_notification_actions
from .ems.plan_api import async_setup_plan_api
from .hub_config import ChargerConfig
from .runtime import SschConfigEntry
from .service_targets import evse_target, loaded_hub
from .stations.bridge import async_refresh_station
from .stations.charging_cards import (
    ADD_CARD_SCHEMA,
    REMOVE_CARD_SCHEMA,
    SERVICE_ADD_CHARGING_CARD,
    SERVICE_REMOVE_CHARGING_CARD,
    async_add_card,
    async_remove_card,
)
from .stations.commands import async_run_command
from .stations.services import async_setup_station_services
from .stations.tls import async_station_ca_pem

SERVICE_SET_CHARGER_SETPOINT = "set_charger_setpoint"
SERVICE_CLEAR_CHARGER_SETPOINT = "clear_charger_setpoint"
SERVICE_SET_GRID_LIMIT = "set_grid_limit"
SERVICE_CLEAR_GRID_SIGNAL = "clear_grid_signal"
SERVICE_GET_STATION_CA = "get_station_ca"
ATTR_IMPORT_LIMIT_KW = "import_limit_kw"
ATTR_EXPORT_LIMIT_KW = "export_limit_kw"

SET_SETPOINT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_POWER_KW): vol.Coerce(float),
        vol.Optional(ATTR_DURATION): vol.All(cv.time_period, cv.positive_timedelta),
    }
)
CLEAR_SETPOINT_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})
SET_GRID_LIMIT_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_IMPORT_LIMIT_KW): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional(ATTR_EXPORT_LIMIT_KW): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_DURATION): vol.All(cv.time_period, cv.positive_timedelta),
    }
)
HUB_ONLY_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})


@dataclass(frozen=True, slots=True)
class EvseTarget:
    """The EVSE an action addresses."""

    entry: SschConfigEntry
    charger: ChargerConfig
    evse_id: int


def _resolve(hass: HomeAssistant, device_id: str) -> EvseTarget:
    """Find the loaded hub, charger and EVSE behind an EVSE device."""
    target = evse_target(hass, device_id)
    assert target.evse_id is not None
    return EvseTarget(target.entry, target.charger, target.evse_id)


async def _async_set_setpoint(call: ServiceCall) -> None:
    target = _resolve(call.hass, call.data[ATTR_DEVICE_ID])
    charger, power_kw = target.charger, call.data[ATTR_POWER_KW]
    if power_kw < 0 and not charger.bidirectional:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="discharge_not_supported",
            translation_placeholders={"charger": charger.name},
        )
    if not -charger.max_discharge_kw <= power_kw <= charger.max_charge_kw:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="setpoint_out_of_range",
            translation_placeholders={
                "power_kw": f"{power_kw:g}",
                "min_kw": f"{-charger.max_discharge_kw:g}",
                "max_kw": f"{charger.max_charge_kw:g}",
            },
        )
    duration = call.data.get(ATTR_DURATION)
    handle = target.entry.runtime_data.server.station(charger.station_id)
    ems = target.entry.runtime_data.ems
    key = evse_key(charger.station_id, target.evse_id)
    # The EMS keeps its hands off this EVSE from now on, so its next tick cannot undo the setpoint.
    ems.set_manual(key, dt_util.utcnow() + duration if duration is not None else None)
    try:
        await async_run_command(
            charger.station_id,
            "SetChargingProfile",
            handle.set_setpoint(
                target.evse_id, power_kw, int(duration.total_seconds()) if duration is not None else None
            ),
        )
    except HomeAssistantError:
        await ems.async_clear_manual(key)
        raise
    async_refresh_station(call.hass, target.entry.entry_id, charger.station_id)


async def _async_clear_setpoint(call: ServiceCall) -> None:
    target = _resolve(call.hass, call.data[ATTR_DEVICE_ID])
    handle = target.entry.runtime_data.server.station(target.charger.station_id)
    await async_run_command(
        target.charger.station_id, "ClearChargingProfile", handle.clear_setpoint(target.evse_id)
    )
    async_refresh_station(call.hass, target.entry.entry_id, target.charger.station_id)
    await target.entry.runtime_data.ems.async_clear_manual(
        evse_key(target.charger.station_id, target.evse_id)
    )


def _hub(hass: HomeAssistant, entry_id: str | None) -> SschConfigEntry:
    """The loaded hub an action addresses; without an id, the only loaded hub."""
    return loaded_hub(hass, entry_id)


async def _async_set_grid_limit(call: ServiceCall) -> None:
    entry = _hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    import_kw, export_kw = call.data.get(ATTR_IMPORT_LIMIT_KW), call.data.get(ATTR_EXPORT_LIMIT_KW)
    if import_kw is None and export_kw is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="grid_limit_required")
    now = dt_util.utcnow()
    start = dt_util.as_utc(call.data[ATTR_START]) if ATTR_START in call.data else now
    duration = call.data.get(ATTR_DURATION)
    end = start + duration if duration is not None else None
    if end is not None and end <= now:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="grid_signal_in_past")
    await entry.runtime_data.ems.async_apply_grid_signal(GridSignal(start, end, import_kw, export_kw))


async def _async_clear_grid_signal(call: ServiceCall) -> None:
    entry = _hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    await entry.runtime_data.ems.async_apply_grid_signal(None)


async def _async_request_flexibility(call: ServiceCall) -> ServiceResponse:
    return await async_request_flexibility(call, _hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID)))


async def _async_get_station_ca(call: ServiceCall) -> ServiceResponse:
    entry = _hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    certificate = await async_station_ca_pem(call.hass, entry.runtime_data.config)
    if certificate is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_station_ca")
    return {"certificate": certificate}


async def _async_add_card(call: ServiceCall) -> None:
    await async_add_card(call, _hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID)))


async def _async_remove_card(call: ServiceCall) -> None:
    await async_remove_card(call, _hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID)))


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (and the plan's websocket command) once for all hubs."""
    async_setup_booking_services(hass)
    async_setup_station_services(hass)
    async_setup_plan_api(hass)
    async_setup_notification_actions(hass)
    hass.services.async_register(
        DOMAIN, SERVICE_SET_CHARGER_SETPOINT, _async_set_setpoint, SET_SETPOINT_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_CLEAR_CHARGER_SETPOINT, _async_clear_setpoint, CLEAR_SETPOINT_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_SET_GRID_LIMIT, _async_set_grid_limit, SET_GRID_LIMIT_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_CLEAR_GRID_SIGNAL, _async_clear_grid_signal, HUB_ONLY_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_ADD_CHARGING_CARD, _async_add_card, ADD_CARD_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_STATION_CA,
        _async_get_station_ca,
        HUB_ONLY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_REMOVE_CHARGING_CARD, _async_remove_card, REMOVE_CARD_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_REQUEST_FLEXIBILITY,
        _async_request_flexibility,
        vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string, **REQUEST_FLEXIBILITY_FIELDS}),
        supports_response=SupportsResponse.OPTIONAL,
    )
