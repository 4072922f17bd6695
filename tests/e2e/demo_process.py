"""Run ``./scripts/demo``'s program as a subprocess on free ports, as the end-to-end tests need it."""

from __future__ import annotations

from pathlib import Path
import sys

from demo.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def demo_command(config: Path, *extra: str) -> list[str]:
    """The demo on its own configuration directory and free ports."""
    return [
        sys.executable,
        "-m",
        "demo",
        *("--config", str(config)),
        *("--port", str(free_port())),
        *("--ocpp-port", str(free_port())),
        *extra,
    ]


def demo_log(config: Path) -> str:
    """Home Assistant's output during the demo (empty when it never started)."""
    log = config / "demo.log"
    return log.read_text() if log.exists() else ""
