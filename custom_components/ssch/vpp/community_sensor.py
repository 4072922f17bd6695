"""The community's sensors, on the site device of the hub that runs the aggregator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval

from custom_components.ssch.entities.base import SschEntity
from custom_components.ssch.entities.devices import site_anchor
from custom_components.ssch.entities.sensor_kinds import power_kw, stored_energy_kwh
from custom_components.ssch.runtime import SschConfigEntry

from .aggregator import Aggregator, MemberReport
from .community_data import community_runtime

# Figures "now" change with the clock as well as with messages; envelopes arrive too often to follow.
REFRESH = timedelta(seconds=30)


@dataclass(frozen=True, kw_only=True)
class CommunitySensorDescription(SensorEntityDescription):
    """A community figure read from the aggregator."""

    value_fn: Callable[[Aggregator], float]
    monetary: bool = False
    # Per member (pseudonym) breakdown, for the figures reported per member.
    per_member_fn: Callable[[MemberReport], float] | None = None


def _power(key: str, value_fn: Callable[[Aggregator], float]) -> CommunitySensorDescription:
    return power_kw(CommunitySensorDescription, key, precision=1, value_fn=value_fn)


def _stored(key: str, value_fn: Callable[[Aggregator], float]) -> CommunitySensorDescription:
    return stored_energy_kwh(CommunitySensorDescription, key, value_fn=value_fn)


COMMUNITY_SENSORS = (
    CommunitySensorDescription(
        key="community_members_online",
        translation_key="community_members_online",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda a: a.flexibility().members_online,
    ),
    _power("community_flexibility_up", lambda a: a.flexibility().up_kw),
    _power("community_flexibility_down", lambda a: a.flexibility().down_kw),
    _stored("community_flexibility_energy_up", lambda a: a.flexibility().up_kwh_4h),
    _stored("community_flexibility_energy_down", lambda a: a.flexibility().down_kwh_4h),
    _power("community_committed", lambda a: a.committed_kw()),
    CommunitySensorDescription(
        key="community_delivered",
        translation_key="community_delivered",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda a: a.totals()[0],
        per_member_fn=lambda report: report.delivered_kwh,
    ),
    CommunitySensorDescription(
        key="community_revenue",
        translation_key="community_revenue",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda a: a.totals()[1],
        per_member_fn=lambda report: report.revenue,
    ),
)


def add_community_sensors(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The community's sensors, when this hub runs the community's aggregator."""
    runtime = community_runtime(hass, entry.entry_id)
    if runtime is None or runtime.aggregator is None:
        return
    aggregator = runtime.aggregator
    async_add_entities(
        [CommunitySensor(aggregator, entry, d, hass.config.currency) for d in COMMUNITY_SENSORS]
    )


class CommunitySensor(SschEntity, SensorEntity):
    """One figure of the whole community, as this hub's aggregator sees it."""

    # One entry per member: the aggregator keeps them, the recorder need not.
    _unrecorded_attributes = frozenset({"members"})
    entity_description: CommunitySensorDescription

    def __init__(
        self,
        aggregator: Aggregator,
        entry: SschConfigEntry,
        description: CommunitySensorDescription,
        currency: str,
    ) -> None:
        """Bind to the aggregator and the hub's site device."""
        super().__init__(site_anchor(entry.entry_id, entry.title), description)
        self._aggregator = aggregator
        if description.monetary:
            self._attr_native_unit_of_measurement = currency

    async def async_added_to_hass(self) -> None:
        """Follow members and orders, and the clock."""
        self.async_on_remove(self._aggregator.listen(self.async_write_ha_state))

        @callback
        def tick(_: datetime) -> None:
            self.async_write_ha_state()

        self.async_on_remove(async_track_time_interval(self.hass, tick, REFRESH))

    @property
    def native_value(self) -> float:
        """Read from the aggregator."""
        return round(self.entity_description.value_fn(self._aggregator), 3)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Delivered energy or revenue per member, for the sensors that have them."""
        per_member = self.entity_description.per_member_fn
        if per_member is None:
            return None
        report = self._aggregator.members_report()
        return {"members": {member: round(per_member(row), 4) for member, row in report.items()}}
