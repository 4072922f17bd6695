"""The controllers the benchmark compares; each decides one step at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
import logging
import time
from typing import Protocol

from benchmarks.perfect import PerfectSchedule, solve_perfect
from benchmarks.scenario import Scenario
from benchmarks.site_state import SiteState
from custom_components.ssch.core.dispatch import EvseBounds
from custom_components.ssch.core.minimum_power import consolidated_setpoints
from custom_components.ssch.core.model import Plan, SiteSnapshot, StepSetpoints
from custom_components.ssch.core.projection import project_setpoints

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    """Setpoints for the current step; session powers are signed, grid side."""

    session_power_kw: dict[str, float] = field(default_factory=dict)
    battery_power_kw: float = 0.0
    pv_curtailment_kw: float = 0.0
    solve_time_s: float | None = None
    failed: bool = False
    flex_up_kw: float = 0.0
    flex_down_kw: float = 0.0


class Controller(Protocol):
    """Something that turns the site's present into setpoints."""

    name: str
    guarded: bool

    def decide(self, step: int, snapshot: SiteSnapshot) -> Decision:
        """Setpoints for ``step``."""
        ...


class UncontrolledController:
    """Every car charges at full power from plug-in until its target; the battery idles.

    This is the counterfactual: no controller, no limit guard.
    """

    name = "uncontrolled"
    guarded = False

    def decide(self, step: int, snapshot: SiteSnapshot) -> Decision:
        hours = snapshot.grid.step_hours
        power: dict[str, float] = {}
        for session in snapshot.sessions:
            missing = max(0.0, session.target_energy_kwh - session.energy_kwh)
            power[session.session_id] = min(
                session.max_charge_kw, missing / (session.charge_efficiency * hours)
            )
        return Decision(session_power_kw=power)


class PerfectController:
    """Replays the perfect-foresight LP solved once over the whole scenario."""

    name = "perfect"
    guarded = True

    def __init__(self, scenario: Scenario, state: SiteState, end_battery_kwh: float | None = None) -> None:
        self.schedule: PerfectSchedule = solve_perfect(scenario, state, end_battery_kwh)

    def decide(self, step: int, snapshot: SiteSnapshot) -> Decision:
        schedule = self.schedule
        return Decision(
            session_power_kw={
                s.session_id: float(schedule.session_power_kw[s.session_id][step]) for s in snapshot.sessions
            },
            battery_power_kw=float(schedule.battery_power_kw[step]),
            pv_curtailment_kw=float(schedule.pv_curtailment_kw[step]),
            solve_time_s=schedule.solve_time_s if step == 0 else None,
        )


class PlanController:
    """Receding horizon: plan from the snapshot, apply the first step, re-plan next step.

    The first step goes through the brain's setpoint projection, as in production. A tick counts
    as failed when planning raised or, with ``fallback_is_failure``, when the plan came from a
    fallback stage instead of the primary solver. With ``minimum_kw`` (the cars' minimum power, both
    directions) the cars' setpoints come from their series re-timed into blocks of at least the
    minimum up to their departure, below the month's billed peak, as the hub's come from its plan
    (``consolidated_setpoints`` in ``core/minimum_power.py``).
    """

    guarded = True

    def __init__(
        self,
        name: str,
        plan: Callable[[SiteSnapshot], Plan],
        fallback_is_failure: bool = True,
        minimum_kw: float | None = None,
    ) -> None:
        self.name = name
        self._plan = plan
        self._fallback_is_failure = fallback_is_failure
        self._warned = False
        self.minimum_kw = minimum_kw

    def decide(self, step: int, snapshot: SiteSnapshot) -> Decision:
        started = time.perf_counter()
        try:
            plan = self._plan(snapshot)
        except Exception:
            if not self._warned:
                _LOGGER.exception("%s: planning failed; the step idles", self.name)
                self._warned = True
            return Decision(solve_time_s=time.perf_counter() - started, failed=True)
        setpoints = project_setpoints(snapshot, self._first_step(plan, snapshot))
        elapsed = time.perf_counter() - started
        power = {
            session.session_id: setpoints.evse_power_kw.get(session.evse_id, 0.0)
            for session in snapshot.sessions
        }
        return Decision(
            session_power_kw=power,
            battery_power_kw=setpoints.battery_power_kw,
            pv_curtailment_kw=setpoints.pv_curtailment_kw,
            solve_time_s=elapsed,
            failed=self._fallback_is_failure and plan.diagnostics.fallback_used,
            flex_up_kw=float(plan.flexibility.up_kw[0]),
            flex_down_kw=float(plan.flexibility.down_kw[0]),
        )

    def _first_step(self, plan: Plan, snapshot: SiteSnapshot) -> StepSetpoints:
        step = plan.setpoints_at(snapshot.now)
        if not self.minimum_kw:
            return step
        bounds = {
            s.evse_id: EvseBounds(
                min(s.max_charge_kw, snapshot.evse(s.evse_id).max_charge_kw),
                min(s.max_discharge_kw, snapshot.evse(s.evse_id).max_discharge_kw),
                self.minimum_kw,
                self.minimum_kw,
            )
            for s in snapshot.sessions
        }
        departures = {s.evse_id: s.departure for s in snapshot.sessions}
        setpoints = consolidated_setpoints(
            plan, snapshot.now, bounds, departures, snapshot.prices.peak_already_kw
        )
        return replace(step, evse_power_kw=setpoints)
