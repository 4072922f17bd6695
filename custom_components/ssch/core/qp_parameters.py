"""Snapshot -> values of the QP's parameters (per QP step, in the QP's energy units)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .model import FloatArray, SiteSnapshot
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .windows import SessionWindow, base_evse_power

if TYPE_CHECKING:
    from .optimizer import OptimizerConfig

QpValues = dict[str, Any]

_UNBOUNDED_KW = 1e5


def _to_model_energy(window: SessionWindow, energy_kwh: float, config: OptimizerConfig) -> float:
    """Map a real stored energy into the QP's units: the QP charges every car with the hub's model
    efficiency, so the energy a car still needs is scaled by its own efficiency (exact while it only
    charges; discharging uses the same scale)."""
    ratio = window.session.charge_efficiency / config.ev_model_charge_efficiency
    return window.session.energy_kwh + (energy_kwh - window.session.energy_kwh) / ratio


def _clamped(price: float, penalty: float) -> float:
    """A session's own price for a missing kWh: never a reward, never above the hub's penalty."""
    return min(max(price, 0.0), penalty)


def need_weighted_price(window: SessionWindow, price: float, config: OptimizerConfig) -> float:
    """The hub's price per missing kWh for a car without a price of its own, higher the less the car
    still needs: up to ``1 + shortfall_small_need_bonus`` times ``price``, half that bonus at
    ``shortfall_need_scale_kwh``.

    A car counts as ready or not, whatever it missed by. With one price for every car the plan is
    indifferent to who goes short when power is short and spreads the shortfall over many cars; a
    higher price for the cars that need less gives the kWh to the cars they finish."""
    need = max(0.0, window.required_energy_kwh - window.session.energy_kwh)
    scale = config.shortfall_need_scale_kwh
    return price * (1.0 + config.shortfall_small_need_bonus * scale / (scale + need))


# How a per-step parameter becomes a per-block one: averages for powers and prices, the tightest
# value for limits, the end of the block for energy bounds.
_BLOCK_AGGREGATION = {
    "ev_charge_max_kw": "mean",
    "ev_discharge_max_kw": "mean",
    "ev_energy_min_kwh": "last",
    "ev_energy_max_kwh": "last",
    "net_load_kw": "mean",
    "pv_kw": "mean",
    "import_price": "mean",
    "export_price": "mean",
    "import_limit_kw": "minimum",
    "export_limit_kw": "minimum",
    "battery_charge_max_kw": "mean",
    "battery_discharge_max_kw": "mean",
    "commitment_net_max_kw": "minimum",
    "commitment_net_min_kw": "maximum",
    "commitment_price": "maximum",
}


def parameter_values(
    structure: QpStructure,
    snapshot: SiteSnapshot,
    windows: list[SessionWindow],
    config: OptimizerConfig,
    layout: BlockLayout,
) -> QpValues:
    """The value of every parameter of ``structure``'s QP, per QP step: the one input of both engines."""
    grid, prices = snapshot.grid, snapshot.prices
    n, steps = structure.ev_slots, grid.steps
    values: dict[str, Any] = {
        "ev_charge_max_kw": np.zeros((n, steps)),
        "ev_discharge_max_kw": np.zeros((n, steps)),
        "ev_energy_now_kwh": np.zeros(n),
        "ev_energy_min_kwh": np.zeros((n, steps)),
        "ev_energy_max_kwh": np.zeros((n, steps)),
        "ev_required_kwh": np.zeros(n),
        "ev_hard_floor_kwh": np.zeros(n),
        "ev_shortfall_price": np.zeros(n),
        "ev_optional_kwh": np.zeros(n),
        "ev_optional_price": np.zeros(n),
    }
    import_price = np.asarray(prices.import_eur_per_kwh)
    # Exporting never pays more than importing costs: no gain from importing and exporting at once.
    export_price = np.minimum(prices.export_eur_per_kwh, import_price)
    highest_price = float(np.max(np.abs(np.concatenate((import_price, export_price)))))
    base_penalty = max(config.min_penalty_eur_per_kwh, highest_price)
    shortfall_price = config.shortfall_penalty_factor * base_penalty
    values["ev_shortfall_price"][:] = shortfall_price
    for slot, window in enumerate(windows):
        values["ev_charge_max_kw"][slot] = window.charge_max_kw
        values["ev_discharge_max_kw"][slot] = window.discharge_max_kw
        values["ev_energy_now_kwh"][slot] = window.session.energy_kwh
        values["ev_energy_min_kwh"][slot] = _to_model_energy(window, window.energy_min_kwh, config)
        values["ev_energy_max_kwh"][slot] = _to_model_energy(window, window.energy_max_kwh, config)
        values["ev_required_kwh"][slot] = _to_model_energy(window, window.required_energy_kwh, config)
        values["ev_hard_floor_kwh"][slot] = _to_model_energy(window, window.hard_floor_kwh, config)
        session = window.session
        if session.shortfall_price_eur_per_kwh is not None:
            values["ev_shortfall_price"][slot] = _clamped(
                session.shortfall_price_eur_per_kwh, shortfall_price
            )
        else:
            values["ev_shortfall_price"][slot] = need_weighted_price(window, shortfall_price, config)
        if session.optional_kwh > 0.0:
            values["ev_optional_kwh"][slot] = (
                _to_model_energy(window, session.energy_kwh + session.optional_kwh, config)
                - session.energy_kwh
            )
            values["ev_optional_price"][slot] = _clamped(session.optional_price_eur_per_kwh, shortfall_price)

    fixed_load = np.zeros(steps)
    for power in base_evse_power(snapshot).values():
        fixed_load += power
    values |= {
        "net_load_kw": snapshot.forecasts.building_kw - snapshot.forecasts.pv_kw + fixed_load,
        "import_limit_kw": snapshot.limits.import_limit_kw,
        "export_limit_kw": snapshot.limits.export_limit_kw,
        "import_price": import_price,
        "export_price": export_price,
        "peak_price": prices.peak_eur_per_kw,
        "peak_already_kw": prices.peak_already_kw,
        "ev_wear_price": config.ev_wear_eur_per_kwh,
        "overrun_price": config.overrun_penalty_factor * base_penalty,
    }
    if structure.pv_curtailable:
        values["pv_kw"] = snapshot.forecasts.pv_kw
    battery = snapshot.battery
    if battery is not None:
        values |= {
            "battery_charge_max_kw": np.full(steps, battery.max_charge_kw),
            "battery_discharge_max_kw": np.full(steps, battery.max_discharge_kw),
            "battery_energy_now_kwh": battery.energy_kwh,
            "battery_energy_min_kwh": min(battery.energy_min_kwh, battery.energy_kwh),
            "battery_energy_max_kwh": max(battery.energy_max_kwh, battery.energy_kwh),
            "battery_wear_price": config.battery_wear_eur_per_kwh,
            # Energy left at the end is worth what it would cost to buy back, so the battery is not
            # emptied at the horizon's end for a small spread.
            "battery_terminal_value": battery.efficiency * float(np.mean(import_price)),
        }
    if structure.has_commitments:
        values |= _commitment_values(snapshot, base_penalty)
    for name, how in _BLOCK_AGGREGATION.items():
        if name in values:
            values[name] = getattr(layout, how)(np.asarray(values[name], dtype=np.float64))
    return values


def _commitment_values(snapshot: SiteSnapshot, base_penalty: float) -> dict[str, FloatArray]:
    grid = snapshot.grid
    steps = grid.steps
    net_max = np.full(steps, _UNBOUNDED_KW)
    net_min = np.full(steps, -_UNBOUNDED_KW)
    price = np.zeros(steps)
    for commitment in snapshot.commitments:
        start = max(0, math.floor(grid.offset_steps(commitment.start)))
        end = min(steps, math.ceil(grid.offset_steps(commitment.end)))
        if start >= end:
            continue
        if commitment.requested_kw < 0:
            net_max[start:end] = np.minimum(net_max[start:end], commitment.target_net_kw)
        else:
            net_min[start:end] = np.maximum(net_min[start:end], commitment.target_net_kw)
        # A breach price above the grid overrun penalty would make breaking the fuse the cheaper way
        # to deliver; keep it at most at the target shortfall level.
        price[start:end] = np.maximum(
            price[start:end], min(commitment.breach_price_eur_per_kwh, 10.0 * base_penalty)
        )
    return {
        "commitment_net_max_kw": net_max,
        "commitment_net_min_kw": net_min,
        "commitment_price": price,
    }
