"""The simulated charging stations: the project's OCPP simulator in its own process per protocol version."""

from __future__ import annotations

import asyncio
from datetime import datetime
import os
from pathlib import Path
import sys

from demo.settings import ROOT, DemoSettings


async def start_stations(
    settings: DemoSettings,
    password: str,
    log: Path,
    *,
    count: int,
    version: str = "2.1",
    prefix: str = "SIM",
    start: datetime | None = None,
    seed: int = 1,
) -> asyncio.subprocess.Process:
    """``count`` stations connecting over websockets like real ones, on the demo's simulated clock."""
    timing = ("--start", start.isoformat()) if start is not None else ()
    with log.open("wb") as output:
        return await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "custom_components.ssch.sim"),
            *("--url", f"ws://127.0.0.1:{settings.ocpp_port}/ocpp", "--stations", str(count)),
            *("--version", version, "--prefix", prefix, "--seed", str(seed)),
            *("--speed", str(settings.speed), "--meter-interval", "60", *timing),
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
            env=os.environ | {"SSCH_SIM_PASSWORD": password, "PYTHONUNBUFFERED": "1"},
        )
