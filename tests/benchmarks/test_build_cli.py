"""Building scenarios on demand and fetching wheels, without touching the real data folder."""

from __future__ import annotations

from pathlib import Path
import subprocess
from typing import Any

import pytest

from benchmarks import build, wheels
from benchmarks.scenario import scenario_from_dict
from tests.benchmarks.tiny import tiny_scenario_dict


def test_scenarios_are_built_once_and_then_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []

    def tiny_builder() -> Any:
        calls.append("built")
        return scenario_from_dict(tiny_scenario_dict())

    monkeypatch.setattr(build, "DATA_DIR", tmp_path)
    monkeypatch.setitem(build.BUILDERS, "S1", tiny_builder)
    build.main(["S1"])
    assert (tmp_path / "S1.json").exists()
    assert "S1: 8 steps, 2 sessions" in capsys.readouterr().out
    assert build.ensure_scenario("S1").name == "tiny"
    assert calls == ["built"]


def test_a_missing_wheel_is_downloaded_with_its_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: Any) -> None:
        commands.append(command)
        (tmp_path / wheels.WHEELS["demandlib"]).write_bytes(b"")

    monkeypatch.setattr(subprocess, "run", fake_run)
    path = wheels.wheel_path("demandlib", tmp_path)
    assert path.exists()
    assert commands[0][-1] == "demandlib==0.2.2"
    assert "--no-deps" in commands[0]
    wheels.wheel_path("demandlib", tmp_path)
    assert len(commands) == 1
