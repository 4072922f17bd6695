"""What a controller is allowed to know about the future at one step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import math
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from benchmarks.scenario import Scenario

# Day-ahead prices of tomorrow are published after the auction at 12:00 CET; assume 13:00 local.
PUBLICATION_HOUR = 13
# Forecast errors are correlated in time: consecutive steps share most of their error.
ERROR_CORRELATION = 0.9
# Share of the full error level already present in the first step (nowcasts are better).
FIRST_STEP_ERROR_SHARE = 0.3
STEPS_TO_FULL_ERROR = 16


@dataclass(frozen=True)
class ForecastView:
    """The controller's forecast of the next ``horizon`` steps."""

    price_import_eur_per_kwh: NDArray[np.float64]
    price_export_eur_per_kwh: NDArray[np.float64]
    pv_kw: NDArray[np.float64]
    building_kw: NDArray[np.float64]


class ForecastProvider:
    """Exact futures (``noise`` 0) or futures with realistic errors.

    With noise, PV and building load carry a multiplicative error whose size grows with the lead
    time up to ``noise`` (a relative standard deviation) and which is correlated between steps;
    prices beyond the published day-ahead horizon repeat the same hour of the previous day.
    """

    def __init__(self, scenario: Scenario, noise: float = 0.0, seed: int = 7) -> None:
        self.scenario = scenario
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        series = scenario.series
        self.price_import = np.array(series.price_import_eur_per_kwh)
        self.price_export = np.array(series.price_export_eur_per_kwh)
        self.pv = np.array(series.pv_kw)
        self.building = np.array(series.building_kw)
        self.day_steps = 24 * 60 // scenario.step_minutes
        zone = scenario.extra.get("time_zone", "UTC")
        self.zone = ZoneInfo(zone if isinstance(zone, str) else "UTC")

    def indices(self, step: int, horizon: int) -> NDArray[np.int64]:
        """Scenario indices for the horizon; past the end, whole days earlier are repeated."""
        wanted = np.arange(step, step + horizon)
        beyond = wanted >= self.scenario.steps
        days_back = np.ceil((wanted - self.scenario.steps + 1) / self.day_steps).astype(np.int64)
        wrapped = np.where(beyond, wanted - days_back * self.day_steps, wanted)
        return np.clip(wrapped, 0, self.scenario.steps - 1)

    def view(self, step: int, horizon: int) -> ForecastView:
        """The forecast made at the start of ``step``."""
        index = self.indices(step, horizon)
        if self.noise <= 0:
            return ForecastView(
                self.price_import[index],
                self.price_export[index],
                self.pv[index],
                self.building[index],
            )
        price_index = self.price_indices(step, horizon)
        pv = self.pv[index] * np.clip(1.0 + self._error(horizon), 0.0, None)
        building = self.building[index] * np.clip(1.0 + 0.5 * self._error(horizon), 0.0, None)
        pv[0] = self.pv[index[0]]
        building[0] = self.building[index[0]]
        return ForecastView(self.price_import[price_index], self.price_export[price_index], pv, building)

    def price_indices(self, step: int, horizon: int) -> NDArray[np.int64]:
        """Scenario indices of the prices known at ``step``: published day-ahead prices, then the
        latest published price of the same time of day."""
        known = self.known_price_steps(step, horizon)
        price_index = self.indices(step, horizon)
        for j in range(known, horizon):
            earlier = step + j - self.day_steps
            while earlier >= step + known:
                earlier -= self.day_steps
            if earlier >= 0:
                price_index[j] = self.indices(earlier, 1)[0]
        return price_index

    def known_price_steps(self, step: int, horizon: int) -> int:
        """How many steps of the horizon have published day-ahead prices."""
        now = self.scenario.time_of(step).astimezone(self.zone)
        days_known = 2 if now.hour >= PUBLICATION_HOUR else 1
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).replace(tzinfo=None)
        end = (midnight + timedelta(days=days_known)).replace(tzinfo=self.zone)
        known = math.floor((end - now) / self.scenario.step)
        return max(1, min(horizon, known))

    def _error(self, horizon: int) -> NDArray[np.float64]:
        shocks = self.rng.standard_normal(horizon)
        errors = np.empty(horizon)
        errors[0] = shocks[0]
        innovation = math.sqrt(1.0 - ERROR_CORRELATION**2)
        for j in range(1, horizon):
            errors[j] = ERROR_CORRELATION * errors[j - 1] + innovation * shocks[j]
        lead = np.minimum(1.0, np.arange(horizon) / STEPS_TO_FULL_ERROR)
        scale = FIRST_STEP_ERROR_SHARE + (1.0 - FIRST_STEP_ERROR_SHARE) * lead
        result: NDArray[np.float64] = self.noise * scale * errors
        return result
