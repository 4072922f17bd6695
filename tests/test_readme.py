"""The README's commands run as written, and its links lead somewhere."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import os
from pathlib import Path
import re
import shlex
import signal
import subprocess
import sys
import time

import pytest

from demo.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
VENV_PYTHON = ".venv/bin/python"


def _code_lines() -> list[str]:
    """Every line of the README's fenced code blocks."""
    blocks = re.findall(r"^ *```[a-z]*\n(.*?)^ *```", README, flags=re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _command(module: str, port: int) -> list[str]:
    """The README's command that runs ``module``, on a free port instead of 9000 and with this Python."""
    (line,) = [line for line in _code_lines() if line.startswith(f"{VENV_PYTHON} -m {module} ")]
    words = shlex.split(line.replace(":9000", f":{port}").replace("--port 9000", f"--port {port}"))
    return [sys.executable, *words[1:]]


@contextlib.contextmanager
def _server(command: list[str], folder: Path) -> Iterator[subprocess.Popen[str]]:
    env = os.environ | {"PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(folder / "state")}
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_two_setup_commands() -> None:
    """The "Try it" commands are there, as written, and are scripts of this repository."""
    assert "./scripts/demo    # a real Home Assistant" in README
    assert "./scripts/test    # lint, strict type checks" in README
    for script in ("demo", "test", "setup"):
        assert os.access(ROOT / "scripts" / script, os.X_OK)


@pytest.mark.usefixtures("socket_enabled")
def test_the_standalone_server_and_simulator(tmp_path: Path) -> None:
    """The server command, then the simulator command (for a few seconds): every simulated station
    connects, and the server stops cleanly on Ctrl-C."""
    port = free_port()
    server_command = _command("custom_components.ssch.csms", port)
    simulator_command = _command("custom_components.ssch.sim", port)
    stations = int(simulator_command[simulator_command.index("--stations") + 1])
    with _server(server_command, tmp_path) as server:
        assert server.stdout is not None
        deadline = time.monotonic() + 30
        while "listening on" not in server.stdout.readline():
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
        simulator = subprocess.run(
            [*simulator_command, "--duration", "4"],
            cwd=tmp_path,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert simulator.returncode == 0, simulator.stdout + simulator.stderr
        assert f"connected {stations}/{stations}" in simulator.stdout
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    connected = set(re.findall(r"StationConnected \{'station_id': '(\w+)'", output))
    assert connected == {f"SIM{number:02d}" for number in range(1, stations + 1)}
    # The state is kept in the user's state directory, not in the folder the server was started from.
    assert (tmp_path / "state" / "ssch-csms" / "state.json").exists()
    assert not list(tmp_path.glob("*.json"))


def test_the_demo_options_exist() -> None:
    """Every ``./scripts/demo`` option the README names is one the demo takes."""
    named = set(re.findall(r"`(?:\./scripts/demo )?(--[a-z0-9-]+)[ `]", README.split("## Install")[0]))
    help_text = subprocess.run(
        [sys.executable, "-m", "demo", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert named
    assert {option for option in named if option not in help_text} == set()


@pytest.mark.parametrize("target", sorted(set(re.findall(r"\]\(((?!https?:)[^)#]+)\)", README))))
def test_links_lead_to_files(target: str) -> None:
    assert (ROOT / target).exists(), target
