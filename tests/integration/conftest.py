"""Fixtures for tests that run inside Home Assistant."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any, socket_enabled: Any) -> None:
    """Load the integration from this repository; each hub runs a real OCPP server on loopback."""
