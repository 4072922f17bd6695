"""The PV forecast of a hub's plans: each PV asset's own forecast source where it has one, the built-in
clear-sky estimate elsewhere and after the forecast ends.

An asset's sources, in order: the config entry whose integration gives the Energy dashboard a solar
forecast, then the forecast sensor. Sources are read when the hub starts, every ``REFRESH_INTERVAL``
and when a forecast sensor changes, never while planning (an integration's forecast may need I/O).
A source that stops giving a usable forecast (gone, stale, garbage, wrong unit) is bridged with its
last good forecast for ``HOLD``; after that the asset falls back to the estimate and a repair issue
names the source until it recovers. A forecast shared by several assets is split by their peak power.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util
import numpy as np

from custom_components.ssch.core.forecast import forecast_pv_kw
from custom_components.ssch.core.model import FloatArray, StepGrid
from custom_components.ssch.hub_config import HubConfig, PvConfig

from .raised_issues import RaisedIssues
from .solar_forecast_parse import ForecastProblem, SolarForecast, parse_energy_platform, parse_state
from .solar_forecast_providers import async_fetch_entry_forecast

_LOGGER = logging.getLogger(__name__)
ISSUE_SOLAR_FORECAST_UNAVAILABLE = "solar_forecast_unavailable"
REFRESH_INTERVAL = timedelta(minutes=15)
HOLD = timedelta(hours=2)
FETCH_TIMEOUT_S = 10.0
# A forecast far above the arrays' peak power is in another unit than it claims (W taken for kW).
PLAUSIBLE_PEAK_FACTOR = 2.0

type Sample = tuple[datetime, float]


@dataclass(slots=True)
class _Source:
    """One forecast source, shared by the PV assets that name it."""

    key: str
    is_entry: bool
    peak_kwp: float
    since: datetime
    good: SolarForecast | None = None
    good_at: datetime | None = None
    assets: list[str] = field(default_factory=list)

    def usable(self, now: datetime) -> SolarForecast | None:
        """The last good forecast while it is recent enough and still reaches past ``now``."""
        if self.good is None or self.good_at is None or now - self.good_at > HOLD or self.good.ends <= now:
            return None
        return self.good


class SolarForecasts:
    """Reads, keeps and combines the PV forecasts of one hub."""

    def __init__(
        self, hass: HomeAssistant, config: HubConfig, clock: Callable[[], datetime] = dt_util.utcnow
    ) -> None:
        """Sources of every PV asset of the hub; nothing is read before ``async_start``."""
        self._hass = hass
        self._config = config
        self._clock = clock
        self._sources: dict[str, _Source] = {}
        self._chosen: dict[str, list[str]] = {}
        self._issues = RaisedIssues(hass, config.entry_id, ISSUE_SOLAR_FORECAST_UNAVAILABLE)
        # Called when a source gives a usable forecast again (a re-plan); set by the hub.
        self.on_recovered: Callable[[], object] | None = None
        now = clock()
        for pv in config.pv:
            keys: list[str] = []
            if pv.forecast_config_entry:
                keys.append(self._add(pv, pv.forecast_config_entry, is_entry=True, now=now))
            if pv.forecast_entity:
                keys.append(self._add(pv, pv.forecast_entity, is_entry=False, now=now))
            self._chosen[pv.subentry_id] = keys

    def _add(self, pv: PvConfig, key: str, *, is_entry: bool, now: datetime) -> str:
        source = self._sources.setdefault(key, _Source(key, is_entry, 0.0, now))
        source.peak_kwp += pv.peak_kwp
        source.assets.append(pv.name)
        return key

    async def async_start(self) -> CALLBACK_TYPE:
        """Read every source now, then keep them fresh until the returned callback is called."""
        await self.async_refresh()
        if not self._sources:
            return lambda: None
        stops = [
            async_track_time_interval(self._hass, self._async_tick, REFRESH_INTERVAL, cancel_on_shutdown=True)
        ]
        entities = [key for key, source in self._sources.items() if not source.is_entry]
        if entities:
            stops.append(async_track_state_change_event(self._hass, entities, self._entity_changed))
        if not self._hass.is_running:
            # Forecast integrations may load after the hub: read them again once everything runs.
            stops.append(async_at_started(self._hass, self._async_started))

        def stop() -> None:
            for unsubscribe in stops:
                unsubscribe()
            self.clear_all()

        return stop

    async def _async_tick(self, _: datetime) -> None:
        await self.async_refresh()

    async def _async_started(self, _: HomeAssistant) -> None:
        await self.async_refresh()

    async def async_refresh(self) -> None:
        """Read every source once."""
        now = self._clock()
        for source in list(self._sources.values()):
            if source.is_entry:
                result = await self._async_fetch(source.key, now)
            else:
                result = parse_state(self._hass.states.get(source.key), now)
            self._accept(source, result, now)

    async def _async_fetch(self, entry_id: str, now: datetime) -> SolarForecast | ForecastProblem:
        try:
            async with asyncio.timeout(FETCH_TIMEOUT_S):
                raw = await async_fetch_entry_forecast(self._hass, entry_id)
        except Exception:  # another integration's failure must not stop the hub
            _LOGGER.debug("The solar forecast of config entry %s failed", entry_id, exc_info=True)
            return ForecastProblem.UNAVAILABLE
        return parse_energy_platform(raw, now)

    @callback
    def _entity_changed(self, event: Event[EventStateChangedData]) -> None:
        source = self._sources[event.data["entity_id"]]
        now = self._clock()
        self._accept(source, parse_state(event.data["new_state"], now), now)

    def _accept(self, source: _Source, result: SolarForecast | ForecastProblem, now: datetime) -> None:
        """Keep a good forecast; a bad one leaves the last good one in use until ``HOLD`` is over."""
        if isinstance(result, SolarForecast) and result.peak_kw > PLAUSIBLE_PEAK_FACTOR * source.peak_kwp:
            result = ForecastProblem.WRONG_UNIT
        if isinstance(result, SolarForecast):
            recovered = source.usable(now) is None
            source.good, source.good_at = result, now
            self._issues.clear(source.key)
            if recovered and self.on_recovered is not None:
                self.on_recovered()
            return
        if source.usable(now) is None and now - (source.good_at or source.since) > HOLD:
            self._raise(source, result)

    def _raise(self, source: _Source, problem: ForecastProblem) -> None:
        label = source.key
        if source.is_entry and (entry := self._hass.config_entries.async_get_entry(source.key)):
            label = f"{entry.title} ({entry.domain})"
        placeholders = {
            "source": label,
            "assets": ", ".join(source.assets),
            "hours": f"{HOLD.total_seconds() / 3600:g}",
        }
        if self._issues.raise_once(source.key, placeholders):
            _LOGGER.warning("The solar forecast of %s is %s; planning PV with the estimate", label, problem)

    @property
    def problems(self) -> list[str]:
        """Sources replaced by the estimate now."""
        return self._issues.keys

    def pv_forecast_kw(
        self, grid: StepGrid, history: Sequence[Sample], latitude: float, longitude: float
    ) -> FloatArray:
        """PV power per step of ``grid`` summed over the PV assets."""
        total_peak = sum(pv.peak_kwp for pv in self._config.pv)
        result: FloatArray = np.zeros(grid.steps)
        if total_peak <= 0:
            return result
        estimated_peak = 0.0
        for pv in self._config.pv:
            forecast = self.forecast_for(pv, grid.start)
            if forecast is None:
                estimated_peak += pv.peak_kwp
                continue
            share = pv.peak_kwp / total_peak
            result += forecast_pv_kw(
                grid,
                pv.peak_kwp,
                latitude,
                longitude,
                forecast=forecast.samples(grid.start, grid.end, grid.step_delta),
                history=[(moment, value * share) for moment, value in history],
            )
        if estimated_peak > 0:
            # Measured PV is of all assets: its share tells how clear the sky was for these.
            share = estimated_peak / total_peak
            history = [(moment, value * share) for moment, value in history] if share < 1 else history
            result += forecast_pv_kw(grid, estimated_peak, latitude, longitude, history=history)
        return result

    def forecast_for(self, pv: PvConfig, now: datetime) -> SolarForecast | None:
        """The asset's part of its first usable source, or None (the estimate then)."""
        for key in self._chosen.get(pv.subentry_id, []):
            source = self._sources[key]
            if (forecast := source.usable(now)) is not None:
                return forecast.scaled(pv.peak_kwp / source.peak_kwp)
        return None

    def clear_all(self) -> None:
        """Drop every issue raised (the hub is unloading)."""
        self._issues.clear_all()
