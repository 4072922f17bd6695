"""The hub's charging cards: its own list in Home Assistant's storage, the policy from the options, and
every presented card handed to Home Assistant's tag integration, so automations can follow a swipe."""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any

from homeassistant.components import tag
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.helpers.storage import Store
import voluptuous as vol

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, CONF_AUTHORIZATION_POLICY, DOMAIN
from custom_components.ssch.csms.authorization import (
    MAX_TOKEN_LENGTH,
    AuthorizationPolicy,
    KnownToken,
    TokenAuthority,
)
from custom_components.ssch.csms.events import CsmsEvent, TokenPresented
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.entities.event_devices import event_device_id
from custom_components.ssch.hub_config import HubConfig
from custom_components.ssch.hub_storage import CARDS, storage_key
from custom_components.ssch.runtime import SschConfigEntry

_LOGGER = logging.getLogger(__name__)
STORE_VERSION = 1
SERVICE_ADD_CHARGING_CARD = "add_charging_card"
SERVICE_REMOVE_CHARGING_CARD = "remove_charging_card"
ATTR_ID_TOKEN = "id_token"
ATTR_NAME = "name"
ATTR_VEHICLE = "vehicle"
ATTR_BLOCKED = "blocked"
ATTR_REMOVE = "remove"

_TOKEN = vol.All(cv.string, vol.Length(min=1, max=MAX_TOKEN_LENGTH))
ADD_CARD_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_ID_TOKEN): _TOKEN,
        vol.Optional(ATTR_NAME, default=""): vol.All(cv.string, vol.Length(max=100)),
        vol.Optional(ATTR_VEHICLE): cv.string,
        vol.Optional(ATTR_BLOCKED, default=False): cv.boolean,
    }
)
REMOVE_CARD_SCHEMA = vol.Schema(
    {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string, vol.Required(ATTR_ID_TOKEN): _TOKEN}
)


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORE_VERSION, storage_key(entry_id, CARDS))


async def async_load_cards(hass: HomeAssistant, config: HubConfig, server: CsmsServer) -> None:
    """Give the server the hub's policy and its saved list of cards."""
    saved = await _store(hass, config.entry_id).async_load() or {}
    cards = []
    for item in saved.get("cards", []):
        try:
            cards.append(KnownToken.from_dict(item))
        except (KeyError, TypeError, ValueError):
            _LOGGER.warning("Ignoring an unreadable saved charging card")
    server.authority.policy = config.authorization_policy
    server.authority.replace(cards)


def cards_form_schema(authority: TokenAuthority) -> vol.Schema:
    """The options form for the hub's cards: its policy, one card to add or change, cards to remove."""
    cards = [selector.SelectOptionDict(value=card.id_token, label=_label(card)) for card in authority.tokens]
    return vol.Schema(
        {
            vol.Required(CONF_AUTHORIZATION_POLICY): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[policy.value for policy in AuthorizationPolicy],
                    translation_key=CONF_AUTHORIZATION_POLICY,
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Optional(ATTR_ID_TOKEN): _TOKEN,
            vol.Optional(ATTR_NAME): vol.All(cv.string, vol.Length(max=100)),
            vol.Optional(ATTR_BLOCKED, default=False): selector.BooleanSelector(),
            vol.Optional(ATTR_REMOVE, default=[]): selector.SelectSelector(
                selector.SelectSelectorConfig(options=cards, multiple=True)
            ),
        }
    )


def _label(card: KnownToken) -> str:
    parts = [card.id_token, card.name, "blocked" if card.blocked else ""]
    return " · ".join(part for part in parts if part)


async def async_apply_cards_form(hass: HomeAssistant, entry: SschConfigEntry, form: dict[str, Any]) -> None:
    """Add or change the card of the form, remove the chosen ones, and save the list."""
    authority = entry.runtime_data.server.authority
    for id_token in form.get(ATTR_REMOVE, []):
        authority.remove(id_token)
    if id_token := form.get(ATTR_ID_TOKEN):
        known = authority.known(id_token)
        authority.put(
            KnownToken(
                id_token,
                form.get(ATTR_NAME) or (known.name if known else ""),
                known.vehicle if known else None,
                bool(form.get(ATTR_BLOCKED, False)),
            )
        )
    await _save(hass, entry)


async def _save(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    cards = [card.to_dict() for card in entry.runtime_data.server.authority.tokens]
    await _store(hass, entry.entry_id).async_save({"cards": cards})


async def async_add_card(call: ServiceCall, entry: SschConfigEntry) -> None:
    """Add a card to the hub's list, or change its name, car or block."""
    card = KnownToken(
        call.data[ATTR_ID_TOKEN],
        call.data[ATTR_NAME],
        call.data.get(ATTR_VEHICLE),
        call.data[ATTR_BLOCKED],
    )
    entry.runtime_data.server.authority.put(card)
    await _save(call.hass, entry)


async def async_remove_card(call: ServiceCall, entry: SschConfigEntry) -> None:
    """Take a card off the hub's list."""
    if not entry.runtime_data.server.authority.remove(call.data[ATTR_ID_TOKEN]):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_card",
            translation_placeholders={"id_token": call.data[ATTR_ID_TOKEN]},
        )
    await _save(call.hass, entry)


def card_listener(hass: HomeAssistant, config: HubConfig) -> Callable[[CsmsEvent], None]:
    """Pass every card presented at one of the hub's stations to the tag integration (``tag_scanned``)."""
    stations = {charger.station_id for charger in config.chargers}

    @callback
    def presented(event: CsmsEvent) -> None:
        if not isinstance(event, TokenPresented) or event.station_id not in stations:
            return
        device_id = event_device_id(hass, config, event.station_id, event.evse_id)
        hass.async_create_task(_scan(hass, event.id_token, device_id), eager_start=True)

    return presented


async def _scan(hass: HomeAssistant, id_token: str, device_id: str | None) -> None:
    try:
        await tag.async_scan_tag(hass, id_token, device_id)
    except HomeAssistantError as err:
        _LOGGER.warning("A presented charging card could not be passed to the tag integration: %s", err)
