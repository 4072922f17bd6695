"""The EV sessions' term: per slot and step a charge and a discharge power, the stored energy they
move (a sparse state equation), a soft departure target with a hard floor, and a second, bounded
shortfall for expected cars; wear per kWh moved and small quadratic terms on the powers.

Efficiencies are constants of the structure: a parameter multiplied with a variable (n x steps) took
7.6 s and 2.9 GB to compile at 100 x 192 instead of 0.15 s and 150 MB; the fill rule maps each
car's own efficiency into the energy bounds instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .model import FloatArray
from .optimizer_config import OptimizerConfig
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .qp_term import CvxpyModel, FillContext, Parameter, SparseData, SparseModel, put
from .windows import SessionWindow

CHARGE_MAX = Parameter("ev_charge_max_kw", per_slot=True, per_step=BlockLayout.mean)
DISCHARGE_MAX = Parameter("ev_discharge_max_kw", per_slot=True, per_step=BlockLayout.mean)
ENERGY_NOW = Parameter("ev_energy_now_kwh", per_slot=True)
ENERGY_MIN = Parameter("ev_energy_min_kwh", per_slot=True, per_step=BlockLayout.last)
ENERGY_MAX = Parameter("ev_energy_max_kwh", per_slot=True, per_step=BlockLayout.last)
REQUIRED = Parameter("ev_required_kwh", per_slot=True)
HARD_FLOOR = Parameter("ev_hard_floor_kwh", per_slot=True)
SHORTFALL_PRICE = Parameter("ev_shortfall_price", per_slot=True)
OPTIONAL = Parameter("ev_optional_kwh", per_slot=True)
OPTIONAL_PRICE = Parameter("ev_optional_price", per_slot=True)
WEAR_PRICE = Parameter("ev_wear_price")

POWER = "ev_power_kw"  # every slot's charge, then every slot's discharge
CHARGE = "ev_charge_kw"
DISCHARGE = "ev_discharge_kw"
ENERGY = "ev_energy_kwh"
SHORTFALL = "ev_shortfall_kwh"
OPTIONAL_SHORTFALL = "ev_optional_shortfall_kwh"
THROUGHPUT = "ev_throughput_kwh"
DYNAMICS_ROWS = "ev_dynamics"
TARGET_ROWS = "ev_target"

# A row bound that never binds; finite, because PIQP warns on stdout about rows free on both sides.
_FREE_ROW = 1e5


def to_model_energy(window: SessionWindow, energy_kwh: float, config: OptimizerConfig) -> float:
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


class EvTerm:
    """EV sessions, one per slot; unused slots keep zero bounds."""

    name = "EV sessions"
    parameters: tuple[Parameter, ...] = (
        CHARGE_MAX,
        DISCHARGE_MAX,
        ENERGY_NOW,
        ENERGY_MIN,
        ENERGY_MAX,
        REQUIRED,
        HARD_FLOOR,
        SHORTFALL_PRICE,
        OPTIONAL,
        OPTIONAL_PRICE,
        WEAR_PRICE,
    )
    outputs: tuple[str, ...] = (CHARGE, DISCHARGE)

    def applies(self, structure: QpStructure) -> bool:
        return True

    def fill(self, context: FillContext) -> dict[Parameter, ArrayLike]:
        config = context.config
        n, steps = context.structure.ev_slots, context.snapshot.grid.steps
        per_step = {p: np.zeros((n, steps)) for p in (CHARGE_MAX, DISCHARGE_MAX, ENERGY_MIN, ENERGY_MAX)}
        per_slot = {p: np.zeros(n) for p in (ENERGY_NOW, REQUIRED, HARD_FLOOR, OPTIONAL, OPTIONAL_PRICE)}
        shortfall_price = config.shortfall_penalty_factor * context.base_penalty
        prices = np.full(n, shortfall_price)
        for slot, window in enumerate(context.windows):
            session = window.session
            per_step[CHARGE_MAX][slot] = window.charge_max_kw
            per_step[DISCHARGE_MAX][slot] = window.discharge_max_kw
            per_step[ENERGY_MIN][slot] = to_model_energy(window, window.energy_min_kwh, config)
            per_step[ENERGY_MAX][slot] = to_model_energy(window, window.energy_max_kwh, config)
            per_slot[ENERGY_NOW][slot] = session.energy_kwh
            per_slot[REQUIRED][slot] = to_model_energy(window, window.required_energy_kwh, config)
            per_slot[HARD_FLOOR][slot] = to_model_energy(window, window.hard_floor_kwh, config)
            if session.shortfall_price_eur_per_kwh is not None:
                prices[slot] = _clamped(session.shortfall_price_eur_per_kwh, shortfall_price)
            else:
                prices[slot] = need_weighted_price(window, shortfall_price, config)
            if session.optional_kwh > 0.0:
                per_slot[OPTIONAL][slot] = (
                    to_model_energy(window, session.energy_kwh + session.optional_kwh, config)
                    - session.energy_kwh
                )
                per_slot[OPTIONAL_PRICE][slot] = _clamped(session.optional_price_eur_per_kwh, shortfall_price)
        return {**per_step, **per_slot, SHORTFALL_PRICE: prices, WEAR_PRICE: config.ev_wear_eur_per_kwh}

    def cvxpy_part(self, model: CvxpyModel) -> None:
        from .qp_matrices import ev_quadratic

        cp, structure, dt = model.cp, model.structure, model.dt
        n, steps = structure.ev_slots, len(dt)
        weights = structure.weights
        # Charge and discharge of every slot live in ONE vector variable whose quadratic terms are a
        # single constant quad_form: cvxpy hands a variable's quad_form to the solver as is, while
        # sum_squares of an expression (scaled powers, step differences) adds an auxiliary variable
        # and an equality per element, which doubled the problem Clarabel factorises every iteration.
        cells = n * steps
        power = model.variable(POWER, 2 * cells)
        charge = cp.reshape(power[:cells], (n, steps), order="C")
        discharge = cp.reshape(power[cells:], (n, steps), order="C")
        model.expose(CHARGE, charge)
        model.expose(DISCHARGE, discharge)
        energy = model.variable(ENERGY, n, steps + 1)
        shortfall = model.variable(SHORTFALL, n)
        optional_shortfall = model.variable(OPTIONAL_SHORTFALL, n)
        # One scalar carries all EV wear: a per-EV cost vector in the objective makes cvxpy build a
        # dense (variables x parameters) map that runs into gigabytes at hub scale.
        throughput = model.variable(THROUGHPUT)
        model.constrain(
            charge >= 0,
            charge <= model.parameter(CHARGE_MAX),
            discharge >= 0,
            discharge <= model.parameter(DISCHARGE_MAX),
            energy[:, 0] == model.parameter(ENERGY_NOW),
            energy[:, 1:]
            == energy[:, :-1]
            + cp.multiply(
                np.tile(dt, (n, 1)),
                structure.ev_charge_efficiency * charge - discharge / structure.ev_discharge_efficiency,
            ),
            energy[:, 1:] >= model.parameter(ENERGY_MIN),
            energy[:, 1:] <= model.parameter(ENERGY_MAX),
            energy[:, steps] + shortfall + optional_shortfall >= model.parameter(REQUIRED),
            energy[:, steps] >= model.parameter(HARD_FLOOR),
            shortfall >= 0,
            optional_shortfall >= 0,
            optional_shortfall <= model.parameter(OPTIONAL),
            throughput == cp.sum((charge + discharge) @ dt),
        )
        model.draw(cp.sum(charge - discharge, axis=0))
        model.cost(
            model.parameter(WEAR_PRICE) * throughput
            + model.parameter(SHORTFALL_PRICE) @ shortfall
            + model.parameter(OPTIONAL_PRICE) @ optional_shortfall
            + cp.quad_form(
                power,
                ev_quadratic(n, dt, weights.power_eur_per_kw2h, weights.smoothness_eur_per_kw2),
                assume_PSD=True,
            )
        )

    def sparse_variables(self, structure: QpStructure) -> list[tuple[str, int]]:
        # The stored energy at step 0 is the known present energy, moved into b: steps, not steps + 1.
        n, steps = structure.ev_slots, len(structure.block_hours)
        return [(POWER, 2 * n * steps), (ENERGY, n * steps), (SHORTFALL, n), (OPTIONAL_SHORTFALL, n)]

    def sparse_part(self, model: SparseModel) -> None:
        from scipy import sparse

        from .qp_matrices import accumulation, ev_quadratic

        structure, dt = model.structure, model.dt
        n, steps = structure.ev_slots, len(dt)
        eye_n = sparse.eye(n)
        into_ev = sparse.kron(eye_n, sparse.diags(dt))
        model.equality(
            DYNAMICS_ROWS,
            {
                ENERGY: sparse.kron(eye_n, accumulation(steps)),
                POWER: sparse.hstack(
                    [-structure.ev_charge_efficiency * into_ev, into_ev / structure.ev_discharge_efficiency]
                ),
            },
        )
        last_step = sparse.kron(eye_n, sparse.csr_matrix(([1.0], ([0], [steps - 1])), shape=(1, steps)))
        model.inequality(TARGET_ROWS, {ENERGY: last_step, SHORTFALL: eye_n, OPTIONAL_SHORTFALL: eye_n})
        weights = structure.weights
        model.quadratic(
            POWER, 2.0 * ev_quadratic(n, dt, weights.power_eur_per_kw2h, weights.smoothness_eur_per_kw2)
        )
        per_step_sum = sparse.kron(np.ones((1, n)), sparse.eye(steps))
        model.draw({POWER: sparse.hstack([per_step_sum, -per_step_sum])})

    def sparse_data(self, data: SparseData, values: Mapping[str, Any]) -> None:
        col, dt = data.columns, data.dt
        n, steps = data.structure.ev_slots, len(dt)
        power = col[POWER]
        cells = n * steps
        put(data.x_u, slice(power.start, power.start + cells), CHARGE_MAX.of(values))
        put(data.x_u, slice(power.start + cells, power.stop), DISCHARGE_MAX.of(values))
        # Wear is priced per kW here, not through cvxpy's scalar throughput variable.
        put(data.c, power, float(WEAR_PRICE.of(values)) * np.tile(dt, 2 * n))
        hard_floor = HARD_FLOOR.of(values)
        energy_low = ENERGY_MIN.of(values).copy()
        energy_low[:, -1] = np.maximum(energy_low[:, -1], hard_floor)
        put(data.x_l, col[ENERGY], energy_low)
        put(data.x_u, col[ENERGY], ENERGY_MAX.of(values))
        dynamics = np.zeros((n, steps))
        dynamics[:, 0] = ENERGY_NOW.of(values)
        put(data.b, data.equality_rows[DYNAMICS_ROWS], dynamics)
        # Where the hard floor already asks for the target, the soft target row is redundant; PIQP
        # declared such sites infeasible (two bounds active on the same energy), so it is left free.
        required = REQUIRED.of(values)
        free = np.where(hard_floor >= required, -_FREE_ROW, required)
        put(data.h_l, data.inequality_rows[TARGET_ROWS], free)
        put(data.c, col[SHORTFALL], SHORTFALL_PRICE.of(values))
        put(data.c, col[OPTIONAL_SHORTFALL], OPTIONAL_PRICE.of(values))
        put(data.x_u, col[OPTIONAL_SHORTFALL], OPTIONAL.of(values))

    def sparse_solution(
        self, structure: QpStructure, columns: Mapping[str, slice], x: FloatArray
    ) -> dict[str, FloatArray]:
        n, steps = structure.ev_slots, len(structure.block_hours)
        power = x[columns[POWER]]
        return {CHARGE: power[: n * steps].reshape(n, steps), DISCHARGE: power[n * steps :].reshape(n, steps)}
