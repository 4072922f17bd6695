"""The README's first command: a real Home Assistant comes up with a complete hub."""

from __future__ import annotations

from pathlib import Path
import subprocess

from .demo_process import ROOT, demo_command, demo_log


def _set_up_demo(config: Path, *options: str) -> tuple[str, str]:
    """Run the demo until its hub is set up; its output and Home Assistant's log."""
    result = subprocess.run(
        demo_command(config, "--exit-after-setup", *options),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    log = demo_log(config)
    assert result.returncode == 0, result.stdout + result.stderr + log[-4000:]
    assert "Error setting up entry" not in log
    return result.stdout, log


def test_demo_starts_home_assistant_with_a_complete_hub(tmp_path: Path, socket_enabled: None) -> None:
    """Onboarding, the hub's flows, 12 OCPP 2.1, 2 OCPP 2.0.1 and 2 OCPP 1.6 stations, site, bookings, a
    clean stop."""
    output, _ = _set_up_demo(tmp_path / "config")
    assert "demo is running" in output
    assert "16 of 16 charging stations connected." in output
    assert "12 simulated stations on OCPP 2.1, 2 on 2.0.1 and 2 on 1.6" in output
    assert "real-data profiles" in output
    assert "Password:" in output
    assert "Stopped." in output
    assert "bookings made: 3" in output
    assert "The hub plans with: cvxpy / Clarabel" in output


def test_demo_runs_as_home_assistant_os_does(tmp_path: Path, socket_enabled: None) -> None:
    """`--engine built-in`: Home Assistant cannot import cvxpy, and the hub plans with its built-in engine."""
    output, log = _set_up_demo(
        tmp_path / "config",
        *("--engine", "built-in", "--stations", "2", "--legacy-stations", "0", "--ocpp16-stations", "0"),
    )
    assert "The hub plans with: built-in / PIQP" in output
    assert "2 of 2 charging stations connected." in output
    assert "cvxpy is not installed (the demo runs as Home Assistant OS does)" in log
    assert "solver_unavailable" not in log
