"""The command-line runner on the tiny scenario."""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path
import runpy
import sys

import pytest

from benchmarks import run, summarize
from benchmarks.controllers import Decision
from benchmarks.dispatch import MinimumPower
from benchmarks.report import SAME_END
from benchmarks.scenario import save_scenario, scenario_from_dict
from benchmarks.site_state import initial_state
from custom_components.ssch.core.kpi import KpiReport
from custom_components.ssch.core.model import SiteSnapshot
from tests.benchmarks.tiny import tiny_scenario_dict


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    save_scenario(scenario_from_dict(tiny_scenario_dict()), path)
    return path


def test_runner_prints_tables_and_writes_json(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "result.json"
    code = run.main([str(scenario_file), "--controller", "perfect", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "== uncontrolled ==" in printed
    assert "== perfect ==" in printed
    assert "peak reduction vs uncontrolled" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["controllers"]) == {"uncontrolled", "perfect"}
    perfect = result["controllers"]["perfect"]
    assert perfect["versus_uncontrolled"]["peak_reduction"] > 0
    assert perfect["kpis"]["feasible_sessions_met_share"] == 1.0
    assert result["controllers"]["uncontrolled"]["versus_uncontrolled"] is None


def test_runner_with_noise_and_fewer_steps(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(
        [str(scenario_file), "--controller", "uncontrolled", "--forecast-noise", "0.2", "--steps", "4"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "4 steps of 15 min" in printed
    assert "forecast noise 0.2" in printed
    assert "cost gap to perfect" not in printed


def test_fallback_is_measured_against_the_mpc(
    scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run.main(
        [
            str(scenario_file),
            "--controller",
            "fallback",
            "--controller",
            "mpc",
            "--solver",
            "clarabel",
            "--horizon",
            "8",
            "--progress",
            "4",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    fallback_table = captured.out.split("== fallback ==")[1]
    assert "cost gap to mpc" in fallback_table
    assert "mpc: 8 steps in" in captured.err


def test_scenarios_are_found_by_builder_name(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = scenario_from_dict(tiny_scenario_dict())
    monkeypatch.setattr(run, "ensure_scenario", lambda name: tiny)
    assert run.resolve_scenario("S2") is tiny


def test_results_are_summarised_as_markdown(
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "result.json"
    run.main([str(scenario_file), "--controller", "perfect", "--json", str(out)])
    capsys.readouterr()
    # As `python -m benchmarks.summarize` runs it.
    monkeypatch.setattr(sys, "argv", ["summarize", str(out)])
    monkeypatch.delitem(sys.modules, "benchmarks.summarize", raising=False)
    runpy.run_module("benchmarks.summarize", run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| scenario |")
    assert len(lines) == 4
    assert lines[2].startswith("| tiny | 0.0 | uncontrolled |")
    assert "| perfect |" in lines[3]


class _BatteryFiller:
    """Charges every car and the battery at full power: it ends the replay with a full battery."""

    name = "fallback"
    guarded = True

    def decide(self, step: int, snapshot: SiteSnapshot) -> Decision:
        return Decision(
            session_power_kw={s.session_id: s.max_charge_kw for s in snapshot.sessions},
            battery_power_kw=5.0,
        )


def test_a_run_that_fills_the_battery_is_also_measured_against_the_lp_that_does(
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = run.make_controller

    def controller(name: str, *args: object, **kwargs: object) -> object:
        return _BatteryFiller() if name == "fallback" else original(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "make_controller", controller)
    out = tmp_path / "result.json"
    code = run.main(
        [str(scenario_file), "--controller", "perfect", "--controller", "fallback", "--json", str(out)]
    )
    assert code == 0
    fallback_table = capsys.readouterr().out.split("== fallback ==")[1]
    assert "battery energy at the end            9.0 kWh" in fallback_table
    result = json.loads(out.read_text(encoding="utf-8"))
    perfect, filler = result["controllers"]["perfect"], result["controllers"]["fallback"]
    assert perfect["battery_end_kwh"] == pytest.approx(5.0, abs=1e-6)
    assert filler["battery_end_kwh"] == pytest.approx(9.0, abs=1e-6)
    # The LP that also ends full is dearer, so the gap to it is smaller than the gap to the plain LP.
    assert 0.0 < filler["gaps"][SAME_END]["total_cost"] < filler["gaps"]["perfect"]["total_cost"]
    assert f"cost gap to {SAME_END}" in fallback_table
    assert perfect["gaps"] == {}
    rows = summarize.summary_rows(result)
    same_end_column = rows[-1].split(" | ")[6]
    assert same_end_column == f"{filler['gaps'][SAME_END]['total_cost']:+.1%}"
    # Runs that ended where the LP did show their plain gap; files from before show none.
    assert rows[0].split(" | ")[6] == rows[0].split(" | ")[5]
    del (
        result["controllers"]["fallback"]["battery_end_kwh"],
        result["controllers"]["fallback"]["gaps"][SAME_END],
    )
    assert summarize.summary_rows(result)[-1].split(" | ")[6] == "-"


def test_the_same_end_lp_runs_only_for_whole_replays_that_end_elsewhere() -> None:
    report = run.run_controller(
        scenario_from_dict(tiny_scenario_dict()),
        "uncontrolled",
        noise=0.0,
        seed=1,
        horizon_steps=8,
        steps=None,
    ).report

    def ended(kwh: float | None) -> run.ControllerRun:
        return run.ControllerRun(report, 1.0, kwh)

    runs = {"uncontrolled": ended(5.0), "perfect": ended(5.0), "mpc": ended(7.5), "fallback": ended(5.05)}
    assert run.ends_elsewhere(runs, full_replay=True) == {"mpc": 7.5}
    assert run.ends_elsewhere(runs, full_replay=False) == {}
    assert run.ends_elsewhere({"mpc": ended(7.5)}, full_replay=True) == {}
    assert run.ends_elsewhere({"perfect": ended(None), "mpc": ended(None)}, full_replay=True) == {}


def test_minimum_current_option(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--min-current-a`` applies the rule to every replay and is recorded; without it nothing is."""
    out = tmp_path / "minimum.json"
    code = run.main(
        [
            str(scenario_file),
            "--controller",
            "perfect",
            "--min-current-a",
            "6",
            "--phases",
            "1",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    assert "minimum power 1.38 kW (6 A x 1), rounding up below the billed peak" in capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["minimum"] == {
        "current_a": 6.0,
        "phases": 1,
        "voltage_v": 230.0,
        "power_kw": pytest.approx(1.38),
        "round_up_below": "peak",
        "consolidated": True,
    }
    plain = tmp_path / "plain.json"
    run.main([str(scenario_file), "--controller", "perfect", "--json", str(plain)])
    assert "minimum" not in json.loads(plain.read_text(encoding="utf-8"))
    assert "minimum power" not in capsys.readouterr().out


def test_minimum_current_changes_the_replay_only_when_asked(scenario_file: Path) -> None:
    """The rule moves the tiny scenario's perfect schedule (it has values below 4.14 kW); 0 A is off."""
    scenario = run.resolve_scenario(str(scenario_file))

    def replay(minimum: MinimumPower | None) -> KpiReport:
        return run.run_controller(
            scenario, "perfect", noise=0.0, seed=7, horizon_steps=8, steps=None, minimum=minimum
        ).report

    plain, off, ruled = replay(None), replay(run.minimum_power(0.0)), replay(run.minimum_power(6.0))
    assert replace(off, solve_time_median_s=0.0, solve_time_p95_s=0.0) == replace(
        plain, solve_time_median_s=0.0, solve_time_p95_s=0.0
    )
    assert ruled.total_cost_eur != pytest.approx(plain.total_cost_eur)


def test_the_plan_controllers_keep_the_minimum_in_their_setpoints_unless_dispatch_only(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``--min-current-a`` the MPC and the fallback consolidate their setpoints (the LP and the
    uncontrolled run do not plan); ``--dispatch-only`` leaves that to the dispatch, as before."""
    made: list[tuple[str, object]] = []
    original = run.make_controller

    def recording(name: str, *args: object, **kwargs: object) -> object:
        controller = original(name, *args, **kwargs)  # type: ignore[arg-type]
        made.append((name, getattr(controller, "minimum_kw", "no plan")))
        return controller

    monkeypatch.setattr(run, "make_controller", recording)
    for extra in ([], ["--dispatch-only"]):
        made.clear()
        out = tmp_path / f"result{len(extra)}.json"
        argv = [str(scenario_file), "--controller", "fallback", "--min-current-a", "6", "--json", str(out)]
        assert run.main(argv + extra) == 0
        assert json.loads(out.read_text(encoding="utf-8"))["minimum"]["consolidated"] is not bool(extra)
        minimum_kw = None if extra else pytest.approx(4.14)
        assert made == [("uncontrolled", "no plan"), ("fallback", minimum_kw)]
    assert ", dispatch only" in capsys.readouterr().out
    scenario = run.resolve_scenario(str(scenario_file))
    mpc = original("mpc", scenario, initial_state(scenario), sessions="none", minimum_kw=4.14)
    assert getattr(mpc, "minimum_kw", None) == 4.14


def test_minimum_power_of_a_current() -> None:
    assert run.minimum_power(None) is None
    assert run.minimum_power(0.0) is None
    assert run.minimum_power(6.0) == MinimumPower(pytest.approx(4.14), True)  # type: ignore[arg-type]
    assert run.minimum_power(6.0, 1, 230.0, "limit") == MinimumPower(pytest.approx(1.38), False)  # type: ignore[arg-type]


def test_a_negative_minimum_current_is_refused(scenario_file: Path) -> None:
    with pytest.raises(SystemExit):
        run.main([str(scenario_file), "--min-current-a", "-6"])
