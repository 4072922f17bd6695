"""Tuning of the optimizer: solver, penalties, weights of the quadratic terms and the QP's step layout."""

from __future__ import annotations

from dataclasses import dataclass, field

from .battery_health import DEFAULT_CELL_MODEL, wear_cost_eur_per_kwh
from .qp_structure import QpWeights


@dataclass(frozen=True, slots=True)
class OptimizerConfig:
    """Tuning of the optimizer; ``solver`` is "CLARABEL" or "OSQP".

    OSQP (first-order) needs thousands of iterations on this nearly linear problem at 1e-3 and
    stops kWh away from the optimum at 1e-2; the interior-point Clarabel is exact and predictable,
    so it is the default and OSQP the second choice."""

    solver: str = "CLARABEL"
    min_ev_slots: int = 4
    slot_block: int = 4
    shortfall_penalty_factor: float = 10.0
    overrun_penalty_factor: float = 20.0
    # A car that needs less pays more per missing kWh (``qp_term_ev.need_weighted_price``), so
    # that when power is short few cars go short. The dearest car must stay below the overrun
    # penalty: the grid limit is never planned away for a target. On S5 (BENCHMARKS.md, built-in
    # engine) a bonus of 0.25 served 117 of 125 sessions, 0.5 served 120 (scale 5 kWh: 119, 20: 120).
    shortfall_small_need_bonus: float = 0.5
    shortfall_need_scale_kwh: float = 10.0
    min_penalty_eur_per_kwh: float = 0.5
    ev_wear_eur_per_kwh: float = field(default_factory=lambda: wear_cost_eur_per_kwh(DEFAULT_CELL_MODEL))
    battery_wear_eur_per_kwh: float = field(default_factory=lambda: wear_cost_eur_per_kwh(DEFAULT_CELL_MODEL))
    ev_model_charge_efficiency: float = 0.95
    ev_model_discharge_efficiency: float = 0.95
    power_weight_eur_per_kw2h: float = 2e-4
    smoothness_weight_eur_per_kw2: float = 5e-4
    # The quadratic on grid import flattens the load, at a price: it adds 2 x weight x import per
    # kWh, 1.5 ct at 25 kW with 3e-4. On the week replays with exact forecasts (BENCHMARKS.md) the
    # S1 cost gap to the same-end LP grows with the weight (1e-4: +1.6 %, 2e-4: +1.8 %, 3e-4: +1.9 %,
    # 4e-4: +2.0 %, 5e-4: +2.3 %), while below 3e-4 the S2 peak gap leaves 5 % (5.4 % and 5.5 %).
    grid_weight_eur_per_kw2h: float = 3e-4
    fine_steps: int = 16
    coarse_factor: int = 4
    # Above this many (EV slot x QP step) cells the tail's blocks double until the problem fits.
    # Clarabel's time grows with the cells: at 100 slots x 192 steps, tail blocks of 1 h (6,000
    # cells) took 1.1-1.4 s per tick, of 2 h 0.6-0.9 s, of 4 h (2,700 cells) 0.3-0.45 s. A 12-charger
    # hub on a 96-step plan (432 cells) keeps 1 h blocks.
    max_block_cells: int = 3000
    osqp_eps_abs: float = 1e-3
    osqp_eps_rel: float = 1e-3
    osqp_polishing: bool = False
    max_iter: int = 20000
    piqp_max_iter: int = 80
    time_limit_s: float = 10.0

    def __post_init__(self) -> None:
        dearest_car = self.shortfall_penalty_factor * (1.0 + self.shortfall_small_need_bonus)
        if self.shortfall_small_need_bonus < 0.0 or dearest_car >= self.overrun_penalty_factor:
            raise ValueError("a car's shortfall price must stay below the overrun penalty")
        if self.shortfall_need_scale_kwh <= 0.0:
            raise ValueError("shortfall_need_scale_kwh must be positive")

    def weights(self) -> QpWeights:
        return QpWeights(
            self.power_weight_eur_per_kw2h,
            self.smoothness_weight_eur_per_kw2,
            self.grid_weight_eur_per_kw2h,
        )
