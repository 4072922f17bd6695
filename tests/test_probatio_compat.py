"""The config, subentry and discovery flows work with Home Assistant 2026.11's validation library.

Home Assistant 2026.11 replaces voluptuous with probatio and aliases ``voluptuous`` to it; the
integration's schemas are built with ``voluptuous``. These flow tests run again with the same alias.
"""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys

import pytest

pytest.importorskip("probatio")

ROOT = Path(__file__).resolve().parent.parent
FLOW_TESTS = (
    "tests/integration/test_config_flow.py",
    "tests/integration/test_subentry_flows.py",
    "tests/integration/test_discovery.py::test_a_discovered_station_is_confirmed_as_a_charger_and_connects",
)


def test_the_flows_pass_with_probatio_as_voluptuous() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COV_CORE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.probatio_shim",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:pytest_cov",
            "-n",
            "0",
            *FLOW_TESTS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
