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
    assert "Error setting up entry" not in log
