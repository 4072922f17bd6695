"""The demo's dashboard in a real browser: headless Chromium signs in, renders the hub's cards, screenshots.

Regenerate the README's images with ``python -m demo.screenshots`` against a running demo.
"""

from __future__ import annotations

import json
from pathlib import Path
import signal
import subprocess
import sys

import pytest

from demo.browser import browser_available

from .demo_process import ROOT, demo_command, demo_log

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _wait_until_running(demo: subprocess.Popen[str]) -> tuple[str, str]:
    """Read the demo's output until it says it runs; return the address and the password."""
    assert demo.stdout is not None
    seen: list[str] = []
    url = password = ""
    for line in demo.stdout:
        seen.append(line)
        if line.strip().startswith("Open:"):
            url = line.split()[1].rsplit("/", 1)[0]
        if line.strip().startswith("Password:"):
            password = line.split()[1]
        if "Press Ctrl-C" in line:
            return url, password
    raise AssertionError("the demo stopped before it ran:\n" + "".join(seen))


@pytest.mark.skipif(not browser_available(), reason="./scripts/setup installs Debian's chromium")
def test_dashboard_renders_the_hub_in_chromium(tmp_path: Path, socket_enabled: None) -> None:
    """Every card of the hub's dashboard renders with live entities; the screenshot is a real PNG."""
    config = tmp_path / "config"
    demo = subprocess.Popen(
        demo_command(config, "--speed", "60"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        url, password = _wait_until_running(demo)
        shot = subprocess.run(
            [
                *(sys.executable, "-m", "demo.screenshots", "--dashboard-only", "--json"),
                *("--url", url, "--password", password, "--out", str(tmp_path)),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=ROOT,
        )
        assert shot.returncode == 0, shot.stdout + shot.stderr + demo_log(config)[-3000:]
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=120)
    rendered = json.loads(shot.stdout.strip().splitlines()[-1])
    assert {"Hub", "Grid power and the plan", "Chargers", "Site", "Key figures"} <= set(rendered["titles"])
    bays = [f"Bay {number:02d}" for number in range(1, 15)]
    assert sorted(rendered["tiles"]) == [*bays, "Wallbox 01", "Wallbox 02"]
    assert {"hui-entities-card", "hui-history-graph-card", "hui-tile-card", "hui-calendar-card"} <= set(
        rendered["cards"]
    )
    assert rendered["warnings"] == []
    image = (tmp_path / "dashboard.png").read_bytes()
    assert image.startswith(PNG_SIGNATURE)
    assert len(image) > 50_000
    assert "Stopped." in output
