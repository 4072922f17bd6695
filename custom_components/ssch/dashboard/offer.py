"""Offer the hub's dashboard once, after a hub is set up: a notification with the few steps to add it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from custom_components.ssch.const import DOMAIN

if TYPE_CHECKING:
    from custom_components.ssch.runtime import SschConfigEntry

STORAGE_KEY = f"{DOMAIN}.dashboard_offer"
STRATEGY_TYPE = "custom:ssch-hub"

MESSAGE = """The hub comes with a dashboard: its plan, chargers, site, key figures and bookings.

To add it: [Settings → Dashboards](/config/lovelace/dashboards) → **Add dashboard** → \
**New dashboard from scratch**, name it and open it; then **⋮ → Edit dashboard → ⋮ → \
Raw configuration editor**, replace everything with

```yaml
strategy:
  type: custom:ssch-hub
```

and save. Its cards follow the hub when chargers are added or removed.
The plan card alone is in every dashboard's card picker as **Charging plan**."""


def notification_id(entry_id: str) -> str:
    """The notification's id for one hub."""
    return f"{DOMAIN}_dashboard_{entry_id}"


async def async_offer_dashboard(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """Tell about the dashboard the first time a hub is loaded; never again for that hub."""
    store: Store[dict[str, list[str]]] = Store(hass, 1, STORAGE_KEY)
    offered = (await store.async_load() or {}).get("offered", [])
    if entry.entry_id in offered:
        return
    persistent_notification.async_create(
        hass,
        MESSAGE,
        title=f"A dashboard for {entry.title}",
        notification_id=notification_id(entry.entry_id),
    )
    await store.async_save({"offered": [*offered, entry.entry_id]})
