"""What the MPC is told about cars not plugged in yet: nothing, a learned profile, or the truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run, summarize
from benchmarks.closed_loop import replay
from benchmarks.core_controllers import learned_sessions, mpc_controller
from benchmarks.forecast_view import ForecastProvider
from benchmarks.scenario import Scenario, save_scenario, scenario_from_dict
from benchmarks.session_history import history_sessions
from benchmarks.session_oracle import oracle_sessions
from benchmarks.site_state import initial_state
from benchmarks.snapshots import build_snapshot
from custom_components.ssch.core.expected_plan import EXPECTED_PREFIX
from custom_components.ssch.core.kpi import compute_kpis
from tests.benchmarks.tiny import tiny_scenario_dict


@pytest.fixture
def scenario() -> Scenario:
    return scenario_from_dict(tiny_scenario_dict())


def test_the_oracle_names_the_next_arrivals_on_their_chargers(scenario: Scenario) -> None:
    state = initial_state(scenario)
    source = oracle_sessions(scenario, state)
    provider = ForecastProvider(scenario)
    first = build_snapshot(scenario, state, 0, provider.view(0, 8))
    upcoming = source(first)
    assert [s.session_id for s in upcoming] == [f"{EXPECTED_PREFIX}s00001"]
    car = upcoming[0]
    assert car.evse_id == "c2"
    assert not car.plugged_in
    assert not car.hard_target
    assert car.arrival == scenario.time_of(1)
    assert car.energy_kwh == pytest.approx(30.0)
    assert car.target_energy_kwh == pytest.approx(36.0)
    # Once the car is plugged in it is a present session, no longer an upcoming one.
    assert source(build_snapshot(scenario, state, 1, provider.view(1, 8))) == []


@pytest.mark.parametrize("source", ["oracle", "learned"])
def test_mpc_with_future_sessions_meets_targets_within_the_limit(scenario: Scenario, source: str) -> None:
    state = initial_state(scenario)
    sessions = (
        oracle_sessions(scenario, state) if source == "oracle" else learned_sessions("Europe/Amsterdam")
    )
    flows = replay(
        scenario, state, mpc_controller(None, sessions), ForecastProvider(scenario), horizon_steps=8
    )
    report = compute_kpis(flows)
    assert report.feasible_sessions_met_share == 1.0
    assert report.steps_above_limit == 0
    assert report.failed_ticks == 0


def test_runner_records_the_session_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tiny.json"
    save_scenario(scenario_from_dict(tiny_scenario_dict()), path)
    out = tmp_path / "oracle.json"
    for source in ("oracle", "learned", "none"):
        args = [str(path), "--controller", "mpc", "--sessions", source, "--json", str(out)]
        assert run.main([*args, "--session-scale", "1.0"]) == 0
        assert f"future sessions: {source}" in capsys.readouterr().out
        result = json.loads(out.read_text(encoding="utf-8"))
        assert result["sessions"] == source
        assert result["session_scale"] == 1.0
        assert result["controllers"]["mpc"]["kpis"]["feasible_sessions_met_share"] == 1.0
        rows = summarize.summary_rows(result)
        label = {
            "oracle": "mpc (oracle sessions, scale 1.0)",
            "learned": "mpc (scale 1.0)",
            "none": "mpc (plugged-in cars only, scale 1.0)",
        }[source]
        assert rows[-1].startswith(f"| tiny | 0.0 | {label} |")
    # As the hub runs it: arrivals learned at the default scale.
    assert summarize.summary_rows({**result, "sessions": "learned", "session_scale": None})[-1].startswith(
        "| tiny | 0.0 | mpc |"
    )


def _with_history() -> Scenario:
    data = tiny_scenario_dict()
    data["history"] = {
        "start": "2023-06-26T00:00:00+00:00",
        "end": "2023-07-03T00:00:00+00:00",
        "sessions": [
            {
                "charger": "c1",
                "arrival": f"2023-06-{day}T01:15:00+00:00",
                "departure": f"2023-06-{day}T02:45:00+00:00",
                "energy_kwh": 5.0,
            }
            for day in (26, 27, 28, 29, 30)
        ],
    }
    return scenario_from_dict(data)


def test_history_sessions_are_read_from_the_scenario(scenario: Scenario) -> None:
    assert history_sessions(scenario) is None
    recorded = history_sessions(_with_history())
    assert recorded is not None
    sessions, start, end = recorded
    assert len(sessions) == 5
    assert sessions[0].evse_id == "c1"
    assert sessions[0].max_charge_kw == 11.0
    assert sessions[0].energy_needed_kwh == pytest.approx(5.0)
    assert (end - start).days == 7


def test_learned_sessions_start_from_the_history() -> None:
    scenario = _with_history()
    state = initial_state(scenario)
    source = learned_sessions("UTC", history_sessions(scenario))
    snapshot = build_snapshot(scenario, state, 0, ForecastProvider(scenario).view(0, 8))
    expected = source(snapshot)
    # Monday 00:00 UTC: every recorded working day had one 5 kWh car at 01:15. Twice that is
    # expected by default, less the car already here in the same three-hour bin.
    assert scenario.sessions[0].arrival == scenario.start
    assert len(expected) == 1
    assert expected[0].arrival == scenario.time_of(5)
    assert expected[0].target_energy_kwh == pytest.approx(5.0)
    more = learned_sessions("UTC", history_sessions(scenario), scale=3.0)(snapshot)
    assert more[0].target_energy_kwh == pytest.approx(10.0)
