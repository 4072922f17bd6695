"""Controllers backed by the hub brain's planner (imported lazily: the optimizer needs cvxpy)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from benchmarks.controllers import PlanController

if TYPE_CHECKING:
    from datetime import datetime

    from custom_components.ssch.core.model import EvSession, Plan, SiteSnapshot

# What the MPC is told about cars that are not plugged in yet.
SessionSource = Callable[["SiteSnapshot"], "list[EvSession]"]


def learned_sessions(
    time_zone: str,
    history: tuple[list[EvSession], datetime, datetime] | None = None,
    scale: float | None = None,
) -> SessionSource:
    """Expected sessions from the similar-day profile of the sessions recorded before the replay
    (``history``: sessions, start, end) and of those seen so far in it; ``scale`` overrides the
    forecaster's share of the learned mean."""
    from custom_components.ssch.core.session_forecast import SessionForecastConfig, SessionForecaster

    config = SessionForecastConfig(time_zone=time_zone)
    if scale is not None:
        config = replace(config, scale=scale)
    forecaster = SessionForecaster(config)
    if history is not None:
        forecaster.learn_history(*history)

    def source(snapshot: SiteSnapshot) -> list[EvSession]:
        forecaster.observe(snapshot)
        return forecaster.expected_sessions(snapshot)

    return source


def mpc_controller(
    solver: str | None = None,
    sessions: SessionSource | None = None,
    engine: str = "auto",
    minimum_kw: float | None = None,
) -> PlanController:
    """The production planner (an engine and its fallback chain), re-planned every step; with
    ``sessions``, it also plans for the expected sessions that source names; with ``minimum_kw``,
    the cars' setpoints keep that minimum charging power (``PlanController``)."""
    from custom_components.ssch.core.expected_plan import plan_with_expected
    from custom_components.ssch.core.planner import Planner, PlannerConfig

    config = PlannerConfig(engine=engine, solver=solver)
    planner = Planner(config)
    if sessions is None:
        return PlanController("mpc", planner.plan, minimum_kw=minimum_kw)
    source = sessions

    def plan(snapshot: SiteSnapshot) -> Plan:
        return plan_with_expected(planner, snapshot, source(snapshot))

    return PlanController("mpc", plan, minimum_kw=minimum_kw)


def fallback_controller(minimum_kw: float | None = None) -> PlanController:
    """The rule-based fallback alone, as if every solver had failed."""
    from custom_components.ssch.core.fallback import rule_based_plan

    return PlanController("fallback", rule_based_plan, fallback_is_failure=False, minimum_kw=minimum_kw)
