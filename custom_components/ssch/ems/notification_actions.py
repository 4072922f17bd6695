"""Actions a reply to a phone notification takes on one EVSE: charge now, or allow a later departure.

They change the EVSE's goal through its goal entities, as a person in the dashboard would, so the goal
has one writer. A reply that names a session which has ended meanwhile changes nothing: the car it was
about has left, and the EVSE may already serve another.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.components.datetime.const import (
    ATTR_DATETIME,
    DOMAIN as DATETIME_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.select import DOMAIN as SELECT_DOMAIN, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util import dt as dt_util
import voluptuous as vol

from custom_components.ssch.const import ATTR_DEVICE_ID, DOMAIN
from custom_components.ssch.core.evse_control import ChargeMode
from custom_components.ssch.core.evse_key import evse_key
from custom_components.ssch.entities.event_devices import ATTR_SESSION_ID
from custom_components.ssch.entities.goals import DEPARTURE, MODE
from custom_components.ssch.service_targets import StationTarget, evse_target

SERVICE_CHARGE_NOW = "charge_now"
SERVICE_POSTPONE_DEPARTURE = "postpone_departure"
ATTR_DELAY = "delay"

CHARGE_NOW_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DEVICE_ID): cv.string, vol.Optional(ATTR_SESSION_ID): cv.string}
)
POSTPONE_DEPARTURE_SCHEMA = CHARGE_NOW_SCHEMA.extend(
    {vol.Required(ATTR_DELAY): vol.All(cv.time_period, cv.positive_timedelta)}
)


def _current_evse(call: ServiceCall) -> StationTarget:
    """The EVSE the call addresses, checked to still hold the session the call names (if any)."""
    target = evse_target(call.hass, call.data[ATTR_DEVICE_ID])
    assert target.evse_id is not None
    if session_id := call.data.get(ATTR_SESSION_ID):
        transaction = target.entry.runtime_data.server.state(target.station_id).evse(target.evse_id)
        current = f"{target.station_id}:{target.evse_id}:{transaction.transaction_id}"
        if transaction.transaction_id is None or session_id != current:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="session_over",
                translation_placeholders={"charger": target.charger.name, "evse_id": str(target.evse_id)},
            )
    return target


def _goal_entity(hass: HomeAssistant, target: StationTarget, platform: str, key: str) -> str:
    unique_id = f"{target.entry.entry_id}_{target.charger.subentry_id}_evse{target.evse_id}_{key}"
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    if entity_id is None or hass.states.get(entity_id) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="goal_entity_missing",
            translation_placeholders={"charger": target.charger.name, "evse_id": str(target.evse_id)},
        )
    return entity_id


def _departure(hass: HomeAssistant, target: StationTarget, departure_entity: str) -> datetime | None:
    """The departure the plan works to now: the user's choice, else the one the car or hub assumed."""
    state = hass.states.get(departure_entity)
    if state is not None and (chosen := dt_util.parse_datetime(state.state)) is not None:
        return chosen
    assert target.evse_id is not None
    key = evse_key(target.station_id, target.evse_id)
    sessions = target.entry.runtime_data.ems.data.snapshot.sessions
    return next((session.departure for session in sessions if session.evse_id == key), None)


async def _async_charge_now(call: ServiceCall) -> None:
    target = _current_evse(call)
    await call.hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: _goal_entity(call.hass, target, SELECT_DOMAIN, MODE.key),
            "option": ChargeMode.FAST.value,
        },
        blocking=True,
        context=call.context,
    )


async def _async_postpone_departure(call: ServiceCall) -> None:
    target = _current_evse(call)
    entity_id = _goal_entity(call.hass, target, DATETIME_DOMAIN, DEPARTURE.key)
    now = dt_util.utcnow()
    departure = _departure(call.hass, target, entity_id) or now
    delay: timedelta = call.data[ATTR_DELAY]
    await call.hass.services.async_call(
        DATETIME_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_DATETIME: max(departure, now) + delay},
        blocking=True,
        context=call.context,
    )


@callback
def async_setup_notification_actions(hass: HomeAssistant) -> None:
    """Register the actions once for all hubs."""
    hass.services.async_register(DOMAIN, SERVICE_CHARGE_NOW, _async_charge_now, CHARGE_NOW_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_POSTPONE_DEPARTURE, _async_postpone_departure, POSTPONE_DEPARTURE_SCHEMA
    )
