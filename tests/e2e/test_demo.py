"""The README's first command: a real Home Assistant comes up with a complete hub."""

from __future__ import annotations

from pathlib import Path
import subprocess

from .demo_process import ROOT, demo_command, demo_log


def test_demo_starts_home_assistant_with_a_complete_hub(tmp_path: Path, socket_enabled: None) -> None:
    """Onboarding, the hub's flows, 12 OCPP 2.1 and 2 OCPP 2.0.1 stations, site, bookings, a clean stop."""
    config = tmp_path / "config"
    result = subprocess.run(
        demo_command(config, "--exit-after-setup"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    log = demo_log(config)
    assert result.returncode == 0, result.stdout + result.stderr + log[-4000:]
    assert "demo is running" in result.stdout
    assert "14 of 14 charging stations connected." in result.stdout
    assert "12 simulated stations on OCPP 2.1 and 2 on 2.0.1" in result.stdout
    assert "real-data profiles" in result.stdout
    assert "Password:" in result.stdout
    assert "Stopped." in result.stdout
    assert "bookings made: 3" in result.stdout
    assert "The hub plans with: cvxpy / Clarabel" in result.stdout
    assert "Error setting up entry" not in log


def test_demo_runs_as_home_assistant_os_does(tmp_path: Path, socket_enabled: None) -> None:
    """`--engine built-in`: Home Assistant cannot import cvxpy, and the hub plans with its built-in engine."""
    config = tmp_path / "config"
    result = subprocess.run(
        demo_command(
            config, "--exit-after-setup", "--engine", "built-in", "--stations", "2", "--legacy-stations", "0"
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    log = demo_log(config)
    assert result.returncode == 0, result.stdout + result.stderr + log[-4000:]
    assert "The hub plans with: built-in / PIQP" in result.stdout
    assert "2 of 2 charging stations connected." in result.stdout
    assert "solver_unavailable" not in log
    assert "Error setting up entry" not in log
