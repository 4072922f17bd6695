"""Offer the hub's dashboard once, after a hub is set up: a notification with the few steps to add it.

Its words are the translations' ``issues.dashboard_offer`` (title and description), in the language of
Home Assistant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations

from custom_components.ssch.const import DOMAIN

if TYPE_CHECKING:
    from custom_components.ssch.runtime import SschConfigEntry

STORAGE_KEY = f"{DOMAIN}.dashboard_offer"
STRATEGY_TYPE = "custom:ssch-hub"


def notification_id(entry_id: str) -> str:
    """The notification's id for one hub."""
    return f"{DOMAIN}_dashboard_{entry_id}"


async def async_offer_dashboard(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """Tell about the dashboard the first time a hub is loaded; never again for that hub."""
    store: Store[dict[str, list[str]]] = Store(hass, 1, STORAGE_KEY)
    offered = (await store.async_load() or {}).get("offered", [])
    if entry.entry_id in offered:
        return
    words = await async_get_translations(hass, hass.config.language, "issues", {DOMAIN})
    prefix = f"component.{DOMAIN}.issues.dashboard_offer"
    persistent_notification.async_create(
        hass,
        words[f"{prefix}.description"],
        title=words[f"{prefix}.title"].replace("{hub}", entry.title),
        notification_id=notification_id(entry.entry_id),
    )
    await store.async_save({"offered": [*offered, entry.entry_id]})
