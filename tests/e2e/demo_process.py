"""Run ``./scripts/demo``'s program as a subprocess on free ports, as the end-to-end tests need it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
import signal
import subprocess
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


@dataclass(slots=True)
class RunningDemo:
    """A demo that runs until the block that started it ends; ``output`` is complete after it stopped."""

    url: str
    password: str
    config: Path
    output: str = ""


def _wait_until_running(demo: subprocess.Popen[str]) -> tuple[str, str, list[str]]:
    """Read the demo's output until it says it runs; the address, the password and the lines so far."""
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
            return url, password, seen
    raise AssertionError("the demo stopped before it ran:\n" + "".join(seen))


@contextmanager
def running_demo(config: Path, *options: str) -> Iterator[RunningDemo]:
    """The demo with a browser-ready dashboard until the block ends; then it is stopped with Ctrl-C."""
    demo = subprocess.Popen(
        demo_command(config, *options),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    seen: list[str] = []
    try:
        url, password, seen = _wait_until_running(demo)
        running = RunningDemo(url, password, config)
        yield running
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=120)
    running.output = "".join(seen) + rest
