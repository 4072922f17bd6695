"""The demo site's PV, office and battery: real-data profiles published as sensor states over HA's REST API.

The driver follows the simulated clock of the charging stations (``--speed``): PV and office load take
the profile's value at the simulated time, the battery integrates its setpoint (the number entity the
hub writes) over simulated time, and the price sensors carry the day-ahead forecast laid onto real time,
the clock the hub plans on.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

import aiohttp

from custom_components.ssch.sim.clock import SimClock
from demo.profiles import ProfileClock
from demo.site_entities import (
    BATTERY_POWER,
    BATTERY_SETPOINT,
    BATTERY_SOC,
    BUILDING_POWER,
    EXPORT_PRICE,
    IMPORT_PRICE,
    PV_LIMIT,
    PV_POWER,
    power_attributes,
    price_attributes,
    soc_attributes,
)
from demo.site_model import SimulatedBattery, pv_output_kw

_LOGGER = logging.getLogger(__name__)
TICK_S = 5.0
FORECAST_ITEMS = 48


class SiteDriver:
    """Publishes the simulated site's sensors and follows the hub's setpoints."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str,
        clock: SimClock,
        profile: ProfileClock,
    ) -> None:
        """Drive the site of the Home Assistant at ``url``."""
        self._session = session
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._clock = clock
        self._profile = profile
        self.battery = SimulatedBattery()
        self._last_sim: datetime | None = None

    async def run(self) -> None:
        """Publish every few seconds until cancelled; a failed round is retried on the next tick."""
        failing = False
        while True:
            try:
                await self.tick()
                failing = False
            except (aiohttp.ClientError, TimeoutError) as err:
                if not failing:
                    _LOGGER.warning("Could not update the demo site's sensors: %s", err)
                failing = True
            await asyncio.sleep(TICK_S)

    async def tick(self) -> None:
        """One round: battery physics, then every sensor."""
        now = self._clock.now()
        if self._last_sim is not None:
            hours = (now - self._last_sim).total_seconds() / 3600
            self.battery.step(await self._number(BATTERY_SETPOINT) or 0.0, hours)
        self._last_sim = now
        step = self._profile.at(now)
        profile = self._profile.profile
        pv_kw = pv_output_kw(profile.pv_kw[step], await self._number(PV_LIMIT))
        await self._post(PV_POWER, round(pv_kw, 2), power_attributes("PV inverter power", "mdi:solar-power"))
        await self._post(
            BUILDING_POWER,
            round(profile.building_kw[step], 2),
            power_attributes("Office consumption", "mdi:office-building"),
        )
        await self._post(
            BATTERY_POWER,
            round(self.battery.power_kw, 2),
            power_attributes("Battery inverter power", "mdi:home-battery"),
        )
        await self._post(BATTERY_SOC, round(self.battery.soc_percent, 1), soc_attributes("Battery charge"))
        for entity_id, name, series in (
            (IMPORT_PRICE, "Import price (NL day-ahead + grid fee)", profile.import_eur_per_kwh),
            (EXPORT_PRICE, "Export price (NL day-ahead)", profile.export_eur_per_kwh),
        ):
            await self._post(entity_id, series[step], price_attributes(name, self.forecast(series, now)))

    def forecast(self, series: list[float], sim_now: datetime) -> list[dict[str, Any]]:
        """Upcoming prices at the real times they play at, spread over at least a day of real time."""
        speed = self._clock.speed
        spacing = max(timedelta(hours=1), timedelta(hours=24 * speed / FORECAST_ITEMS))
        first = sim_now.replace(minute=0, second=0, microsecond=0)
        real_now = datetime.now(UTC)
        items = []
        for number in range(FORECAST_ITEMS):
            sim_time = first + number * spacing
            real_time = real_now + (sim_time - sim_now) / speed
            price = series[self._profile.at(sim_time)]
            items.append({"time": real_time.isoformat(timespec="seconds"), "price": price})
        return items

    async def _number(self, entity_id: str) -> float | None:
        async with self._session.get(
            f"{self._url}/api/states/{entity_id}", headers=self._headers
        ) as response:
            if response.status != 200:
                return None
            state = await response.json()
        try:
            return float(state["state"])
        except (TypeError, ValueError):
            return None

    async def _post(self, entity_id: str, state: float, attributes: dict[str, Any]) -> None:
        async with self._session.post(
            f"{self._url}/api/states/{entity_id}",
            json={"state": str(state), "attributes": attributes},
            headers=self._headers,
        ) as response:
            response.raise_for_status()
