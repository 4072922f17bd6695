"""The hub's community options form: which community, under which key, what it accepts on its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
import voluptuous as vol

from custom_components.ssch.const import CONF_COMMUNITY_KEY

from .protocol import MIN_KEY_LENGTH
from .topics import DEFAULT_AGGREGATOR_ID, DEFAULT_PREFIX, member_id_for, prefix_is_valid, segment_is_valid

CONF_COMMUNITY = "community"
CONF_ENABLED = "enabled"
CONF_COMMUNITY_ID = "community_id"
CONF_TOPIC_PREFIX = "topic_prefix"
CONF_AGGREGATOR_ID = "aggregator_id"
CONF_PRICE_FLOOR = "price_floor"
CONF_MAX_KW = "max_kw"
CONF_RUN_AGGREGATOR = "run_aggregator"
DEFAULTS: dict[str, Any] = {
    CONF_ENABLED: False,
    CONF_COMMUNITY_ID: "",
    CONF_TOPIC_PREFIX: DEFAULT_PREFIX,
    CONF_COMMUNITY_KEY: "",
    CONF_AGGREGATOR_ID: DEFAULT_AGGREGATOR_ID,
    CONF_PRICE_FLOOR: 0.10,
    CONF_MAX_KW: 10.0,
    CONF_RUN_AGGREGATOR: False,
}


def _text(password: bool = False) -> selector.TextSelector:
    kind = selector.TextSelectorType.PASSWORD if password else selector.TextSelectorType.TEXT
    return selector.TextSelector(selector.TextSelectorConfig(type=kind))


def _number(minimum: float, maximum: float, step: float, unit: str) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=selector.NumberSelectorMode.BOX,
        )
    )


def community_schema() -> vol.Schema:
    """The form (values are suggested from the current options)."""
    return vol.Schema(
        {
            vol.Required(CONF_ENABLED): selector.BooleanSelector(),
            vol.Optional(CONF_COMMUNITY_ID): _text(),
            vol.Required(CONF_TOPIC_PREFIX): _text(),
            vol.Optional(CONF_COMMUNITY_KEY): _text(password=True),
            vol.Required(CONF_AGGREGATOR_ID): _text(),
            vol.Required(CONF_PRICE_FLOOR): _number(0.0, 10.0, 0.001, "/kWh"),
            vol.Required(CONF_MAX_KW): _number(0.1, 10000.0, 0.1, "kW"),
            vol.Required(CONF_RUN_AGGREGATOR): selector.BooleanSelector(),
        }
    )


def community_suggestions(options: Mapping[str, Any]) -> dict[str, Any]:
    """The current community options (or the defaults) to fill the form with."""
    return DEFAULTS | dict(options.get(CONF_COMMUNITY) or {})


def community_errors(hass: HomeAssistant, user_input: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a form that joins a community (leaving one needs nothing)."""
    if not user_input[CONF_ENABLED]:
        return {}
    errors: dict[str, str] = {}
    if not segment_is_valid(str(user_input.get(CONF_COMMUNITY_ID, "")).strip()):
        errors[CONF_COMMUNITY_ID] = "invalid_community_id"
    if not prefix_is_valid(str(user_input[CONF_TOPIC_PREFIX]).strip()):
        errors[CONF_TOPIC_PREFIX] = "invalid_topic_prefix"
    if not segment_is_valid(str(user_input[CONF_AGGREGATOR_ID]).strip()):
        errors[CONF_AGGREGATOR_ID] = "invalid_aggregator_id"
    if len(str(user_input.get(CONF_COMMUNITY_KEY, "")).strip()) < MIN_KEY_LENGTH:
        errors[CONF_COMMUNITY_KEY] = "community_key_too_short"
    if not errors and not hass.config_entries.async_entries("mqtt"):
        errors["base"] = "mqtt_not_set_up"
    return errors


def community_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """What is stored under the hub's ``community`` option."""
    stored = DEFAULTS | {key: value for key, value in user_input.items() if key in DEFAULTS}
    for key in (CONF_COMMUNITY_ID, CONF_TOPIC_PREFIX, CONF_COMMUNITY_KEY, CONF_AGGREGATOR_ID):
        stored[key] = str(stored[key]).strip()
    stored[CONF_PRICE_FLOOR] = float(stored[CONF_PRICE_FLOOR])
    stored[CONF_MAX_KW] = float(stored[CONF_MAX_KW])
    return stored


def member_placeholder(values: Mapping[str, Any], hub_unique_id: str) -> str:
    """The pseudonym the hub has on the broker, for the form's description ("-" before joining)."""
    community = str(values.get(CONF_COMMUNITY_ID, "")).strip()
    return member_id_for(community, hub_unique_id) if segment_is_valid(community) else "-"
