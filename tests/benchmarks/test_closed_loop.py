"""Tiny closed-loop replays, one per controller."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from benchmarks.closed_loop import replay
from benchmarks.controllers import (
    Decision,
    PerfectController,
    PlanController,
    UncontrolledController,
)
from benchmarks.dispatch import MinimumPower, StepFlows, dispatch_step
from benchmarks.forecast_view import ForecastProvider
from benchmarks.scenario import Scenario, scenario_from_dict
from benchmarks.site_state import SessionState, initial_state
from custom_components.ssch.core.kpi import RealisedFlows, compute_kpis
from custom_components.ssch.core.model import Plan, SiteSnapshot
from tests.benchmarks.tiny import tiny_scenario_dict


@pytest.fixture
def scenario() -> Scenario:
    return scenario_from_dict(tiny_scenario_dict())


def _balance_error(flows: RealisedFlows) -> float:
    consumption = (
        flows.building_kw
        + flows.ev_charge_kw
        - flows.ev_discharge_kw
        + flows.battery_charge_kw
        - flows.battery_discharge_kw
        - flows.pv_used_kw
    )
    return float(np.max(np.abs(flows.grid_import_kw - flows.grid_export_kw - consumption)))


def test_sessions_are_snapped_to_whole_steps(scenario: Scenario) -> None:
    state = initial_state(scenario)
    assert [(s.first_step, s.end_step) for s in state.sessions] == [(0, 6), (1, 8)]
    assert state.battery is not None
    assert state.battery.energy_kwh == pytest.approx(5.0)


def test_uncontrolled_charges_at_once_and_breaks_the_limit(scenario: Scenario) -> None:
    state = initial_state(scenario)
    flows = replay(scenario, state, UncontrolledController(), ForecastProvider(scenario))
    report = compute_kpis(flows)
    assert report.feasible_sessions_met_share == 1.0
    assert report.peak_import_kw == pytest.approx(5.0 + 22.0)
    assert report.steps_above_limit > 0
    assert report.solve_time_median_s == 0.0
    assert _balance_error(flows) < 1e-9
    # Full power from plug-in: the first car is done after three steps.
    assert flows.ev_charge_kw[0] == pytest.approx(11.0)
    assert state.sessions[0].energy_kwh == pytest.approx(27.0)


def test_perfect_foresight_meets_targets_within_the_limit(scenario: Scenario) -> None:
    state = initial_state(scenario)
    controller = PerfectController(scenario, state)
    flows = replay(scenario, state, controller, ForecastProvider(scenario))
    report = compute_kpis(flows)
    baseline_state = initial_state(scenario)
    baseline = compute_kpis(
        replay(scenario, baseline_state, UncontrolledController(), ForecastProvider(scenario))
    )
    assert report.feasible_sessions_met_share == 1.0
    assert report.steps_above_limit == 0
    assert report.peak_import_kw < baseline.peak_import_kw
    assert report.total_cost_eur < baseline.total_cost_eur
    assert len(flows.solve_times_s) == 1
    assert _balance_error(flows) < 1e-6
    assert state.battery is not None
    # The battery must end at least as full as it started.
    assert state.battery.energy_kwh >= 5.0 - 1e-6


def test_perfect_foresight_can_be_told_where_the_battery_ends(scenario: Scenario) -> None:
    def run(end_kwh: float | None) -> tuple[float, float]:
        state = initial_state(scenario)
        flows = replay(
            scenario, state, PerfectController(scenario, state, end_kwh), ForecastProvider(scenario)
        )
        assert state.battery is not None
        return state.battery.energy_kwh, compute_kpis(flows).total_cost_eur

    default_end, default_cost = run(None)
    fuller_end, fuller_cost = run(8.0)
    emptier_end, emptier_cost = run(1.0)
    assert fuller_end == pytest.approx(8.0, abs=1e-6)
    # Energy left in the battery had to be bought: the fuller end costs more, an emptier one less.
    assert fuller_cost > default_cost > emptier_cost
    assert emptier_end < default_end
    # An end beyond the battery's SoC bounds is held at the bound (9 kWh of 10 kWh).
    assert run(50.0)[0] == pytest.approx(9.0, abs=1e-6)


def test_replay_can_stop_early(scenario: Scenario) -> None:
    state = initial_state(scenario)
    seen: list[int] = []
    flows = replay(
        scenario,
        state,
        UncontrolledController(),
        ForecastProvider(scenario),
        steps=5,
        progress=seen.append,
    )
    assert seen == [0, 1, 2, 3, 4]
    assert flows.grid_import_kw.size == 5
    # Sessions still plugged in at the cut are not judged.
    assert len(flows.sessions) == 0


def test_a_failing_planner_idles_and_is_counted(scenario: Scenario) -> None:
    def broken(snapshot: SiteSnapshot) -> Plan:
        raise RuntimeError("no solver")

    controller = PlanController("broken", broken)
    state = initial_state(scenario)
    flows = replay(scenario, state, controller, ForecastProvider(scenario))
    assert flows.failed_ticks == scenario.steps
    assert float(np.sum(flows.ev_charge_kw)) == 0.0
    assert len(flows.solve_times_s) == scenario.steps


def test_plan_controller_applies_the_first_step(scenario: Scenario) -> None:
    seen: list[SiteSnapshot] = []

    def plan(snapshot: SiteSnapshot) -> Plan:
        seen.append(snapshot)
        return _flat_plan(snapshot, evse_kw=4.0, battery_kw=-1.0)

    state = initial_state(scenario)
    flows = replay(scenario, state, PlanController("flat", plan), ForecastProvider(scenario))
    first = seen[0]
    assert first.grid.steps == 96
    assert [s.session_id for s in first.sessions] == ["s00000"]
    assert first.prices.peak_already_kw == 0.0
    assert seen[2].prices.peak_already_kw > 0.0
    assert flows.ev_charge_kw[0] == pytest.approx(4.0)
    assert flows.ev_charge_kw[1] == pytest.approx(8.0)
    assert flows.battery_discharge_kw[0] == pytest.approx(1.0)
    assert flows.flex_up_kw[0] == pytest.approx(3.0)


def _flat_plan(snapshot: SiteSnapshot, evse_kw: float, battery_kw: float) -> Plan:
    from custom_components.ssch.core.model import FlexibilityEnvelope

    steps = snapshot.grid.steps
    return Plan(
        grid=snapshot.grid,
        evse_power_kw={e.evse_id: np.full(steps, evse_kw) for e in snapshot.evses},
        battery_power_kw=np.full(steps, battery_kw),
        grid_import_kw=np.zeros(steps),
        grid_export_kw=np.zeros(steps),
        pv_curtailment_kw=np.zeros(steps),
        flexibility=FlexibilityEnvelope(np.full(steps, 3.0), np.zeros(steps)),
    )


def test_decision_defaults_idle() -> None:
    decision = Decision()
    assert decision.session_power_kw == {}
    assert decision.solve_time_s is None
    assert not decision.failed


@pytest.mark.parametrize("solver", [None, "CLARABEL"])
def test_mpc_meets_targets_within_the_limit(scenario: Scenario, solver: str | None) -> None:
    from benchmarks.core_controllers import mpc_controller

    state = initial_state(scenario)
    flows = replay(scenario, state, mpc_controller(solver), ForecastProvider(scenario), horizon_steps=8)
    report = compute_kpis(flows)
    assert report.feasible_sessions_met_share == 1.0
    assert report.steps_above_limit == 0
    assert report.failed_ticks == 0
    assert len(flows.solve_times_s) == scenario.steps
    assert _balance_error(flows) < 1e-6


def test_fallback_alone_respects_the_limit(scenario: Scenario) -> None:
    from benchmarks.core_controllers import fallback_controller

    state = initial_state(scenario)
    flows = replay(scenario, state, fallback_controller(), ForecastProvider(scenario))
    report = compute_kpis(flows)
    assert report.steps_above_limit == 0
    assert report.failed_ticks == 0
    assert report.feasible_sessions_met_share == 1.0


def test_visits_shorter_than_a_step_are_left_out() -> None:
    data = tiny_scenario_dict()
    data["sessions"][1].update(arrival="2023-07-03T00:20:00Z", departure="2023-07-03T00:40:00Z")
    state = initial_state(scenario_from_dict(data))
    assert [s.session_id for s in state.sessions] == ["s00000"]


def test_perfect_foresight_without_a_battery() -> None:
    data = tiny_scenario_dict()
    del data["battery"]
    scenario = scenario_from_dict(data)
    state = initial_state(scenario)
    flows = replay(scenario, state, PerfectController(scenario, state), ForecastProvider(scenario))
    assert float(np.sum(flows.battery_charge_kw + flows.battery_discharge_kw)) == 0.0
    assert compute_kpis(flows).feasible_sessions_met_share == 1.0


def test_perfect_foresight_reports_a_failed_solve(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from benchmarks import perfect

    monkeypatch.setattr(
        perfect, "linprog", lambda *args, **kwargs: SimpleNamespace(x=None, message="infeasible")
    )
    with pytest.raises(RuntimeError, match="infeasible"):
        PerfectController(scenario, initial_state(scenario))


@pytest.mark.parametrize("name", ["uncontrolled", "perfect", "mpc", "fallback"])
def test_with_a_minimum_current_every_car_takes_zero_or_at_least_the_minimum(
    scenario: Scenario, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the controller asks, each car's power in each step is 0, at least the minimum, or
    what is left before it is full (or at its V2G floor); controlled replays keep the limit."""
    from benchmarks.run import make_controller

    minimum = MinimumPower(6 * 3 * 230 / 1000)
    applied: list[tuple[float, float, float]] = []
    original = SessionState.apply

    def recording(self: SessionState, power_kw: float, step_hours: float) -> None:
        applied.append((power_kw, *self.power_bounds_kw(step_hours)))
        original(self, power_kw, step_hours)

    monkeypatch.setattr(SessionState, "apply", recording)
    state = initial_state(scenario)
    controller = make_controller(name, scenario, state)
    flows = replay(scenario, state, controller, ForecastProvider(scenario), horizon_steps=8, minimum=minimum)
    assert applied
    for power, low, high in applied:
        if power > 0:
            assert power >= min(minimum.power_kw, high) - 1e-9
        elif power < 0:
            assert -power >= min(minimum.power_kw, -low) - 1e-9
    assert any(abs(power) > 0 for power, _, _ in applied)
    assert _balance_error(flows) < 1e-6
    if controller.guarded:
        assert compute_kpis(flows).steps_above_limit == 0


def test_the_dispatch_is_told_the_month_s_billed_peak(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step's dispatch gets the highest import of the month before that step."""
    peaks: list[float] = []

    def recording(*args: Any, **kwargs: Any) -> StepFlows:
        peaks.append(kwargs["billed_peak_kw"])
        return dispatch_step(*args, **kwargs)

    monkeypatch.setattr("benchmarks.closed_loop.dispatch_step", recording)
    state = initial_state(scenario)
    flows = replay(scenario, state, UncontrolledController(), ForecastProvider(scenario))
    expected = [0.0, *np.maximum.accumulate(flows.grid_import_kw)[:-1]]
    assert peaks == pytest.approx(expected)


def _thin_plan(snapshot: SiteSnapshot) -> Plan:
    """Each car's missing energy spread evenly over the steps until it leaves, as a planner that does
    not know the cars' minimum may do with a car's last kWh."""
    from custom_components.ssch.core.model import FlexibilityEnvelope

    grid = snapshot.grid
    evse_kw = {evse.evse_id: np.zeros(grid.steps) for evse in snapshot.evses}
    for session in snapshot.sessions:
        steps = min(grid.steps, int(np.ceil(grid.offset_steps(session.departure) - 1e-9)))
        missing = session.energy_needed_kwh / session.charge_efficiency
        evse_kw[session.evse_id][:steps] = missing / (steps * grid.step_hours)
    site_kw = snapshot.forecasts.building_kw - snapshot.forecasts.pv_kw + sum(evse_kw.values())
    return Plan(
        grid=grid,
        evse_power_kw=evse_kw,
        battery_power_kw=np.zeros(grid.steps),
        grid_import_kw=np.maximum(site_kw, 0.0),
        grid_export_kw=np.maximum(-site_kw, 0.0),
        pv_curtailment_kw=np.zeros(grid.steps),
        flexibility=FlexibilityEnvelope.zeros(grid.steps),
    )


@pytest.mark.parametrize("consolidated", [False, True])
def test_a_plan_controller_with_the_minimum_charges_a_cars_last_kwh_in_a_block(
    consolidated: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0.4 kWh left over six steps is 0.28 kW a step, rounded to 0 by the dispatch step after step
    (even the last step's 1.68 kW): the car leaves without it. With the minimum the controller's
    setpoint is 0 while later steps can take the energy, and one step at the minimum in the last."""
    data = tiny_scenario_dict()
    data["sessions"][0]["target_energy_kwh"] = 20.4
    data["sessions"][1]["target_energy_kwh"] = data["sessions"][1]["energy_initial_kwh"]
    scenario = scenario_from_dict(data)
    minimum = MinimumPower(6 * 3 * 230 / 1000)
    applied: list[float] = []
    original = SessionState.apply

    def recording(self: SessionState, power_kw: float, step_hours: float) -> None:
        if self.session_id == "s00000":
            applied.append(power_kw)
        original(self, power_kw, step_hours)

    monkeypatch.setattr(SessionState, "apply", recording)
    controller = PlanController("thin", _thin_plan, minimum_kw=minimum.power_kw if consolidated else None)
    state = initial_state(scenario)
    flows = replay(scenario, state, controller, ForecastProvider(scenario), minimum=minimum)
    first = flows.sessions[0]
    assert all(power == 0.0 or power >= minimum.power_kw - 1e-9 for power in applied)
    if consolidated:
        assert applied == pytest.approx([0.0] * 5 + [minimum.power_kw])
        assert first.met
    else:
        assert applied == [0.0] * 6
        assert not first.met
