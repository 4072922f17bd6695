"""Controllers backed by the hub brain's planner (imported lazily: the optimizer needs cvxpy)."""

from __future__ import annotations

from benchmarks.controllers import PlanController


def mpc_controller(solver: str | None = None) -> PlanController:
    """The production planner (optimizer and its fallback chain), re-planned every step."""
    from custom_components.ssch.core.planner import Planner, PlannerConfig

    config = PlannerConfig() if solver is None else PlannerConfig(primary_solver=solver)
    return PlanController("mpc", Planner(config).plan)


def fallback_controller() -> PlanController:
    """The rule-based fallback alone, as if every solver had failed."""
    from custom_components.ssch.core.fallback import rule_based_plan

    return PlanController("fallback", rule_based_plan, fallback_is_failure=False)
