"""Model-predictive optimizer: turns a snapshot into the QP's values, lets an engine solve them, and
returns a ``Plan``.

Engines are imported lazily, so importing this module needs neither cvxpy nor PIQP.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
import math
import time
from typing import Any

import numpy as np

from .engine import (
    DEFAULT_SOLVERS,
    ENGINE_CVXPY,
    EngineResult,
    OptimizerError,
    QpEngine,
    engine_label,
    make_engine,
)
from .model import FloatArray, Plan, SiteSnapshot, SolverDiagnostics
from .optimizer_config import OptimizerConfig
from .plan_assembly import assemble_plan
from .qp_blocks import BlockLayout, block_count, block_layout
from .qp_parameters import parameter_values
from .qp_structure import QpStructure
from .qp_term import QpValues
from .qp_term_battery import CHARGE as BATTERY_CHARGE, DISCHARGE as BATTERY_DISCHARGE
from .qp_term_curtailment import CURTAILMENT
from .qp_term_ev import CHARGE as EV_CHARGE, DISCHARGE as EV_DISCHARGE
from .windows import SessionWindow, base_evse_power, session_windows

__all__ = ["Optimizer", "OptimizerConfig", "OptimizerError"]


@dataclass(frozen=True, slots=True)
class QpProblem:
    """One snapshot's QP: what every engine solves, and what turns its solution into a plan."""

    structure: QpStructure
    windows: list[SessionWindow]
    layout: BlockLayout
    values: QpValues


class Optimizer:
    """Keeps one engine with its built QP and re-solves it; rebuilds only when the structure changes."""

    def __init__(
        self, config: OptimizerConfig | None = None, solver: str | None = None, engine: str = ENGINE_CVXPY
    ) -> None:
        self.config = config or OptimizerConfig()
        default = self.config.solver if engine == ENGINE_CVXPY else DEFAULT_SOLVERS[engine]
        self.solver = (solver or default).upper()
        self.engine_name = engine
        self._engine: QpEngine | None = None
        self._structure: QpStructure | None = None

    @property
    def label(self) -> str:
        """What the plans of this optimizer say they were made with ("cvxpy / Clarabel")."""
        return engine_label(self.engine_name, self.solver)

    @property
    def structure(self) -> QpStructure | None:
        """The structure of the last solve."""
        return self._structure

    @property
    def builds(self) -> int:
        return self._engine.builds if self._engine is not None else 0

    def engine(self) -> QpEngine:
        """The engine, created on first use; ``ImportError`` when its packages are missing."""
        if self._engine is None:
            self._engine = make_engine(self.engine_name, self.solver, self._solver_options())
        return self._engine

    def structure_for(self, snapshot: SiteSnapshot) -> QpStructure:
        config = self.config
        chargers = sum(evse.controllable for evse in snapshot.evses)
        needed = max(len(session_windows(snapshot)), chargers)
        slots = max(config.min_ev_slots, math.ceil(needed / config.slot_block) * config.slot_block)
        structure = self._structure_with(snapshot, slots)
        # Keep a larger problem while it fits: unused slots are padded, a rebuild is not free.
        if self._structure is not None and self._structure.ev_slots > slots:
            kept = self._structure_with(snapshot, self._structure.ev_slots)
            if kept == self._structure:
                return kept
        return structure

    def _structure_with(self, snapshot: SiteSnapshot, slots: int) -> QpStructure:
        config = self.config
        battery = snapshot.battery
        return QpStructure(
            ev_slots=slots,
            block_hours=self.layout_for(snapshot, slots).block_hours,
            has_battery=battery is not None,
            pv_curtailable=snapshot.pv_curtailable,
            has_commitments=bool(snapshot.commitments),
            solver=self.solver,
            weights=config.weights(),
            ev_charge_efficiency=config.ev_model_charge_efficiency,
            ev_discharge_efficiency=config.ev_model_discharge_efficiency,
            battery_efficiency=battery.efficiency if battery is not None else 1.0,
        )

    def layout_for(self, snapshot: SiteSnapshot, slots: int | None = None) -> BlockLayout:
        """QP steps for ``snapshot`` with ``slots`` EV slots (by default those of its structure)."""
        config = self.config
        grid = snapshot.grid
        if slots is None:
            slots = self.structure_for(snapshot).ev_slots
        factor = max(1, config.coarse_factor)
        while factor < grid.steps and slots * block_count(grid.steps, config.fine_steps, factor) > max(
            1, config.max_block_cells
        ):
            factor *= 2
        return block_layout(grid.steps, grid.step_hours, config.fine_steps, factor)

    def solve(self, snapshot: SiteSnapshot) -> Plan:
        """Optimal plan for ``snapshot``; raises ``OptimizerError`` when the solver fails."""
        started = time.perf_counter()
        engine = self.engine()
        problem = self.problem(snapshot)
        result = engine.solve(problem.structure, problem.values)
        self._structure = problem.structure
        plan = _plan_from_solution(result, problem, snapshot)
        diagnostics = SolverDiagnostics(
            backend=self.label,
            status=result.status,
            solve_time_s=time.perf_counter() - started,
            fallback_used=False,
        )
        return replace(plan, diagnostics=diagnostics)

    def problem(self, snapshot: SiteSnapshot) -> QpProblem:
        """The QP ``snapshot`` poses: its structure and the values of its parameters."""
        structure = self.structure_for(snapshot)
        windows = session_windows(snapshot)
        layout = self.layout_for(snapshot, structure.ev_slots)
        values = parameter_values(structure, snapshot, windows, self.config, layout)
        return QpProblem(structure, windows, layout, values)

    def _solver_options(self) -> dict[str, Any]:
        config = self.config
        if self.solver == "OSQP":
            return {
                "eps_abs": config.osqp_eps_abs,
                "eps_rel": config.osqp_eps_rel,
                "max_iter": config.max_iter,
                "time_limit": config.time_limit_s,
                "polishing": config.osqp_polishing,
            }
        if self.solver == "CLARABEL":
            return {"max_iter": min(config.max_iter, 200), "time_limit": config.time_limit_s}
        if self.solver == "PIQP":
            return {"max_iter": config.piqp_max_iter}
        return {}


def _solution(result: EngineResult, name: str, shape: tuple[int, ...]) -> FloatArray:
    value = result.variables.get(name)
    if value is None:
        return np.zeros(shape)
    if not np.all(np.isfinite(value)):
        raise OptimizerError(f"no usable value for {name}")
    return np.asarray(value, dtype=np.float64)


def _plan_from_solution(result: EngineResult, problem: QpProblem, snapshot: SiteSnapshot) -> Plan:
    steps = snapshot.grid.steps
    layout, windows = problem.layout, problem.windows
    blocks = len(layout.lengths)
    n = problem.structure.ev_slots
    charge = _solution(result, EV_CHARGE, (n, blocks))
    discharge = _solution(result, EV_DISCHARGE, (n, blocks))
    evse_power = base_evse_power(snapshot)
    for slot, window in enumerate(windows):
        net = layout.spread(charge[slot], window.charge_max_kw) - layout.spread(
            discharge[slot], window.discharge_max_kw
        )
        net = np.clip(net, -window.discharge_max_kw, window.charge_max_kw)
        evse_power[window.evse.evse_id] = evse_power[window.evse.evse_id] + _denoise(net)
    battery_power: FloatArray = np.zeros(steps)
    if snapshot.battery is not None:
        battery = snapshot.battery
        battery_power = _denoise(
            np.clip(
                layout.repeat(
                    _solution(result, BATTERY_CHARGE, (blocks,))
                    - _solution(result, BATTERY_DISCHARGE, (blocks,))
                ),
                -battery.max_discharge_kw,
                battery.max_charge_kw,
            )
        )
    curtailment = _denoise(
        np.clip(
            layout.repeat(_solution(result, CURTAILMENT, (blocks,))),
            0.0,
            snapshot.forecasts.pv_kw,
        )
    )
    return assemble_plan(snapshot, evse_power, battery_power, curtailment)


def _denoise(values: FloatArray) -> FloatArray:
    """Solver noise below 10 W is not a setpoint."""
    return np.where(np.abs(values) < 1e-2, 0.0, values)
