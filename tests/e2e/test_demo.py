"""The README's first command: a real Home Assistant comes up with a loaded hub."""

from __future__ import annotations

from pathlib import Path
import socket
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_demo_starts_home_assistant_with_a_loaded_hub(tmp_path: Path, socket_enabled: None) -> None:
    """Onboarding, the hub's config flow, twelve chargers that connect, and a clean stop."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "demo_hub.py"),
            "--exit-after-setup",
            "--config",
            str(tmp_path / "config"),
            "--port",
            str(_free_port()),
            "--ocpp-port",
            str(_free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    log = (
        (tmp_path / "config" / "demo.log").read_text() if (tmp_path / "config" / "demo.log").exists() else ""
    )
    assert result.returncode == 0, result.stdout + result.stderr + log[-4000:]
    assert "demo is running" in result.stdout
    assert "12 of 12 charging stations connected." in result.stdout
    assert "Password:" in result.stdout
    assert "Stopped." in result.stdout
    assert "Error setting up entry" not in log
