"""Event entities: the hub's bus events as triggers the automation editor offers.

Each EVSE has one for its car being ready, its target being at risk and its charger's faults; the hub's
site device has one for grid signals and one for flexibility commitments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import ATTR_CONFIG_ENTRY_ID
from .ems.events import EVENT_FLEXIBILITY, EVENT_GRID_SIGNAL, EVENT_SESSION_READY, EVENT_TARGET_AT_RISK
from .entities.base import SschEntity
from .entities.devices import DeviceAnchor, site_anchor
from .entities.station import evse_anchor
from .hub_config import ChargerConfig
from .runtime import SschConfigEntry
from .stations.bridge import EVENT_CHARGER_FAULT

PARALLEL_UPDATES = 0

type EventData = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class SschEventDescription(EventEntityDescription):
    """Which bus event an entity follows, how its event type is named and what it shows of the data."""

    bus_event: str
    type_fn: Callable[[EventData], str]
    attributes: tuple[str, ...]


def _state(data: EventData) -> str:
    return str(data["state"])


CAR_READY = SschEventDescription(
    key="car_ready",
    translation_key="car_ready",
    event_types=["car_ready"],
    bus_event=EVENT_SESSION_READY,
    type_fn=lambda _: "car_ready",
    attributes=("session_id", "energy_kwh", "soc"),
)
TARGET_AT_RISK = SschEventDescription(
    key="target_at_risk",
    translation_key="target_at_risk",
    event_types=["target_at_risk"],
    bus_event=EVENT_TARGET_AT_RISK,
    type_fn=lambda _: "target_at_risk",
    attributes=("session_id", "expected_energy_kwh", "target_energy_kwh", "reason"),
)
CHARGER_FAULT = SschEventDescription(
    key="charger_fault",
    translation_key="charger_fault",
    event_types=["fault", "fault_cleared"],
    bus_event=EVENT_CHARGER_FAULT,
    type_fn=lambda data: "fault_cleared" if data.get("cleared") else "fault",
    attributes=("component", "detail"),
)
GRID_SIGNAL = SschEventDescription(
    key="grid_signal",
    translation_key="grid_signal",
    event_types=["started", "ended"],
    bus_event=EVENT_GRID_SIGNAL,
    type_fn=_state,
    attributes=("import_limit_kw", "export_limit_kw"),
)
FLEXIBILITY = SschEventDescription(
    key="flexibility",
    translation_key="flexibility",
    event_types=["committed", "started", "ended"],
    bus_event=EVENT_FLEXIBILITY,
    type_fn=_state,
    attributes=(
        "commitment_id", "direction", "start", "end", "committed_kw", "price_per_kwh", "delivered_kwh",
        "revenue",
    ),
)  # fmt: skip
EVSE_EVENTS = (CAR_READY, TARGET_AT_RISK, CHARGER_FAULT)
HUB_EVENTS = (GRID_SIGNAL, FLEXIBILITY)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The hub's event entities, then each charger's, on the charger's subentry."""
    entry_id = entry.entry_id
    site = site_anchor(entry_id, entry.title)
    async_add_entities(SschEvent(site, description, _of_hub(entry_id)) for description in HUB_EVENTS)
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            (
                SschEvent(
                    evse_anchor(entry_id, charger, evse_id),
                    description,
                    _of_evse(entry_id, charger, evse_id, station_wide=description is CHARGER_FAULT),
                )
                for evse_id in range(1, charger.evse_count + 1)
                for description in EVSE_EVENTS
            ),
            config_subentry_id=charger.subentry_id,
        )


def _of_hub(entry_id: str) -> Callable[[EventData], bool]:
    @callback
    def concerns(data: EventData) -> bool:
        return data.get(ATTR_CONFIG_ENTRY_ID) == entry_id

    return concerns


def _of_evse(
    entry_id: str, charger: ChargerConfig, evse_id: int, *, station_wide: bool
) -> Callable[[EventData], bool]:
    """Events of one EVSE; with ``station_wide``, also those of its whole station (no EVSE, or EVSE 0)."""

    @callback
    def concerns(data: EventData) -> bool:
        reported = data.get("evse_id")
        return (
            data.get(ATTR_CONFIG_ENTRY_ID) == entry_id
            and data.get("station_id") == charger.station_id
            and (reported == evse_id or (station_wide and not reported))
        )

    return concerns


class SschEvent(SschEntity, EventEntity):
    """Follows one bus event of its hub; each occurrence that concerns its device becomes an event."""

    entity_description: SschEventDescription

    def __init__(
        self,
        anchor: DeviceAnchor,
        description: SschEventDescription,
        concerns: Callable[[EventData], bool],
    ) -> None:
        """Bind to a device; ``concerns`` picks the bus events about it."""
        super().__init__(anchor, description)
        self._concerns = concerns

    async def async_added_to_hass(self) -> None:
        """Listen to the bus event while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hass.bus.async_listen(
                self.entity_description.bus_event, self._on_bus_event, event_filter=self._concerns
            )
        )

    @callback
    def _on_bus_event(self, event: Event[EventData]) -> None:
        description = self.entity_description
        data = event.data
        event_type = description.type_fn(data)
        if event_type not in self.event_types:
            return  # a state a newer hub may announce, which this entity does not name
        self._trigger_event(event_type, {key: data.get(key) for key in description.attributes})
        self.async_write_ha_state()
