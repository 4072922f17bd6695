"""The command-line runner on the tiny scenario."""

from __future__ import annotations

import json
from pathlib import Path
import runpy
import sys

import pytest

from benchmarks import run
from benchmarks.scenario import save_scenario, scenario_from_dict
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
