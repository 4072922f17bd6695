"""Randomised sites that cover every structure of the QP, for comparing the engines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from custom_components.ssch.core.model import (
    Evse,
    EvSession,
    FlexCommitment,
    Forecasts,
    Prices,
    SiteLimits,
    SiteSnapshot,
    StationaryBattery,
    StepGrid,
)
from custom_components.ssch.core.optimizer import OptimizerConfig
from tests.core.conftest import NOW


@dataclass(frozen=True, slots=True)
class RandomSite:
    """A snapshot and the optimizer configuration it is planned with (coarse tails or not)."""

    seed: int
    snapshot: SiteSnapshot
    config: OptimizerConfig

    @property
    def structure(self) -> str:
        s = self.snapshot
        parts = [
            "battery" if s.battery else "no battery",
            "curtailable" if s.pv_curtailable else "fixed PV",
            f"{len(s.commitments)} commitments",
            f"{len(s.sessions)} cars",
        ]
        return ", ".join(parts)


def random_site(seed: int) -> RandomSite:
    """Site ``seed``: every structural switch is drawn, so a few hundred seeds cover each combination."""
    rng = np.random.default_rng(seed)
    step_minutes = int(rng.choice([15, 30, 60]))
    steps = int(rng.integers(1, 40))
    grid = StepGrid(NOW, step_minutes, steps)
    hours = np.arange(steps) * step_minutes / 60
    day_ahead = 0.1 + 0.08 * np.sin(hours / 24 * 2 * np.pi + rng.uniform(0, 6)) + rng.normal(0, 0.03, steps)
    if rng.random() < 0.15:
        day_ahead[rng.integers(0, steps)] = -0.05  # negative prices happen
    import_price = day_ahead + 0.1
    export_price = day_ahead - float(rng.uniform(0, 0.05))
    chargers = int(rng.integers(0, 7))
    evses = tuple(
        Evse(f"e{i}", 11.0, 11.0 if rng.random() < 0.7 else 0.0, controllable=bool(rng.random() < 0.85))
        for i in range(chargers)
    )
    sessions = tuple(_session(rng, evse, grid, i) for i, evse in enumerate(evses) if rng.random() < 0.8)
    grid_limit = float(rng.choice([15.0, 30.0, 60.0, 200.0]))  # 15 kW binds for most hubs
    limits = SiteLimits(
        np.full(steps, grid_limit) - rng.uniform(0, 5, steps) * (rng.random() < 0.3),
        np.full(steps, float(rng.choice([5.0, 50.0]))),
    )
    prices = Prices(
        import_price,
        export_price,
        peak_eur_per_kw=float(rng.choice([0.0, 0.0, 2.0, 10.0])),
        peak_already_kw=float(rng.choice([0.0, 10.0])),
    )
    pv = np.maximum(0.0, 40.0 * np.sin((hours + rng.uniform(0, 24)) / 24 * 2 * np.pi)) * rng.uniform(0, 1.5)
    forecasts = Forecasts(pv, np.maximum(0.0, 8.0 + rng.normal(0, 3.0, steps)))
    battery = None
    if rng.random() < 0.5:
        capacity = float(rng.choice([10.0, 50.0, 100.0]))
        battery = StationaryBattery(
            capacity,
            capacity / 2,
            capacity / 2,
            0.1,
            0.9,
            float(rng.choice([0.9, 0.95])),
            float(rng.uniform(0.05, 0.95)) * capacity,
        )
    commitments = tuple(_commitment(rng, grid, i) for i in range(int(rng.choice([0, 0, 1, 2]))))
    snapshot = SiteSnapshot(
        grid=grid,
        limits=limits,
        prices=prices,
        forecasts=forecasts,
        battery=battery,
        evses=evses,
        sessions=sessions,
        pv_curtailable=bool(rng.random() < 0.5),
        commitments=commitments,
    )
    coarse = rng.random() < 0.5
    config = OptimizerConfig(
        fine_steps=int(rng.integers(2, 8)) if coarse else 16,
        coarse_factor=int(rng.choice([2, 3, 4])) if coarse else 4,
    )
    return RandomSite(seed, snapshot, config)


def _session(rng: np.random.Generator, evse: Evse, grid: StepGrid, index: int) -> EvSession:
    capacity = float(rng.choice([40.0, 60.0, 80.0]))
    energy = float(rng.uniform(0.1, 0.8)) * capacity
    plugged = rng.random() < 0.7
    span = grid.steps * grid.step_hours
    arrival = grid.start if plugged else grid.start + timedelta(hours=float(rng.uniform(0, span)))
    expected = not plugged and rng.random() < 0.6
    v2g = evse.max_discharge_kw > 0 and rng.random() < 0.6
    return EvSession(
        session_id=f"s{index}",
        evse_id=evse.evse_id,
        max_charge_kw=float(rng.choice([7.4, 11.0])),
        max_discharge_kw=11.0 if v2g else 0.0,
        arrival=arrival,
        departure=arrival + timedelta(hours=float(rng.uniform(0.2, 1.5 * span + 1))),
        energy_kwh=energy,
        capacity_kwh=capacity,
        target_energy_kwh=min(capacity, energy + float(rng.uniform(0, 50))),
        min_energy_kwh=float(rng.uniform(0, 0.3)) * capacity,
        v2g_allowed=v2g,
        charge_efficiency=float(rng.choice([0.9, 0.95])),
        discharge_efficiency=float(rng.choice([0.9, 0.95])),
        hard_target=bool(rng.random() < 0.2),
        plugged_in=plugged,
        shortfall_price_eur_per_kwh=float(rng.uniform(0.2, 1.0)) if expected else None,
        optional_kwh=float(rng.uniform(0, 10)) if expected else 0.0,
        optional_price_eur_per_kwh=float(rng.uniform(0.1, 0.5)) if expected else 0.0,
    )


def _commitment(rng: np.random.Generator, grid: StepGrid, index: int) -> FlexCommitment:
    start = grid.start + timedelta(hours=float(rng.uniform(0, grid.steps * grid.step_hours)))
    return FlexCommitment(
        commitment_id=f"c{index}",
        start=start,
        end=start + timedelta(hours=float(rng.uniform(0.25, 3))),
        requested_kw=float(rng.choice([-1.0, 1.0])) * float(rng.uniform(2, 20)),
        reference_kw=float(rng.uniform(-10, 30)),
        breach_price_eur_per_kwh=float(rng.uniform(0.5, 5.0)),
    )
