"""What shapes the hub's QP: the cache key of both engines and the weights of its quadratic terms."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QpWeights:
    """Constant weights of the quadratic terms (part of the structure: changing them rebuilds)."""

    power_eur_per_kw2h: float = 2e-4
    smoothness_eur_per_kw2: float = 5e-4
    grid_eur_per_kw2h: float = 3e-4


@dataclass(frozen=True, slots=True)
class QpStructure:
    """Every input that changes the shape of the problem; the optimizer's cache key."""

    ev_slots: int
    block_hours: tuple[float, ...]  # duration of every QP step (fine near now, coarser later)
    has_battery: bool
    pv_curtailable: bool
    has_commitments: bool
    solver: str
    weights: QpWeights
    ev_charge_efficiency: float = 0.95
    ev_discharge_efficiency: float = 0.95
    battery_efficiency: float = 0.95
