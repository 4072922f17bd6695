"""The planning chain that always returns a plan.

engine -> the other engine -> previous plan shifted (if it still fits the sessions present) ->
rule-based schedule. Engines load lazily: with the engine choice "auto" the cvxpy engine plans where
cvxpy installs and the built-in engine everywhere else, without counting that as a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import logging
import math
import time
from typing import Protocol

import numpy as np

from .engine import DEFAULT_SOLVERS, ENGINE_BUILTIN, ENGINE_CVXPY, ENGINES, OptimizerError
from .fallback import rule_based_plan
from .model import FloatArray, Plan, SiteSnapshot, SolverDiagnostics
from .optimizer import Optimizer
from .optimizer_config import OptimizerConfig
from .plan_assembly import assemble_plan
from .windows import base_evse_power, session_windows, uncontrolled_power

_LOGGER = logging.getLogger(__name__)

SHIFTED_BACKEND = "previous_plan"
UNCONTROLLED_BACKEND = "uncontrolled"
ENGINE_AUTO = "auto"
ENGINE_CHOICES = (ENGINE_AUTO, *ENGINES)


class PlanMaker(Protocol):
    """What the EMS plans with: a ``Planner`` here or in a child process (``plan_worker``)."""

    config: PlannerConfig

    def plan(self, snapshot: SiteSnapshot) -> Plan: ...

    def restore(self, plan: Plan) -> None: ...


@dataclass(frozen=True, slots=True)
class PlannerConfig:
    """``engine``: "auto" (cvxpy where it imports, else built-in), "cvxpy" or "built-in"; ``solver``
    is the first engine's solver (None: its default); ``fallback_engine`` adds the other engine."""

    engine: str = ENGINE_AUTO
    solver: str | None = None
    fallback_engine: bool = True
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)

    def __post_init__(self) -> None:
        if self.engine not in ENGINE_CHOICES:
            raise ValueError(f"engine must be one of {', '.join(ENGINE_CHOICES)}, not {self.engine!r}")

    def stages(self) -> tuple[tuple[str, str], ...]:
        """(engine, solver) of every solving stage, in order."""
        first = ENGINE_CVXPY if self.engine == ENGINE_AUTO else self.engine
        stages = [(first, (self.solver or DEFAULT_SOLVERS[first]).upper())]
        other = ENGINE_BUILTIN if first == ENGINE_CVXPY else ENGINE_CVXPY
        if self.fallback_engine or self.engine == ENGINE_AUTO:
            stages.append((other, DEFAULT_SOLVERS[other]))
        return tuple(stages)


class Planner:
    """Plans a snapshot; remembers the last plan for the shifted-plan fallback."""

    def __init__(self, config: PlannerConfig | None = None) -> None:
        self.config = config or PlannerConfig()
        self._optimizers: dict[tuple[str, str], Optimizer] = {}
        self._previous: Plan | None = None
        self._logged: set[str] = set()
        # Engines whose packages are missing here (found once, then skipped).
        self._unavailable: dict[str, str] = {}

    @property
    def previous_plan(self) -> Plan | None:
        return self._previous

    def restore(self, plan: Plan) -> None:
        """Seed the chain with a persisted plan (e.g. after a restart)."""
        self._previous = plan

    def optimizer(self, solver: str, engine: str = ENGINE_CVXPY) -> Optimizer:
        key = (engine, solver.upper())
        if key not in self._optimizers:
            self._optimizers[key] = Optimizer(self.config.optimizer, solver=key[1], engine=engine)
        return self._optimizers[key]

    def plan(self, snapshot: SiteSnapshot) -> Plan:
        started = time.perf_counter()
        reasons: list[str] = []
        plan = self._solve(snapshot, reasons)
        if plan is None:
            plan = shifted_plan(self._previous, snapshot)
            if plan is None:
                reasons.append("no previous plan fits the present sessions")
                plan = rule_based_plan(snapshot)
            diagnostics = SolverDiagnostics(
                backend=plan.diagnostics.backend,
                status=plan.diagnostics.status,
                solve_time_s=time.perf_counter() - started,
                fallback_used=True,
                reason="; ".join(reasons),
            )
            plan = _with_diagnostics(plan, diagnostics)
        self._previous = plan
        return plan

    def _solve(self, snapshot: SiteSnapshot, reasons: list[str]) -> Plan | None:
        """The first stage's plan; a later stage's plan is marked as a fallback (with the reasons)."""
        tried = 0
        for engine, solver in self.config.stages():
            if engine in self._unavailable:
                if self.config.engine != ENGINE_AUTO:
                    reasons.append(f"{engine} engine unavailable: {self._unavailable[engine]}")
                continue
            optimizer = self.optimizer(solver, engine)
            tried += 1
            try:
                plan = optimizer.solve(snapshot)
            except ImportError as err:
                self._engine_missing(engine, err, reasons)
                tried -= 1
                continue
            except OptimizerError as err:
                reasons.append(str(err))
                self._log_once(optimizer.label, "%s failed: %s", optimizer.label, err)
                continue
            except Exception as err:  # a plan must come out whatever goes wrong in a stage
                reasons.append(f"{optimizer.label} error: {err!r}")
                _LOGGER.exception("Unexpected error in the %s stage", optimizer.label)
                continue
            if tried == 1 and not reasons:
                return plan
            diagnostics = SolverDiagnostics(
                backend=plan.diagnostics.backend,
                status=plan.diagnostics.status,
                solve_time_s=plan.diagnostics.solve_time_s,
                fallback_used=True,
                reason="; ".join(reasons),
            )
            return _with_diagnostics(plan, diagnostics)
        if not tried:
            reasons.append(
                "optimizer unavailable: " + "; ".join(f"{k}: {v}" for k, v in self._unavailable.items())
            )
        return None

    def _engine_missing(self, engine: str, err: ImportError, reasons: list[str]) -> None:
        self._unavailable[engine] = str(err) or type(err).__name__
        if self.config.engine == ENGINE_AUTO:
            _LOGGER.info("The %s engine is not installed (%s); planning with the next engine", engine, err)
            return
        reasons.append(f"{engine} engine unavailable: {err}")
        self._log_once(engine, "The %s engine is unavailable (%s); using the next stage", engine, err)

    def _log_once(self, kind: str, message: str, *args: object) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            _LOGGER.warning(message, *args)


def _with_diagnostics(plan: Plan, diagnostics: SolverDiagnostics) -> Plan:
    return replace(plan, diagnostics=diagnostics)


def shifted_plan(previous: Plan | None, snapshot: SiteSnapshot) -> Plan | None:
    """The previous plan moved to ``snapshot.now`` and clipped to the present sessions' bounds, or
    None when it no longer fits (other step size, too old, or a session it did not know)."""
    if previous is None or previous.grid.step_minutes != snapshot.grid.step_minutes:
        return None
    offset = snapshot.grid.offset_steps(previous.grid.start)
    k = math.floor(-offset + 1e-6)
    if k < 0 or k >= previous.grid.steps:
        return None
    windows = session_windows(snapshot)
    known = previous.session_outcomes
    if any(w.session.session_id not in known for w in windows if w.session.plugged_in):
        return None
    moved = previous.shifted(k)
    steps = snapshot.grid.steps

    def fit(values: FloatArray) -> FloatArray:
        out = np.zeros(steps)
        size = min(steps, values.size)
        out[:size] = values[:size]
        return out

    evse_power = base_evse_power(snapshot)
    for evse in snapshot.evses:
        if not evse.controllable or evse.evse_id not in moved.evse_power_kw:
            continue
        high = np.zeros(steps)
        low = np.zeros(steps)
        for window in windows:
            if window.evse.evse_id == evse.evse_id:
                high += window.charge_max_kw
                low -= window.discharge_max_kw
        evse_power[evse.evse_id] = np.clip(fit(moved.evse_power_kw[evse.evse_id]), low, high)
    battery_power: FloatArray = np.zeros(steps)
    if snapshot.battery is not None:
        battery_power = _battery_within_bounds(snapshot, fit(moved.battery_power_kw))
    curtailment = np.minimum(fit(moved.pv_curtailment_kw), snapshot.forecasts.pv_kw)
    if not snapshot.pv_curtailable:
        curtailment = np.zeros(steps)
    diagnostics = SolverDiagnostics(SHIFTED_BACKEND, f"shifted by {k} steps", 0.0, fallback_used=True)
    return assemble_plan(snapshot, evse_power, battery_power, curtailment, diagnostics)


def _battery_within_bounds(snapshot: SiteSnapshot, power: FloatArray) -> FloatArray:
    """Clip a battery schedule so its SoC stays inside the bounds from the present energy on."""
    battery = snapshot.battery
    assert battery is not None
    dt = snapshot.grid.step_hours
    out = np.clip(power, -battery.max_discharge_kw, battery.max_charge_kw)
    energy = battery.energy_kwh
    energy_min = min(battery.energy_min_kwh, energy)
    energy_max = max(battery.energy_max_kwh, energy)
    for k, value in enumerate(out):
        if value > 0.0:
            out[k] = min(value, (energy_max - energy) / (battery.efficiency * dt))
        else:
            out[k] = max(value, -(energy - energy_min) * battery.efficiency / dt)
        stored = out[k] * battery.efficiency if out[k] > 0.0 else out[k] / battery.efficiency
        energy += stored * dt
    return out


def uncontrolled_plan(snapshot: SiteSnapshot) -> Plan:
    """Baseline for KPIs: every car charges at full power from arrival until its target (or full),
    the stationary battery stays idle, PV is never curtailed, grid limits are ignored."""
    evse_power = base_evse_power(snapshot)
    dt = snapshot.grid.step_hours
    for window in session_windows(snapshot):
        evse_power[window.evse.evse_id] = evse_power[window.evse.evse_id] + uncontrolled_power(window, dt)
    steps = snapshot.grid.steps
    diagnostics = SolverDiagnostics(UNCONTROLLED_BACKEND, "baseline", 0.0, fallback_used=False)
    return assemble_plan(snapshot, evse_power, np.zeros(steps), np.zeros(steps), diagnostics)
