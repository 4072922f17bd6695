"""The forecasts the hub itself makes, replayed: ``--forecasts hub`` of ``benchmarks.run``.

At every step the controller gets what ``core/forecast.py`` computes from what a running hub has
at that moment, never from the future:

- building load: ``forecast_building_kw`` over the building load of the steps before now (the
  hub keeps 22 days; before the scenario's start the same office profile for the days before it,
  when the scenario was built from the reference data, see ``past_series``);
- PV: ``forecast_pv_kw`` with a PV forecast series (``PvForecastSeries``: the real PV with a
  day-ahead forecast error) and the clearness measured on the PV of the last 24 hours;
- prices: the published day-ahead prices, later hours repeat the same hour one day earlier (as
  with ``--forecast-noise``).

``python -m benchmarks.hub_forecasts S4`` measures the error of both forecasts (MAE, bias, in kW,
per lead-time bucket) over a scenario.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import math
from pathlib import Path
import sys
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.forecast_view import ForecastProvider, ForecastView
from benchmarks.scenario import Scenario
from custom_components.ssch.core.forecast import (
    LONG_WINDOW,
    clear_sky_irradiance,
    forecast_building_kw,
    forecast_pv_kw,
)
from custom_components.ssch.core.model import StepGrid

# ``hub-now``: the same, but the present step takes the last measured value (persistence) instead
# of the forecast, as ``--forecast-noise`` does with the exact value.
FORECAST_MODES = ("exact", "hub", "hub-now")
# What a hub keeps of the building load (``site_snapshot.HISTORY_LENGTH``).
BUILDING_HISTORY = timedelta(days=22)
# The reference site (``benchmarks.build`` / ``benchmarks.weather``).
PV_PEAK_KW = 60.0
LATITUDE_DEG = 53.53
LONGITUDE_DEG = 8.58
# The PV forecast series: a new issue every 6 hours (with the weather model runs) covering the 24
# hours after it; the error of a step is ``sigma(lead) x z x clear-sky PV`` with ``sigma`` growing
# linearly from 0.08 at the issue time to 0.25 at 24 hours ahead, ``z`` standard normal,
# correlated between neighbouring steps (e-folding time 3 hours) and between consecutive issues
# (0.8): the next issue corrects part of the last one's error.
ISSUE_EVERY = timedelta(hours=6)
ISSUE_COVERS = timedelta(hours=24)
SIGMA_AT_ISSUE = 0.08
SIGMA_AT_DAY = 0.25
ERROR_EFOLDING = timedelta(hours=3)
ISSUE_CORRELATION = 0.8
# Lead-time buckets of the error report, in hours from the start of the forecast step's tick.
LEAD_BUCKETS_H = ((0.0, 1.0), (1.0, 6.0), (6.0, 24.0))


@dataclass(frozen=True)
class PastSeries:
    """PV and building load per step of the ``days`` before the scenario's start."""

    pv_kw: NDArray[np.float64]
    building_kw: NDArray[np.float64]


def clear_sky_pv_kw(
    times: list[datetime], peak_kw: float, latitude: float, longitude: float
) -> NDArray[np.float64]:
    """Clear-sky PV of a ``peak_kw`` array (horizontal Haurwitz irradiance) at the given moments."""
    return np.array([clear_sky_irradiance(t, latitude, longitude) * peak_kw / 1000.0 for t in times])


class PvForecastSeries:
    """A day-ahead PV forecast service replayed: the real PV plus an error that grows with lead
    time and is correlated over hours and between issues (see the constants above), seeded.

    Issues are numbered from the scenario's start; ``issue(n)`` is generated in order from the
    seed, so the same seed gives the same forecasts whichever steps ask for them.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 7,
        *,
        peak_kw: float = PV_PEAK_KW,
        latitude: float = LATITUDE_DEG,
        longitude: float = LONGITUDE_DEG,
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.peak_kw = peak_kw
        self.pv = np.array(scenario.series.pv_kw, dtype=float)
        self.every = round(ISSUE_EVERY / scenario.step)
        self.length = round(ISSUE_COVERS / scenario.step)
        middles = [scenario.time_of(k) + scenario.step / 2 for k in range(scenario.steps)]
        self.clear_sky = clear_sky_pv_kw(middles, peak_kw, latitude, longitude)
        step_h = scenario.step_hours
        self.step_correlation = math.exp(-step_h / (ERROR_EFOLDING / timedelta(hours=1)))
        lead_h = np.arange(self.length) * step_h
        self.sigma = SIGMA_AT_ISSUE + (SIGMA_AT_DAY - SIGMA_AT_ISSUE) * np.minimum(1.0, lead_h / 24.0)
        self._reset()

    def _reset(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self._number = -1
        self._z: NDArray[np.float64] = np.zeros(0)
        self._z_start = 0

    def _shocks(self, count: int) -> NDArray[np.float64]:
        """``count`` standard normal values, AR(1)-correlated between neighbouring steps."""
        shocks = self._rng.standard_normal(count)
        values = np.empty(count)
        values[0] = shocks[0]
        innovation = math.sqrt(1.0 - self.step_correlation**2)
        for j in range(1, count):
            values[j] = self.step_correlation * values[j - 1] + innovation * shocks[j]
        return values

    def issue_at(self, step: int) -> int:
        """The number of the latest issue at or before ``step``."""
        return step // self.every

    def issue(self, number: int) -> tuple[int, NDArray[np.float64]]:
        """Issue ``number``: its first step and its forecast of the ``length`` steps from there."""
        if number < self._number:
            self._reset()
        while self._number < number:
            self._number += 1
            start = self._number * self.every
            fresh = self._shocks(self.length)
            # The same target steps as the previous issue keep 0.8 of its error.
            previous = np.zeros(self.length)
            overlap = self._z_start + self._z.size - start
            if overlap > 0:
                previous[:overlap] = self._z[start - self._z_start :]
            keep = ISSUE_CORRELATION if self._number > 0 else 0.0
            self._z = keep * previous + math.sqrt(1.0 - keep**2) * fresh
            self._z_start = start
        start = self._z_start
        index = np.arange(start, start + self.length)
        inside = index < self.scenario.steps
        values = np.zeros(self.length)
        real = self.pv[index[inside]]
        error = self.sigma[inside] * self._z[inside] * self.clear_sky[index[inside]]
        values[inside] = np.clip(real + error, 0.0, self.peak_kw)
        return start, values[inside]


class HubForecastProvider(ForecastProvider):
    """The forecasts a hub computes at each step from its past (module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 7,
        past: PastSeries | None = None,
        *,
        nowcast: bool = False,
        peak_kw: float = PV_PEAK_KW,
        latitude: float = LATITUDE_DEG,
        longitude: float = LONGITUDE_DEG,
    ) -> None:
        super().__init__(scenario, noise=0.0, seed=seed)
        self.nowcast = nowcast
        self.peak_kw = peak_kw
        self.location = (latitude, longitude)
        zone = scenario.extra.get("time_zone", "UTC")
        self.time_zone = zone if isinstance(zone, str) else "UTC"
        self.series = PvForecastSeries(
            scenario, seed, peak_kw=peak_kw, latitude=latitude, longitude=longitude
        )
        past_pv = np.zeros(0) if past is None else np.asarray(past.pv_kw, dtype=float)
        past_building = np.zeros(0) if past is None else np.asarray(past.building_kw, dtype=float)
        # Everything the hub may ever have measured: the days before the start, then the replay.
        self.offset = past_pv.size
        self.measured_pv = np.concatenate([past_pv, self.pv])
        self.measured_building = np.concatenate([past_building, self.building])
        first = scenario.start - self.offset * scenario.step
        self.times = [first + k * scenario.step for k in range(self.offset + scenario.steps)]
        self.building_steps = round(BUILDING_HISTORY / scenario.step)
        self.pv_steps = round(LONG_WINDOW / scenario.step)

    def history(
        self, step: int, steps_back: int, values: NDArray[np.float64]
    ) -> list[tuple[datetime, float]]:
        """Measured values of the ``steps_back`` steps before ``step`` (only the past)."""
        end = self.offset + step
        begin = max(0, end - steps_back)
        return [(self.times[k], float(values[k])) for k in range(begin, end)]

    def pv_forecast(self, step: int, horizon: int) -> NDArray[np.float64]:
        """``forecast_pv_kw`` with the latest issue of the forecast series and the last day's PV."""
        grid = StepGrid(self.scenario.time_of(step), self.scenario.step_minutes, horizon)
        start, values = self.series.issue(self.series.issue_at(step))
        first = step - start
        samples = [
            (self.scenario.time_of(start + j), float(values[j]))
            for j in range(first, min(values.size, first + horizon))
        ]
        return forecast_pv_kw(
            grid,
            self.peak_kw,
            *self.location,
            forecast=samples,
            history=self.history(step, self.pv_steps, self.measured_pv),
        )

    def building_forecast(self, step: int, horizon: int) -> NDArray[np.float64]:
        """``forecast_building_kw`` over the building load the hub has recorded before ``step``."""
        grid = StepGrid(self.scenario.time_of(step), self.scenario.step_minutes, horizon)
        history = self.history(step, self.building_steps, self.measured_building)
        return forecast_building_kw(grid, history, time_zone=self.time_zone)

    def view(self, step: int, horizon: int) -> ForecastView:
        """The forecast made at the start of ``step``."""
        price_index = self.price_indices(step, horizon)
        pv = self.pv_forecast(step, horizon)
        building = self.building_forecast(step, horizon)
        last = self.offset + step - 1
        if self.nowcast and last >= 0:
            pv[0] = self.measured_pv[last]
            building[0] = self.measured_building[last]
        return ForecastView(self.price_import[price_index], self.price_export[price_index], pv, building)


def past_series(scenario: Scenario, days: int = 28) -> PastSeries | None:
    """PV and office load of the ``days`` before a scenario built from the reference data
    (``benchmarks.build.reference_series``), the office scaled to the scenario's; None when the
    reference data does not reproduce the scenario's own PV (another site, or no data)."""
    try:
        from benchmarks.build import reference_series
    except ImportError:  # pragma: no cover - the build module always imports in this repository
        return None
    before = days * 24 * 60 // scenario.step_minutes
    check = min(scenario.steps, 7 * 24 * 60 // scenario.step_minutes)
    try:
        series = reference_series(scenario.start - before * scenario.step, before + check)
    except (OSError, KeyError, ValueError):
        return None
    pv = np.array(series.pv_kw)
    building = np.array(series.building_kw)
    if not np.allclose(pv[before:], scenario.series.pv_kw[:check], atol=0.01):
        return None
    reference = float(building[before:].sum())
    scale = float(np.sum(scenario.series.building_kw[:check])) / reference if reference > 0 else 1.0
    return PastSeries(pv[:before], building[:before] * scale)


def forecast_provider(
    scenario: Scenario, mode: str, noise: float, seed: int, past: PastSeries | None = None
) -> ForecastProvider:
    """The provider of a forecast mode (``FORECAST_MODES``)."""
    if mode in ("hub", "hub-now"):
        return HubForecastProvider(scenario, seed, past, nowcast=mode == "hub-now")
    return ForecastProvider(scenario, noise=noise, seed=seed)


@dataclass(frozen=True)
class BucketError:
    """Error of a forecast over one lead-time bucket: forecast minus real, in kW."""

    lead_from_h: float
    lead_to_h: float
    count: int
    mae_kw: float
    bias_kw: float
    mean_real_kw: float


def bucket_errors(
    forecasts: list[tuple[int, NDArray[np.float64]]],
    real: NDArray[np.float64],
    step_hours: float,
    buckets: tuple[tuple[float, float], ...] = LEAD_BUCKETS_H,
) -> list[BucketError]:
    """MAE and bias per lead bucket of forecasts ``(step made, values from that step on)`` against
    ``real``; a target step's lead is its start minus the tick's (the present step has lead 0)."""
    sums = {bucket: [0.0, 0.0, 0.0, 0.0] for bucket in buckets}
    for step, values in forecasts:
        count = min(values.size, real.size - step)
        if count <= 0:
            continue
        error = values[:count] - real[step : step + count]
        lead = np.arange(count) * step_hours
        for bucket in buckets:
            inside = (lead >= bucket[0]) & (lead < bucket[1])
            total = sums[bucket]
            total[0] += float(inside.sum())
            total[1] += float(np.abs(error[inside]).sum())
            total[2] += float(error[inside].sum())
            total[3] += float(real[step : step + count][inside].sum())
    result: list[BucketError] = []
    for (low, high), (total_count, absolute, signed, real_sum) in sums.items():
        n = max(round(total_count), 1)
        result.append(BucketError(low, high, round(total_count), absolute / n, signed / n, real_sum / n))
    return result


def measure(
    scenario: Scenario,
    provider: HubForecastProvider,
    *,
    every: int = 4,
    horizon: int = 96,
    steps: int | None = None,
    progress: int = 0,
) -> dict[str, list[BucketError]]:
    """Errors of the hub's PV and building forecasts made every ``every`` steps."""
    steps = scenario.steps if steps is None else min(steps, scenario.steps)
    pv: list[tuple[int, NDArray[np.float64]]] = []
    building: list[tuple[int, NDArray[np.float64]]] = []
    started = time.perf_counter()
    for step in range(0, steps, every):
        view = provider.view(step, horizon)
        pv.append((step, view.pv_kw))
        building.append((step, view.building_kw))
        if progress and (step // every + 1) % progress == 0:
            print(f"{step + 1} steps in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    hours = scenario.step_hours
    return {
        "pv": bucket_errors(pv, provider.pv, hours),
        "building": bucket_errors(building, provider.building, hours),
    }


def error_table(errors: dict[str, list[BucketError]]) -> str:
    """Markdown table of ``measure``'s result."""
    lines = [
        "| forecast | lead | MAE kW | bias kW | mean real kW | forecasts |",
        "|---|---|---|---|---|---|",
    ]
    for name, buckets in errors.items():
        for b in buckets:
            lines.append(
                f"| {name} | {b.lead_from_h:g}-{b.lead_to_h:g} h | {b.mae_kw:.2f} | {b.bias_kw:+.2f} "
                f"| {b.mean_real_kw:.2f} | {b.count} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the error of the hub's forecasts on a scenario."""
    from benchmarks.build import BUILDERS
    from benchmarks.run import resolve_scenario

    parser = argparse.ArgumentParser(description="Error of the hub's PV and building forecasts")
    parser.add_argument("scenario", help="S1, S2, S4 or a scenario JSON file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--every", type=int, default=4, help="make a forecast every N steps")
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--progress", type=int, default=0, help="report every N forecasts on stderr")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    scenario = resolve_scenario(args.scenario)
    past = past_series(scenario) if args.scenario in BUILDERS else None
    provider = HubForecastProvider(scenario, args.seed, past)
    errors = measure(
        scenario, provider, every=args.every, horizon=args.horizon, steps=args.steps, progress=args.progress
    )
    before = "no history before the start" if past is None else f"{past.pv_kw.size} steps before the start"
    print(
        f"scenario {scenario.name}: a forecast every {args.every} steps, horizon {args.horizon}, "
        f"seed {args.seed}, {before}"
    )
    print(error_table(errors))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {
            "scenario": scenario.name,
            "every": args.every,
            "horizon": args.horizon,
            "seed": args.seed,
            "errors": {name: [b.__dict__ for b in buckets] for name, buckets in errors.items()},
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
