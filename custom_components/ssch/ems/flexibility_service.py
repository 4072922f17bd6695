"""The request_flexibility action: a grid operator or aggregator asks a hub to move its grid power."""

from __future__ import annotations

from datetime import datetime

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType
import voluptuous as vol

from custom_components.ssch.const import ATTR_POWER_KW, ATTR_START, DOMAIN
from custom_components.ssch.core.flexibility_book import FlexDirection
from custom_components.ssch.runtime import SschConfigEntry

SERVICE_REQUEST_FLEXIBILITY = "request_flexibility"
ATTR_DIRECTION = "direction"
ATTR_END = "end"
ATTR_PRICE_PER_KWH = "price_per_kwh"

# Ranges are checked in the handler, so that a refusal is a translated message.
REQUEST_FLEXIBILITY_FIELDS = {
    vol.Required(ATTR_DIRECTION): vol.In([d.value for d in FlexDirection]),
    vol.Required(ATTR_POWER_KW): vol.Coerce(float),
    vol.Optional(ATTR_START): cv.datetime,
    vol.Required(ATTR_END): cv.datetime,
    vol.Optional(ATTR_PRICE_PER_KWH, default=0.0): vol.Coerce(float),
}


def refuse(key: str) -> ServiceValidationError:
    """A translated refusal of a flexibility request."""
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key)


def requested_window(call: ServiceCall, price_key: str) -> tuple[datetime, datetime, float]:
    """The window (from now at the earliest) and power a flexibility action asks for, checked.

    Raises a translated error for a window that ends before it starts or in the past, a power that is
    not positive, and a price (``price_key``, when given) below zero.
    """
    now = dt_util.utcnow()
    start = dt_util.as_utc(call.data[ATTR_START]) if ATTR_START in call.data else now
    end = dt_util.as_utc(call.data[ATTR_END])
    power_kw: float = call.data[ATTR_POWER_KW]
    if end <= start:
        raise refuse("flexibility_window_order")
    if end <= now:
        raise refuse("flexibility_window_in_past")
    if power_kw <= 0.0:
        raise refuse("flexibility_power_not_positive")
    if call.data.get(price_key, 0.0) < 0.0:
        raise refuse("flexibility_price_negative")
    return max(start, now), end, power_kw


async def async_request_flexibility(call: ServiceCall, entry: SschConfigEntry) -> ServiceResponse:
    """Commit the smallest of the request and the plan's flexibility over the window, and say how much."""
    start, end, power_kw = requested_window(call, ATTR_PRICE_PER_KWH)
    commitment = await entry.runtime_data.ems.async_request_flexibility(
        FlexDirection(call.data[ATTR_DIRECTION]), start, end, power_kw, call.data[ATTR_PRICE_PER_KWH]
    )
    response: JsonObjectType = {"hub": entry.title, "config_entry_id": entry.entry_id, **commitment.summary()}
    if commitment.committed_kw <= 0.0:
        response["commitment_id"] = None  # nothing was committed, nothing to refer to
    return response
