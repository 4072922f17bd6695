"""Day-ahead prices that integrations give only through an action: the core Nord Pool
(``nordpool.get_prices_for_date``) and Tibber (``tibber.get_prices``) integrations.

They are fetched when the hub starts, after midnight, and from 13:00 CET (when the day-ahead auction
publishes) until tomorrow's prices are there; otherwise at most every few hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .price_source import PricePoint

_LOGGER = logging.getLogger(__name__)
NORDPOOL = "nordpool"
TIBBER = "tibber"
AUCTION_ZONE = ZoneInfo("Europe/Brussels")  # the day-ahead auction's clock (CET/CEST)
AUCTION_PUBLISHED = time(13, 0)
REFRESH_AFTER = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class ActionSource:
    """A price entity whose integration offers its prices through an action."""

    entity_id: str
    platform: str
    config_entry_id: str
    area: str | None = None  # Nord Pool: the bidding area of the entity


def action_source(hass: HomeAssistant, entity_id: str) -> ActionSource | None:
    """The action behind a price entity, if its integration has one the hub can call."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or entry.config_entry_id is None or entry.platform not in (NORDPOOL, TIBBER):
        return None
    area = entry.unique_id.split("-", 1)[0].upper() if entry.platform == NORDPOOL else None
    return ActionSource(entity_id, entry.platform, entry.config_entry_id, area)


def _points(items: object, per_kwh: float, time_key: str) -> list[PricePoint]:
    points: list[PricePoint] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        start = dt_util.parse_datetime(str(item.get(time_key, "")))
        price = item.get("price")
        if start is not None and isinstance(price, int | float) and not isinstance(price, bool):
            points.append(PricePoint(dt_util.as_utc(start), float(price) * per_kwh))
    return points


async def _call(hass: HomeAssistant, domain: str, service: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await hass.services.async_call(domain, service, data, blocking=True, return_response=True)
    return dict(response or {})


async def fetch_nordpool(hass: HomeAssistant, source: ActionSource, day: date) -> list[PricePoint]:
    """One day of a Nord Pool area (the action answers per MWh)."""
    data: dict[str, Any] = {"config_entry": source.config_entry_id, "date": day.isoformat()}
    if source.area:
        data["areas"] = [source.area]
    response = await _call(hass, NORDPOOL, "get_prices_for_date", data)
    items = response.get(source.area or "", next(iter(response.values()), []))
    return _points(items, 1.0 / 1000.0, "start")


async def fetch_tibber(hass: HomeAssistant, source: ActionSource, day: date) -> list[PricePoint]:
    """Today and tomorrow of the Tibber home (total prices per kWh); the first home if there are several."""
    start = dt_util.start_of_local_day(day)
    data = {"start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat()}
    homes = (await _call(hass, TIBBER, "get_prices", data)).get("prices", {})
    items: object = next(iter(homes.values()), []) if isinstance(homes, Mapping) else []
    return _points(items, 1.0, "start_time")


class ActionPriceFetcher:
    """Keeps the fetched prices of the hub's price entities and asks for a re-plan when they change."""

    def __init__(
        self, hass: HomeAssistant, entity_ids: Iterable[str], on_new_prices: Callable[[], None]
    ) -> None:
        """Fetch for those of ``entity_ids`` whose integration offers an action."""
        self._hass = hass
        self._sources = [s for e in entity_ids if (s := action_source(hass, e)) is not None]
        self._on_new_prices = on_new_prices
        self.points: dict[str, list[PricePoint]] = {}
        self._fetched_at: dict[str, datetime] = {}
        self._failed: set[str] = set()

    @property
    def sources(self) -> list[ActionSource]:
        """The entities the fetcher serves."""
        return list(self._sources)

    @callback
    def start(self) -> CALLBACK_TYPE:
        """Fetch now, then check twice an hour whether a fetch is due."""
        if not self._sources:
            return lambda: None
        self._hass.async_create_task(self.async_refresh(dt_util.utcnow()), eager_start=False)

        async def check(now: datetime) -> None:
            await self.async_refresh(now)

        return async_track_time_change(self._hass, check, minute=(2, 32), second=0)

    async def async_refresh(self, now: datetime) -> None:
        """Fetch every source that is due; keep what was fetched before when a fetch fails."""
        changed = False
        for source in self._sources:
            if not self._due(source.entity_id, now):
                continue
            points = await self._fetch(source, now)
            if points is None:
                continue
            self._fetched_at[source.entity_id] = now
            if points != self.points.get(source.entity_id):
                self.points[source.entity_id] = points
                changed = True
        if changed:
            self._on_new_prices()

    def _due(self, entity_id: str, now: datetime) -> bool:
        fetched = self._fetched_at.get(entity_id)
        if fetched is None or dt_util.as_local(fetched).date() != dt_util.as_local(now).date():
            return True
        if now - fetched >= REFRESH_AFTER:
            return True
        auction = now.astimezone(AUCTION_ZONE)
        return auction.time() >= AUCTION_PUBLISHED and not self._has_tomorrow(entity_id, now)

    def _has_tomorrow(self, entity_id: str, now: datetime) -> bool:
        tomorrow = dt_util.as_local(now).date() + timedelta(days=1)
        return any(dt_util.as_local(p.start).date() == tomorrow for p in self.points.get(entity_id, []))

    async def _fetch(self, source: ActionSource, now: datetime) -> list[PricePoint] | None:
        today = dt_util.as_local(now).date()
        try:
            if source.platform == TIBBER:
                points = await fetch_tibber(self._hass, source, today)
            else:
                points = await fetch_nordpool(self._hass, source, today)
                points += await self._tomorrow_if_published(source, today)
        except HomeAssistantError as err:
            if source.entity_id not in self._failed:
                self._failed.add(source.entity_id)
                _LOGGER.warning(
                    "Prices of %s could not be fetched with %s's action (%s); the plan uses what the "
                    "entity shows",
                    source.entity_id,
                    source.platform,
                    err,
                )
            return None
        self._failed.discard(source.entity_id)
        return sorted(points, key=lambda point: point.start)

    async def _tomorrow_if_published(self, source: ActionSource, today: date) -> list[PricePoint]:
        try:
            return await fetch_nordpool(self._hass, source, today + timedelta(days=1))
        except HomeAssistantError:
            return []  # not published yet (before about 13:00 CET)
