"""Actions a reply to a phone notification takes on one EVSE: charge now, or allow a later departure.

They change the EVSE's goal through the EMS, as the goal entities do, so the goal has one owner. A reply
that names a session which has ended meanwhile changes nothing: the car it was about has left, and the
EVSE may already serve another.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from custom_components.ssch.const import ATTR_DEVICE_ID, DOMAIN
from custom_components.ssch.core.evse_control import ChargeMode
from custom_components.ssch.core.evse_key import EvseKey, evse_key, session_id
from custom_components.ssch.entities.event_devices import ATTR_SESSION_ID
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


def _current_evse(call: ServiceCall) -> tuple[StationTarget, EvseKey]:
    """The EVSE the call addresses, checked to still hold the session the call names (if any)."""
    target = evse_target(call.hass, call.data[ATTR_DEVICE_ID])
    assert target.evse_id is not None
    key = evse_key(target.station_id, target.evse_id)
    if named := call.data.get(ATTR_SESSION_ID):
        transaction = target.entry.runtime_data.server.state(target.station_id).evse(target.evse_id)
        if transaction.transaction_id is None or named != session_id(key, transaction.transaction_id):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="session_over",
                translation_placeholders={"charger": target.charger.name, "evse_id": str(target.evse_id)},
            )
    return target, key


def _departure(target: StationTarget, key: EvseKey) -> datetime | None:
    """The departure the plan works to now: the user's choice, else the one the car or hub assumed."""
    ems = target.entry.runtime_data.ems
    if (chosen := ems.controls[key].goal.departure) is not None:
        return chosen
    sessions = ems.data.snapshot.sessions
    return next((session.departure for session in sessions if session.evse_id == key), None)


async def _async_charge_now(call: ServiceCall) -> None:
    target, key = _current_evse(call)
    ems = target.entry.runtime_data.ems
    await ems.async_set_goal(key, replace(ems.controls[key].goal, mode=ChargeMode.FAST))


async def _async_postpone_departure(call: ServiceCall) -> None:
    target, key = _current_evse(call)
    ems = target.entry.runtime_data.ems
    now = dt_util.utcnow()
    departure = _departure(target, key) or now
    delay: timedelta = call.data[ATTR_DELAY]
    await ems.async_set_goal(key, replace(ems.controls[key].goal, departure=max(departure, now) + delay))


@callback
def async_setup_notification_actions(hass: HomeAssistant) -> None:
    """Register the actions once for all hubs."""
    hass.services.async_register(DOMAIN, SERVICE_CHARGE_NOW, _async_charge_now, CHARGE_NOW_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_POSTPONE_DEPARTURE, _async_postpone_departure, POSTPONE_DEPARTURE_SCHEMA
    )
