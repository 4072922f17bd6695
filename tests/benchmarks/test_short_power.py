"""When the connection cannot serve every car, the replayed controllers finish as many as they can."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.closed_loop import replay
from benchmarks.controllers import Controller, PerfectController
from benchmarks.core_controllers import fallback_controller, mpc_controller
from benchmarks.forecast_view import ForecastProvider
from benchmarks.scenario import Scenario, scenario_from_dict
from benchmarks.site_state import initial_state
from benchmarks.snapshots import build_snapshot
from custom_components.ssch.core.kpi import KpiReport, compute_kpis
from tests.benchmarks.tiny import tiny_scenario_dict


def _car(charger: str, needs_kwh: float) -> dict[str, Any]:
    return {
        "charger": charger,
        "arrival": "2023-07-03T00:00:00+00:00",
        "departure": "2023-07-03T02:00:00+00:00",
        "energy_initial_kwh": 10.0,
        "capacity_kwh": 60.0,
        "target_energy_kwh": 10.0 + needs_kwh,
        "min_energy_kwh": 10.0,
        "v2g": False,
    }


@pytest.fixture
def scenario() -> Scenario:
    """Two cars need 12 and 14 kWh in 2 h; beside the 5 kW building the 16 kW connection stores
    20.9 kWh in them: one car can be finished, not both."""
    data = tiny_scenario_dict()
    data["site"]["import_limit_kw"] = 16.0
    data["series"]["pv_kw"] = [0.0] * 8
    data["series"]["price_import_eur_per_kwh"] = [0.30] * 8
    data["sessions"] = [_car("c1", 12.0), _car("c2", 14.0)]
    del data["battery"]
    return scenario_from_dict(data)


def _replay(scenario: Scenario, controller: Controller) -> KpiReport:
    return compute_kpis(replay(scenario, initial_state(scenario), controller, ForecastProvider(scenario)))


@pytest.mark.parametrize("name", ["perfect", "mpc", "fallback"])
def test_one_car_is_finished_rather_than_both_left_short(scenario: Scenario, name: str) -> None:
    controllers = {
        "perfect": lambda: PerfectController(scenario, initial_state(scenario)),
        "mpc": mpc_controller,
        "fallback": fallback_controller,
    }
    report = _replay(scenario, controllers[name]())
    assert report.feasible_sessions_met_share == pytest.approx(0.5)
    assert report.unmet_kwh == pytest.approx(26.0 - 8 * 11.0 * 0.95 * 0.25, abs=0.05)
    assert report.steps_above_limit == 0


def test_the_mpc_sees_soft_targets_as_the_hub_sets_them(scenario: Scenario) -> None:
    state = initial_state(scenario)
    snapshot = build_snapshot(scenario, state, 0, ForecastProvider(scenario).view(0, 8))
    assert [session.hard_target for session in snapshot.sessions] == [False, False]
