"""The fallback chain: primary -> secondary -> previous plan shifted -> rule-based."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from custom_components.ssch.core import optimizer as optimizer_module
from custom_components.ssch.core.fallback import BACKEND as RULE_BASED
from custom_components.ssch.core.model import SiteSnapshot, StepGrid
from custom_components.ssch.core.optimizer import Optimizer, OptimizerError
from custom_components.ssch.core.planner import (
    SHIFTED_BACKEND,
    UNCONTROLLED_BACKEND,
    Planner,
    PlannerConfig,
    shifted_plan,
    uncontrolled_plan,
)
from tests.core.conftest import SiteFactory

CHEAP_AT_2 = [0.5, 0.5, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5]


def _fail_solvers(monkeypatch: pytest.MonkeyPatch, *solvers: str) -> None:
    original = Optimizer.solve

    def solve(self: Optimizer, snapshot: SiteSnapshot) -> object:
        if self.solver in solvers:
            raise OptimizerError(f"{self.solver} returned status infeasible_inaccurate")
        return original(self, snapshot)

    monkeypatch.setattr(Optimizer, "solve", solve)


def _later(snapshot: SiteSnapshot, steps: int) -> SiteSnapshot:
    return replace(snapshot, grid=snapshot.grid.shifted(steps))


CLARABEL = "cvxpy / Clarabel"
PIQP = "built-in / PIQP"
BLOCK_CVXPY = "import sys\nsys.modules['cvxpy'] = None\n"


def _block(monkeypatch: pytest.MonkeyPatch, *packages: str) -> None:
    """``packages`` unimportable; the engine modules are imported again behind the block."""
    for package in packages:
        monkeypatch.setitem(sys.modules, package, None)
    for module in ("qp_problem", "engine_cvxpy", "engine_builtin"):
        monkeypatch.delitem(sys.modules, f"custom_components.ssch.core.{module}", raising=False)


def test_primary_engine_plans(site: SiteFactory) -> None:
    planner = Planner()
    plan = planner.plan(site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),)))
    assert plan.diagnostics.backend == CLARABEL
    assert not plan.diagnostics.fallback_used
    assert planner.previous_plan is plan


def test_the_other_engine_takes_over(site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_solvers(monkeypatch, "CLARABEL")
    plan = Planner().plan(site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),)))
    assert plan.diagnostics.backend == PIQP
    assert plan.diagnostics.fallback_used
    assert plan.diagnostics.reason is not None
    assert "CLARABEL" in plan.diagnostics.reason
    assert plan.evse_power_kw["e1"][2] > 9.0


def test_forced_built_in_engine_falls_back_to_cvxpy(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = Planner(PlannerConfig(engine="built-in"))
    snapshot = site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),))
    assert planner.plan(snapshot).diagnostics.backend == PIQP
    _fail_solvers(monkeypatch, "PIQP")
    plan = planner.plan(snapshot)
    assert plan.diagnostics.backend == CLARABEL
    assert plan.diagnostics.fallback_used


def test_previous_plan_is_shifted_when_both_engines_fail(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = Planner()
    snapshot = site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),))
    first = planner.plan(snapshot)
    _fail_solvers(monkeypatch, "CLARABEL", "PIQP")
    plan = planner.plan(_later(snapshot, 1))
    assert plan.diagnostics.backend == SHIFTED_BACKEND
    assert plan.diagnostics.fallback_used
    assert "PIQP" in (plan.diagnostics.reason or "")
    np.testing.assert_allclose(plan.evse_power_kw["e1"][:7], first.evse_power_kw["e1"][1:])
    assert plan.evse_power_kw["e1"][7] == 0.0


def test_rule_based_when_nothing_else_works(site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_solvers(monkeypatch, "CLARABEL", "PIQP")
    plan = Planner().plan(site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),)))
    assert plan.diagnostics.backend == RULE_BASED
    assert plan.diagnostics.fallback_used
    assert "no previous plan" in (plan.diagnostics.reason or "")
    assert not plan.session_outcomes["s1"].at_risk


def test_unexpected_error_moves_to_the_next_stage(site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Optimizer, snapshot: SiteSnapshot) -> None:
        raise ValueError("bad data")

    monkeypatch.setattr(Optimizer, "solve", broken)
    plan = Planner().plan(site.snapshot(sessions=(site.session(),)))
    assert plan.diagnostics.backend == RULE_BASED
    assert "bad data" in (plan.diagnostics.reason or "")


def test_single_engine_configuration(site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_solvers(monkeypatch, "OSQP")
    planner = Planner(PlannerConfig(engine="cvxpy", solver="OSQP", fallback_engine=False))
    assert PlannerConfig(engine="cvxpy", solver="OSQP", fallback_engine=False).stages() == (
        ("cvxpy", "OSQP"),
    )
    plan = planner.plan(site.snapshot(sessions=(site.session(),)))
    assert plan.diagnostics.backend == RULE_BASED


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine must be one of auto, cvxpy, built-in"):
        PlannerConfig(engine="gurobi")


def test_without_cvxpy_auto_plans_with_the_built_in_engine(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _block(monkeypatch, "cvxpy")
    planner = Planner()
    for _ in range(2):
        plan = planner.plan(site.snapshot(sessions=(site.session(),)))
        assert plan.diagnostics.backend == PIQP
        assert not plan.diagnostics.fallback_used
    assert optimizer_module is not None


def test_without_cvxpy_a_forced_cvxpy_engine_says_why(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _block(monkeypatch, "cvxpy")
    planner = Planner(PlannerConfig(engine="cvxpy"))
    for _ in range(2):
        plan = planner.plan(site.snapshot(sessions=(site.session(),)))
        assert plan.diagnostics.backend == PIQP
        assert plan.diagnostics.fallback_used
        assert "cvxpy engine unavailable" in (plan.diagnostics.reason or "")


def test_without_any_engine_the_rule_based_plan_says_why(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _block(monkeypatch, "cvxpy", "piqp")
    planner = Planner()
    snapshot = site.snapshot(sessions=(site.session(),))
    for backend in (RULE_BASED, SHIFTED_BACKEND):
        plan = planner.plan(snapshot)
        assert plan.diagnostics.backend == backend
        assert "optimizer unavailable: cvxpy: import of cvxpy halted" in (plan.diagnostics.reason or "")


def _run_without(blocked: str) -> str:
    code = textwrap.dedent(
        f"""
        import sys
        for name in {blocked!r}.split(","):
            sys.modules[name] = None
        from tests.core.conftest import SiteFactory
        from custom_components.ssch.core.planner import Planner
        site = SiteFactory()
        plan = Planner().plan(site.snapshot(sessions=(site.session(),)))
        assert "cvxpy" not in [m for m in sys.modules if sys.modules[m] is not None]
        print(plan.diagnostics.backend)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    return result.stdout.strip()


def test_brain_imports_and_plans_without_cvxpy() -> None:
    assert _run_without("cvxpy,osqp,clarabel") == PIQP
    assert _run_without("cvxpy,piqp") == RULE_BASED


def test_restored_plan_feeds_the_shifted_stage(site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),))
    stored = Planner().plan(snapshot).to_dict()
    _fail_solvers(monkeypatch, "CLARABEL", "PIQP")
    planner = Planner()
    from custom_components.ssch.core.model import Plan

    planner.restore(Plan.from_dict(stored))
    assert planner.plan(_later(snapshot, 2)).diagnostics.backend == SHIFTED_BACKEND


def test_shifted_plan_rejects_what_no_longer_fits(site: SiteFactory) -> None:
    snapshot = site.snapshot(import_price=CHEAP_AT_2, sessions=(site.session(),))
    plan = Planner().plan(snapshot)
    assert shifted_plan(None, snapshot) is None
    other_step = replace(snapshot, grid=StepGrid(snapshot.now, 30, 8))
    assert shifted_plan(plan, other_step) is None
    assert shifted_plan(plan, _later(snapshot, 8)) is None
    assert shifted_plan(plan, _later(snapshot, -1)) is None
    newcomer = site.snapshot(sessions=(site.session(), site.session("s2", "e2")))
    assert shifted_plan(plan, newcomer) is None


def test_shifted_plan_is_clipped_to_present_bounds(site: SiteFactory) -> None:
    battery = site.battery(energy_kwh=50.0)
    prices = [0.1, 0.1, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1]
    snapshot = site.snapshot(
        import_price=prices,
        building_kw=30.0,
        battery=battery,
        sessions=(site.session(),),
        pv_curtailable=True,
    )
    plan = Planner().plan(snapshot)
    # The car left early and the battery is nearly empty now.
    emptier = replace(
        _later(snapshot, 1),
        battery=site.battery(energy_kwh=11.0),
        sessions=(site.session(departure_h=2.0),),
        pv_curtailable=False,
    )
    shifted = shifted_plan(plan, emptier)
    assert shifted is not None
    assert np.all(shifted.evse_power_kw["e1"][2:] == 0.0)
    energy = 11.0 + np.cumsum(
        np.where(
            shifted.battery_power_kw > 0, shifted.battery_power_kw * 0.95, shifted.battery_power_kw / 0.95
        )
    )
    assert energy.min() >= 10.0 - 1e-9
    assert np.all(shifted.pv_curtailment_kw == 0.0)


def test_uncontrolled_baseline(site: SiteFactory) -> None:
    sessions = (
        site.session("a", "e1", energy_kwh=10.0, target_kwh=30.0),
        site.session("b", "e2", arrival_h=2.5, energy_kwh=50.0, target_kwh=80.0),
    )
    snapshot = site.snapshot(import_limit_kw=5.0, battery=site.battery(), sessions=sessions)
    plan = uncontrolled_plan(snapshot)
    a, b = plan.evse_power_kw["e1"], plan.evse_power_kw["e2"]
    assert a[0] == 11.0
    assert a[1] == pytest.approx(20.0 / 0.95 - 11.0)
    assert np.all(a[2:] == 0.0)
    assert b[2] == pytest.approx(5.5)
    # Full (60 kWh) before the target of 80 kWh: 10 kWh stored.
    assert b.sum() * 0.95 == pytest.approx(10.0)
    assert np.all(plan.battery_power_kw == 0.0)
    assert plan.grid_import_kw.max() > 5.0
    assert plan.diagnostics.backend == UNCONTROLLED_BACKEND
