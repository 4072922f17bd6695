"""The request_community_flexibility action: a community-level request to the aggregator this Home
Assistant runs, split among the community's members over MQTT."""

from __future__ import annotations

import math

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonObjectType
import voluptuous as vol

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, ATTR_POWER_KW, ATTR_START, DOMAIN
from custom_components.ssch.ems.flexibility_service import refuse, requested_window

from .community_data import COMMUNITY_DATA
from .messages import Direction

SERVICE_REQUEST_COMMUNITY_FLEXIBILITY = "request_community_flexibility"
ATTR_DIRECTION = "direction"
ATTR_END = "end"
ATTR_MAX_PRICE_PER_KWH = "max_price_per_kwh"

REQUEST_COMMUNITY_FLEXIBILITY_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_DIRECTION): vol.In([d.value for d in Direction]),
        vol.Required(ATTR_POWER_KW): vol.Coerce(float),
        vol.Optional(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        vol.Optional(ATTR_MAX_PRICE_PER_KWH): vol.Coerce(float),
    }
)


async def _async_request_community_flexibility(call: ServiceCall) -> ServiceResponse:
    """Split the request among the members (cheapest first) and answer with what each committed."""
    running = {
        entry_id: runtime.aggregator
        for entry_id, runtime in call.hass.data.get(COMMUNITY_DATA, {}).items()
        if runtime.aggregator is not None
    }
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None and len(running) == 1:
        entry_id = next(iter(running))
    aggregator = running.get(entry_id) if entry_id is not None else None
    if aggregator is None:
        raise refuse("community_aggregator_not_running")
    start, end, power_kw = requested_window(call, ATTR_MAX_PRICE_PER_KWH)
    max_price: float = call.data.get(ATTR_MAX_PRICE_PER_KWH, math.inf)
    order = await aggregator.request(
        Direction(call.data[ATTR_DIRECTION]),
        power_kw,
        start.timestamp(),
        end.timestamp(),
        max_price,
    )
    response: JsonObjectType = order.summary()  # type: ignore[assignment]
    return response


def async_setup_community_services(hass: HomeAssistant) -> None:
    """Register the community action (it answers only where a hub runs the community's aggregator)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_REQUEST_COMMUNITY_FLEXIBILITY,
        _async_request_community_flexibility,
        REQUEST_COMMUNITY_FLEXIBILITY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
