"""One demo for all browser tests: starting Home Assistant with 16 stations costs more than the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket

from demo.browser import browser_available

from .demo_process import RunningDemo, running_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    """The demo at 60x simulated time, shared by the browser tests; stopped after the last of them."""
    if not browser_available():
        pytest.skip("./scripts/setup installs Debian's chromium")
    # Set up inside the first test that asks, possibly before that test's own ``socket_enabled``.
    pytest_socket.enable_socket()
    config: Path = tmp_path_factory.mktemp("demo") / "config"
    with running_demo(config, "--speed", "60") as running:
        yield running
    assert "Stopped." in running.output, running.output[-3000:]
