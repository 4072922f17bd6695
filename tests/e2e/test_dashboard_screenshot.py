"""The demo's dashboard in a real browser: headless Chromium signs in, renders the hub's cards, screenshots.

Regenerate the README's images with ``python -m demo.screenshots`` against a running demo.
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

from .demo_process import ROOT, RunningDemo, demo_log

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_dashboard_renders_the_hub_in_chromium(
    demo: RunningDemo, tmp_path: Path, socket_enabled: None
) -> None:
    """Every card of the hub's dashboard renders with live entities; the screenshot is a real PNG."""
    shot = subprocess.run(
        [
            *(sys.executable, "-m", "demo.screenshots", "--dashboard-only", "--json"),
            *("--url", demo.url, "--password", demo.password, "--out", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
    )
    assert shot.returncode == 0, shot.stdout + shot.stderr + demo_log(demo.config)[-3000:]
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
