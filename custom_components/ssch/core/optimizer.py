"""Model-predictive optimizer: fills the cached QP with a snapshot, solves it, returns a ``Plan``.

cvxpy is imported lazily (inside ``Optimizer``), so importing this module never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import math
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .battery_health import DEFAULT_CELL_MODEL, wear_cost_eur_per_kwh
from .model import FloatArray, Plan, SiteSnapshot, SolverDiagnostics
from .plan_assembly import assemble_plan
from .windows import SessionWindow, base_evse_power, session_windows

if TYPE_CHECKING:
    from .qp_problem import HubQp, QpStructure, QpWeights

_UNBOUNDED_KW = 1e5
_SOLVED = ("optimal", "optimal_inaccurate")


class OptimizerError(RuntimeError):
    """The solver did not return a usable solution."""


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
    min_penalty_eur_per_kwh: float = 0.5
    ev_wear_eur_per_kwh: float = field(default_factory=lambda: wear_cost_eur_per_kwh(DEFAULT_CELL_MODEL))
    battery_wear_eur_per_kwh: float = field(default_factory=lambda: wear_cost_eur_per_kwh(DEFAULT_CELL_MODEL))
    ev_model_charge_efficiency: float = 0.95
    ev_model_discharge_efficiency: float = 0.95
    power_weight_eur_per_kw2h: float = 2e-4
    smoothness_weight_eur_per_kw2: float = 5e-4
    grid_weight_eur_per_kw2h: float = 1e-4
    osqp_eps_abs: float = 1e-3
    osqp_eps_rel: float = 1e-3
    osqp_polishing: bool = False
    max_iter: int = 20000
    time_limit_s: float = 10.0

    def weights(self) -> QpWeights:
        from .qp_problem import QpWeights

        return QpWeights(
            self.power_weight_eur_per_kw2h,
            self.smoothness_weight_eur_per_kw2,
            self.grid_weight_eur_per_kw2h,
        )


class Optimizer:
    """Keeps one compiled QP and re-solves it; rebuilds only when the structure changes."""

    def __init__(self, config: OptimizerConfig | None = None, solver: str | None = None) -> None:
        self.config = config or OptimizerConfig()
        self.solver = (solver or self.config.solver).upper()
        self.builds = 0
        self._qp: HubQp | None = None

    def structure_for(self, snapshot: SiteSnapshot) -> QpStructure:
        from .qp_problem import QpStructure

        config = self.config
        sessions = len(session_windows(snapshot))
        slots = max(config.min_ev_slots, math.ceil(sessions / config.slot_block) * config.slot_block)
        battery = snapshot.battery
        return QpStructure(
            ev_slots=slots,
            steps=snapshot.grid.steps,
            step_minutes=snapshot.grid.step_minutes,
            has_battery=battery is not None,
            pv_curtailable=snapshot.pv_curtailable,
            has_commitments=bool(snapshot.commitments),
            solver=self.solver,
            weights=config.weights(),
            ev_charge_efficiency=config.ev_model_charge_efficiency,
            ev_discharge_efficiency=config.ev_model_discharge_efficiency,
            battery_efficiency=battery.efficiency if battery is not None else 1.0,
        )

    def _problem_for(self, snapshot: SiteSnapshot) -> HubQp:
        from .qp_problem import HubQp

        structure = self.structure_for(snapshot)
        if self._qp is None or self._qp.structure != structure:
            self._qp = HubQp(structure)
            self.builds += 1
        return self._qp

    def solve(self, snapshot: SiteSnapshot) -> Plan:
        """Optimal plan for ``snapshot``; raises ``OptimizerError`` when the solver fails."""
        started = time.perf_counter()
        qp = self._problem_for(snapshot)
        windows = session_windows(snapshot)
        _fill_parameters(qp, snapshot, windows, self.config)
        try:
            qp.problem.solve(solver=self.solver, warm_start=True, **self._solver_options())
        except Exception as err:  # any solver failure is handled by the planner's fallback chain
            raise OptimizerError(f"{self.solver} failed: {err}") from err
        status = str(qp.problem.status)
        if status not in _SOLVED:
            raise OptimizerError(f"{self.solver} returned status {status}")
        plan = _plan_from_solution(qp, snapshot, windows)
        diagnostics = SolverDiagnostics(
            backend=self.solver,
            status=status,
            solve_time_s=time.perf_counter() - started,
            fallback_used=False,
        )
        return replace(plan, diagnostics=diagnostics)

    def _solver_options(self) -> dict[str, Any]:
        config = self.config
        if self.solver == "OSQP":
            return {
                "eps_abs": config.osqp_eps_abs,
                "eps_rel": config.osqp_eps_rel,
                "max_iter": config.max_iter,
                "time_limit": config.time_limit_s,
                "polishing": self.config.osqp_polishing,
            }
        if self.solver == "CLARABEL":
            return {"max_iter": min(config.max_iter, 200), "time_limit": config.time_limit_s}
        return {}


def _to_model_energy(window: SessionWindow, energy_kwh: float, config: OptimizerConfig) -> float:
    """Map a real stored energy into the QP's units: the QP charges every car with the hub's model
    efficiency, so the energy a car still needs is scaled by its own efficiency (exact while it only
    charges; discharging uses the same scale)."""
    ratio = window.session.charge_efficiency / config.ev_model_charge_efficiency
    return window.session.energy_kwh + (energy_kwh - window.session.energy_kwh) / ratio


def _fill_parameters(
    qp: HubQp, snapshot: SiteSnapshot, windows: list[SessionWindow], config: OptimizerConfig
) -> None:
    grid, prices, structure = snapshot.grid, snapshot.prices, qp.structure
    n, steps = structure.ev_slots, grid.steps
    values: dict[str, Any] = {
        "ev_charge_max_kw": np.zeros((n, steps)),
        "ev_discharge_max_kw": np.zeros((n, steps)),
        "ev_energy_now_kwh": np.zeros(n),
        "ev_energy_min_kwh": np.zeros((n, steps)),
        "ev_energy_max_kwh": np.zeros((n, steps)),
        "ev_required_kwh": np.zeros(n),
        "ev_hard_floor_kwh": np.zeros(n),
    }
    for slot, window in enumerate(windows):
        values["ev_charge_max_kw"][slot] = window.charge_max_kw
        values["ev_discharge_max_kw"][slot] = window.discharge_max_kw
        values["ev_energy_now_kwh"][slot] = window.session.energy_kwh
        values["ev_energy_min_kwh"][slot] = _to_model_energy(window, window.energy_min_kwh, config)
        values["ev_energy_max_kwh"][slot] = _to_model_energy(window, window.energy_max_kwh, config)
        values["ev_required_kwh"][slot] = _to_model_energy(window, window.required_energy_kwh, config)
        values["ev_hard_floor_kwh"][slot] = _to_model_energy(window, window.hard_floor_kwh, config)

    import_price = np.asarray(prices.import_eur_per_kwh)
    # Exporting never pays more than importing costs: no gain from importing and exporting at once.
    export_price = np.minimum(prices.export_eur_per_kwh, import_price)
    highest_price = float(np.max(np.abs(np.concatenate((import_price, export_price)))))
    base_penalty = max(config.min_penalty_eur_per_kwh, highest_price)
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
        "shortfall_price": config.shortfall_penalty_factor * base_penalty,
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
    for name, value in values.items():
        qp.params[name].value = value


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


def _solution(qp: HubQp, name: str, shape: tuple[int, ...]) -> FloatArray:
    if name not in qp.vars:
        return np.zeros(shape)
    value = qp.value(name)
    if value is None or not np.all(np.isfinite(value)):
        raise OptimizerError(f"no usable value for {name}")
    return np.asarray(value, dtype=np.float64)


def _plan_from_solution(qp: HubQp, snapshot: SiteSnapshot, windows: list[SessionWindow]) -> Plan:
    steps = snapshot.grid.steps
    n = qp.structure.ev_slots
    charge = _solution(qp, "ev_charge_kw", (n, steps))
    discharge = _solution(qp, "ev_discharge_kw", (n, steps))
    evse_power = base_evse_power(snapshot)
    for slot, window in enumerate(windows):
        net = np.clip(charge[slot] - discharge[slot], -window.discharge_max_kw, window.charge_max_kw)
        evse_power[window.evse.evse_id] = evse_power[window.evse.evse_id] + _denoise(net)
    battery_power: FloatArray = np.zeros(steps)
    if snapshot.battery is not None:
        battery = snapshot.battery
        battery_power = _denoise(
            np.clip(
                _solution(qp, "battery_charge_kw", (steps,))
                - _solution(qp, "battery_discharge_kw", (steps,)),
                -battery.max_discharge_kw,
                battery.max_charge_kw,
            )
        )
    curtailment = _denoise(
        np.clip(_solution(qp, "pv_curtailment_kw", (steps,)), 0.0, snapshot.forecasts.pv_kw)
    )
    return assemble_plan(snapshot, evse_power, battery_power, curtailment)


def _denoise(values: FloatArray) -> FloatArray:
    """Solver noise below 10 W is not a setpoint."""
    return np.where(np.abs(values) < 1e-2, 0.0, values)
