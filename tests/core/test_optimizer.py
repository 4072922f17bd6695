"""Optimizer cases with a known optimum."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from custom_components.ssch.core.engine import engine_label
from custom_components.ssch.core.engine_cvxpy import CvxpyEngine
from custom_components.ssch.core.model import FloatArray
from custom_components.ssch.core.optimizer import Optimizer, OptimizerConfig, OptimizerError
from custom_components.ssch.core.windows import REASON_CHARGER, REASON_GRID, REASON_WINDOW
from tests.core.conftest import SiteFactory

CHEAP_AT_2 = [0.5, 0.5, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5]
SOLVERS = [("cvxpy", "OSQP"), ("cvxpy", "CLARABEL"), ("built-in", "PIQP")]


@pytest.fixture(params=["cvxpy", "built-in"])
def engine(request: pytest.FixtureRequest) -> str:
    """Every case with a known optimum holds for both engines."""
    return str(request.param)


def stored(power: FloatArray, efficiency: float = 0.95) -> float:
    return float(np.sum(np.where(power > 0, power * efficiency, power / efficiency)))


@pytest.mark.parametrize(("engine", "solver"), SOLVERS)
def test_one_car_charges_in_the_cheap_step(site: SiteFactory, engine: str, solver: str) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=20.0)
    snapshot = site.snapshot(import_price=CHEAP_AT_2, sessions=(session,))
    plan = Optimizer(solver=solver, engine=engine).solve(snapshot)
    power = plan.evse_power_kw["e1"]
    assert power[2] == pytest.approx(10.0 / 0.95, abs=0.2)
    assert np.abs(np.delete(power, 2)).max() < 0.2
    outcome = plan.session_outcomes["s1"]
    assert outcome.expected_energy_kwh == pytest.approx(20.0, abs=0.1)
    assert not outcome.at_risk
    assert plan.diagnostics.backend == engine_label(engine, solver)
    assert not plan.diagnostics.fallback_used


def test_grid_limit_is_shared_fairly(engine: str, site: SiteFactory) -> None:
    sessions = (
        site.session("a", "e1", departure_h=4.0, energy_kwh=10.0, target_kwh=50.0),
        site.session("b", "e2", departure_h=4.0, energy_kwh=10.0, target_kwh=50.0),
    )
    snapshot = site.snapshot(steps=4, import_limit_kw=11.0, sessions=sessions)
    plan = Optimizer(engine=engine).solve(snapshot)
    a, b = plan.evse_power_kw["e1"], plan.evse_power_kw["e2"]
    np.testing.assert_allclose(a, b, atol=0.2)
    np.testing.assert_allclose(a, 5.5, atol=0.2)
    assert np.all(plan.grid_import_kw <= 11.0 + 0.05)
    for outcome in plan.session_outcomes.values():
        assert outcome.at_risk
        assert outcome.reason == REASON_GRID


@pytest.mark.parametrize(("engine", "solver"), SOLVERS)
def test_v2g_discharges_when_expensive_but_not_below_floor(
    site: SiteFactory, engine: str, solver: str
) -> None:
    session = site.session(energy_kwh=30.0, target_kwh=30.0, min_energy_kwh=25.0, v2g=True)
    prices = [0.1, 0.1, 0.1, 2.0, 0.1, 0.1, 0.1, 0.1]
    snapshot = site.snapshot(
        import_price=prices, export_price=[p - 0.05 for p in prices], sessions=(session,)
    )
    plan = Optimizer(solver=solver, engine=engine).solve(snapshot)
    power = plan.evse_power_kw["e1"]
    assert power[3] < -4.0
    energy = 30.0 + np.cumsum(np.where(power > 0, power * 0.95, power / 0.95))
    assert energy.min() >= 25.0 - 0.1
    assert plan.session_outcomes["s1"].expected_energy_kwh == pytest.approx(30.0, abs=0.15)
    assert plan.grid_export_kw[3] > 4.0


def test_car_below_floor_never_discharges(engine: str, site: SiteFactory) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=10.0, min_energy_kwh=20.0, v2g=True)
    prices = [0.1, 0.1, 0.1, 5.0, 0.1, 0.1, 0.1, 0.1]
    snapshot = site.snapshot(import_price=prices, export_price=prices, sessions=(session,))
    plan = Optimizer(engine=engine).solve(snapshot)
    assert plan.evse_power_kw["e1"].min() >= -1e-6


def test_v2g_needs_consent(engine: str, site: SiteFactory) -> None:
    session = site.session(energy_kwh=30.0, target_kwh=30.0, v2g=False)
    prices = [0.1, 0.1, 0.1, 5.0, 0.1, 0.1, 0.1, 0.1]
    snapshot = site.snapshot(import_price=prices, export_price=prices, sessions=(session,))
    assert Optimizer(engine=engine).solve(snapshot).evse_power_kw["e1"].min() >= -1e-6


@pytest.mark.parametrize(
    ("departure_h", "charger_kw", "target_kwh", "reason"),
    [(1.0, 11.0, 50.0, REASON_WINDOW), (8.0, 2.0, 50.0, REASON_CHARGER)],
)
def test_unreachable_target_still_plans_and_says_why(
    engine: str, site: SiteFactory, departure_h: float, charger_kw: float, target_kwh: float, reason: str
) -> None:
    session = site.session(departure_h=departure_h, target_kwh=target_kwh)
    snapshot = site.snapshot(sessions=(session,), evses=(site.evse(charge_kw=charger_kw),))
    plan = Optimizer(engine=engine).solve(snapshot)
    outcome = plan.session_outcomes["s1"]
    assert outcome.at_risk
    assert outcome.reason == reason
    reachable = 10.0 + 0.95 * charger_kw * min(departure_h, 8.0)
    assert outcome.expected_energy_kwh == pytest.approx(reachable, abs=0.2)


def test_outcome_reports_below_floor(engine: str, site: SiteFactory) -> None:
    session = site.session(departure_h=1.0, energy_kwh=5.0, target_kwh=40.0, min_energy_kwh=20.0)
    plan = Optimizer(engine=engine).solve(site.snapshot(sessions=(session,)))
    assert plan.session_outcomes["s1"].reason == f"below floor, {REASON_WINDOW}"


def test_hard_target_overrides_the_grid_limit(engine: str, site: SiteFactory) -> None:
    session = site.session(departure_h=2.0, energy_kwh=10.0, target_kwh=30.0, hard=True)
    snapshot = site.snapshot(import_limit_kw=5.0, sessions=(session,))
    plan = Optimizer(engine=engine).solve(snapshot)
    assert plan.session_outcomes["s1"].expected_energy_kwh == pytest.approx(30.0, abs=0.2)
    assert plan.grid_import_kw.max() > 5.0


def test_soft_target_respects_the_grid_limit(engine: str, site: SiteFactory) -> None:
    session = site.session(departure_h=2.0, energy_kwh=10.0, target_kwh=30.0)
    plan = Optimizer(engine=engine).solve(site.snapshot(import_limit_kw=5.0, sessions=(session,)))
    assert plan.grid_import_kw.max() <= 5.0 + 0.1
    assert plan.session_outcomes["s1"].reason == REASON_GRID


def test_when_power_is_short_one_car_goes_short_instead_of_two(engine: str, site: SiteFactory) -> None:
    """Two cars leaving in 2 h need 12 and 14 kWh; 11 kW for 2 h store 20.9 kWh. One price for both
    splits the power and leaves both short; the car that needs less is finished first."""
    sessions = (
        site.session("small", "e1", departure_h=2.0, energy_kwh=10.0, target_kwh=22.0),
        site.session("large", "e2", departure_h=2.0, energy_kwh=10.0, target_kwh=24.0),
    )
    snapshot = site.snapshot(steps=4, import_limit_kw=11.0, sessions=sessions)
    plan = Optimizer(engine=engine).solve(snapshot)
    outcomes = plan.session_outcomes
    assert not outcomes["small"].at_risk
    assert outcomes["large"].at_risk
    assert outcomes["large"].expected_energy_kwh == pytest.approx(10.0 + 2 * 11.0 * 0.95 - 12.0, abs=0.1)
    assert np.all(plan.grid_import_kw <= 11.0 + 0.05)
    one_price = Optimizer(OptimizerConfig(shortfall_small_need_bonus=0.0), engine=engine).solve(snapshot)
    assert all(outcome.at_risk for outcome in one_price.session_outcomes.values())


def test_the_car_due_first_is_charged_first_when_power_is_short(engine: str, site: SiteFactory) -> None:
    """The car leaving in 1 h needs more than the one leaving in 4 h, and still gets the first hour:
    both can be finished within the 11 kW connection, so both are."""
    sessions = (
        site.session("soon", "e1", departure_h=1.0, energy_kwh=10.0, target_kwh=20.0),
        site.session("later", "e2", departure_h=4.0, energy_kwh=10.0, target_kwh=18.0),
    )
    plan = Optimizer(engine=engine).solve(site.snapshot(steps=4, import_limit_kw=11.0, sessions=sessions))
    assert plan.evse_power_kw["e1"][0] == pytest.approx(10.0 / 0.95, abs=0.1)
    assert not any(outcome.at_risk for outcome in plan.session_outcomes.values())


def test_a_car_that_needs_less_is_worth_more_per_missing_kwh(site: SiteFactory) -> None:
    config = OptimizerConfig()
    needs = (0.0, 5.0, 10.0, 40.0, 400.0)
    sessions = tuple(
        site.session(f"s{i}", f"e{i}", energy_kwh=10.0, target_kwh=10.0 + need, capacity_kwh=500.0)
        for i, need in enumerate(needs)
    )
    problem = Optimizer(config).problem(site.snapshot(sessions=sessions))
    prices = problem.values["ev_shortfall_price"][: len(needs)]
    base = config.shortfall_penalty_factor * 0.5  # the minimum penalty: every price is below 0.5 EUR
    assert prices[0] == pytest.approx(base * 1.5)
    assert prices[2] == pytest.approx(base * 1.25)
    assert np.all(np.diff(prices) < 0.0)
    assert prices[-1] > base
    with pytest.raises(ValueError, match="below the overrun penalty"):
        OptimizerConfig(shortfall_small_need_bonus=1.0)


def test_car_efficiency_other_than_model_still_hits_target(engine: str, site: SiteFactory) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=30.0, efficiency=0.85)
    plan = Optimizer(engine=engine).solve(site.snapshot(sessions=(session,)))
    assert stored(plan.evse_power_kw["e1"], 0.85) == pytest.approx(20.0, abs=0.1)


def test_departure_after_horizon_only_needs_what_cannot_be_charged_later(
    engine: str,
    site: SiteFactory,
) -> None:
    session = site.session(departure_h=10.0, energy_kwh=10.0, target_kwh=40.0)
    plan = Optimizer(engine=engine).solve(site.snapshot(sessions=(session,)))
    # 2 h after the horizon at 11 kW store 20.9 kWh, so 9.1 kWh are due within the horizon.
    assert stored(plan.evse_power_kw["e1"]) == pytest.approx(40.0 - 10.0 - 2 * 11 * 0.95, abs=0.1)


def test_battery_shifts_energy_to_the_expensive_step(engine: str, site: SiteFactory) -> None:
    prices = [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 0.3, 0.3]
    snapshot = site.snapshot(import_price=prices, building_kw=20.0, battery=site.battery(energy_kwh=50.0))
    plan = Optimizer(engine=engine).solve(snapshot)
    battery = plan.battery_power_kw
    assert battery[4] < -10.0
    assert battery[5] < -10.0
    energy = 50.0 + np.cumsum(np.where(battery > 0, battery * 0.95, battery / 0.95))
    assert energy.min() >= 10.0 - 0.1
    assert energy.max() <= 90.0 + 0.1
    assert np.all(plan.grid_export_kw < 0.1)


def test_negative_export_price_curtails_pv(engine: str, site: SiteFactory) -> None:
    snapshot = site.snapshot(pv_kw=30.0, export_price=-0.2, import_price=0.3, pv_curtailable=True)
    plan = Optimizer(engine=engine).solve(snapshot)
    np.testing.assert_allclose(plan.pv_curtailment_kw, 30.0, atol=0.5)
    np.testing.assert_allclose(plan.grid_export_kw, 0.0, atol=0.5)


def test_export_limit_curtails(engine: str, site: SiteFactory) -> None:
    snapshot = site.snapshot(pv_kw=30.0, export_limit_kw=10.0, pv_curtailable=True)
    plan = Optimizer(engine=engine).solve(snapshot)
    np.testing.assert_allclose(plan.grid_export_kw, 10.0, atol=0.1)


def test_peak_price_flattens_import(engine: str, site: SiteFactory) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=40.0)
    prices = [0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
    plain = Optimizer(engine=engine).solve(site.snapshot(import_price=prices, sessions=(session,)))
    peaky = Optimizer(engine=engine).solve(
        site.snapshot(import_price=prices, peak_price=5.0, sessions=(session,))
    )
    assert plain.grid_import_kw.max() > 10.0
    assert peaky.grid_import_kw.max() < 5.0


def test_a_cheap_shortfall_is_served_only_below_the_billed_peak(engine: str, site: SiteFactory) -> None:
    """A car whose missing kWh are worth 0.6 EUR is charged within the 4 kW already billed and left
    short rather than raising the 5 EUR/kW peak; at the hub's own penalty it is charged in full."""
    needy = site.session(energy_kwh=10.0, target_kwh=50.0, departure_h=4.0)
    cheap = replace(needy, shortfall_price_eur_per_kwh=0.6)
    common = {"import_price": 0.3, "peak_price": 5.0, "peak_already_kw": 4.0, "steps": 4}
    served = Optimizer(engine=engine).solve(site.snapshot(sessions=(needy,), **common))
    held = Optimizer(engine=engine).solve(site.snapshot(sessions=(cheap,), **common))
    assert served.session_outcomes["s1"].expected_energy_kwh == pytest.approx(50.0, abs=0.1)
    assert served.grid_import_kw.max() > 10.0
    assert held.grid_import_kw.max() == pytest.approx(4.0, abs=0.05)
    assert held.session_outcomes["s1"].expected_energy_kwh == pytest.approx(10.0 + 4 * 4.0 * 0.95, abs=0.2)


def test_a_session_is_never_worth_more_than_the_hubs_shortfall_penalty(
    engine: str, site: SiteFactory
) -> None:
    """A car's own price above the penalty is capped, so it cannot outbid the grid limit."""
    greedy = replace(
        site.session(energy_kwh=10.0, target_kwh=60.0, departure_h=2.0), shortfall_price_eur_per_kwh=1e6
    )
    plan = Optimizer(engine=engine).solve(site.snapshot(sessions=(greedy,), import_limit_kw=5.0, steps=2))
    assert plan.grid_import_kw.max() <= 5.0 + 0.05


def test_a_negative_shortfall_price_counts_as_none(engine: str, site: SiteFactory) -> None:
    """A kWh short is never rewarded: the plan stays bounded and simply does not charge."""
    odd = replace(site.session(energy_kwh=10.0, target_kwh=30.0), shortfall_price_eur_per_kwh=-1.0)
    plan = Optimizer(engine=engine).solve(site.snapshot(sessions=(odd,), import_price=0.3))
    assert not plan.diagnostics.fallback_used
    assert plan.session_outcomes["s1"].expected_energy_kwh == pytest.approx(10.0, abs=0.1)


def test_down_commitment_lowers_import(engine: str, site: SiteFactory) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=30.0)
    commitment = site.commitment(0.0, 2.0, requested_kw=-10.0, reference_kw=30.0)
    snapshot = site.snapshot(
        building_kw=20.0,
        import_price=[0.1, 0.1] + [0.3] * 6,
        sessions=(session,),
        commitments=(commitment,),
    )
    plan = Optimizer(engine=engine).solve(snapshot)
    # Without the commitment the car would charge in the two cheap steps.
    np.testing.assert_allclose(plan.evse_power_kw["e1"][:2], 0.0, atol=0.1)
    assert plan.grid_import_kw[:2].max() <= 20.0 + 0.1


def test_up_commitment_raises_import(engine: str, site: SiteFactory) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=30.0)
    commitment = site.commitment(6.0, 7.0, requested_kw=8.0, reference_kw=0.0)
    snapshot = site.snapshot(sessions=(session,), commitments=(commitment,))
    plan = Optimizer(engine=engine).solve(snapshot)
    assert plan.grid_import_kw[6] >= 8.0 - 0.1


def test_uncontrollable_charger_runs_uncontrolled(engine: str, site: SiteFactory) -> None:
    evses = (site.evse("e1"), site.evse("e2", controllable=False))
    sessions = (site.session("a", "e1"), site.session("b", "e2", target_kwh=20.0))
    plan = Optimizer(engine=engine).solve(site.snapshot(evses=evses, sessions=sessions))
    fixed = plan.evse_power_kw["e2"]
    assert fixed[0] == pytest.approx(10.0 / 0.95)
    assert np.all(fixed[1:] == 0.0)
    assert "b" not in plan.session_outcomes


def test_cache_rebuilds_on_structure_not_on_values(site: SiteFactory) -> None:
    optimizer = Optimizer()
    session = site.session()
    optimizer.solve(site.snapshot(sessions=(session,)))
    optimizer.solve(site.snapshot(sessions=(session,), import_price=CHEAP_AT_2, pv_kw=3.0))
    optimizer.solve(site.snapshot(sessions=(session, site.session("s2", "e1", arrival_h=9.0))))
    assert optimizer.builds == 1
    optimizer.solve(site.snapshot(sessions=(session,), battery=site.battery()))
    assert optimizer.builds == 2
    optimizer.solve(site.snapshot(sessions=(session,), battery=site.battery(efficiency=0.9)))
    assert optimizer.builds == 3
    optimizer.solve(site.snapshot(sessions=(session,), steps=6))
    assert optimizer.builds == 4
    optimizer.solve(site.snapshot(sessions=(session,), steps=6, pv_curtailable=True))
    assert optimizer.builds == 5
    many = tuple(site.session(f"s{i}", f"e{i}") for i in range(5))
    optimizer.solve(site.snapshot(sessions=many, steps=6, pv_curtailable=True))
    assert optimizer.builds == 6
    assert optimizer.structure_for(site.snapshot(sessions=many)).ev_slots == 8
    optimizer.solve(site.snapshot(sessions=(session,), steps=6, pv_curtailable=True))
    assert optimizer.builds == 6  # fewer cars fit in the larger problem
    assert Optimizer().structure_for(site.snapshot(sessions=(session,))).ev_slots == 4


def test_solver_failure_raises_optimizer_error(site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    optimizer = Optimizer()
    snapshot = site.snapshot(sessions=(site.session(),))
    optimizer.solve(snapshot)
    assert optimizer.structure is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    engine = optimizer.engine()
    assert isinstance(engine, CvxpyEngine)
    assert engine.qp is not None
    monkeypatch.setattr(engine.qp.problem, "solve", broken)
    with pytest.raises(OptimizerError, match="boom"):
        optimizer.solve(snapshot)


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate:UserWarning")
def test_bad_status_raises_optimizer_error(site: SiteFactory) -> None:
    optimizer = Optimizer(OptimizerConfig(max_iter=1))
    session = site.session(energy_kwh=10.0, target_kwh=30.0, v2g=True, min_energy_kwh=5.0)
    snapshot = site.snapshot(
        import_price=CHEAP_AT_2, battery=site.battery(), sessions=(session,), building_kw=5.0
    )
    with pytest.raises(OptimizerError, match="status"):
        optimizer.solve(snapshot)


def test_hub_scale_builds_and_solves(site: SiteFactory) -> None:
    rng = np.random.default_rng(7)
    steps = 96
    sessions = tuple(
        site.session(
            f"s{i}",
            f"e{i}",
            arrival_h=float(rng.uniform(0, 8)),
            departure_h=float(rng.uniform(9, 30)),
            energy_kwh=float(rng.uniform(5, 30)),
            target_kwh=float(rng.uniform(30, 55)),
            v2g=bool(i % 2),
            min_energy_kwh=20.0,
            plugged_in=False,
        )
        for i in range(12)
    )
    hours = np.arange(steps) / 4
    snapshot = site.snapshot(
        steps=steps,
        step_minutes=15,
        import_price=0.25 + 0.1 * np.sin(hours / 24 * 2 * np.pi),
        export_price=0.1 + 0.1 * np.sin(hours / 24 * 2 * np.pi),
        import_limit_kw=150.0,
        export_limit_kw=150.0,
        building_kw=20.0 + 10.0 * np.cos(hours / 24 * 2 * np.pi),
        pv_kw=np.maximum(0.0, 60.0 * np.sin((hours - 6) / 12 * np.pi)),
        pv_curtailable=True,
        peak_price=2.0,
        battery=site.battery(),
        sessions=sessions,
    )
    optimizer = Optimizer()
    plan = optimizer.solve(snapshot)
    assert plan.diagnostics.status in {"optimal", "optimal_inaccurate"}
    assert optimizer.structure is not None
    assert optimizer.structure.ev_slots == 12
    assert plan.grid_import_kw.max() <= 150.0 + 1.0
    assert sum(outcome.at_risk for outcome in plan.session_outcomes.values()) <= 2
