"""Fixtures for tests that run inside Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from homeassistant.core import HomeAssistant
import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any, socket_enabled: Any) -> None:
    """Load the integration from this repository; each hub runs a real OCPP server on loopback."""


@pytest.fixture(autouse=True)
async def finish_pending_work(hass: HomeAssistant) -> AsyncIterator[None]:
    """A reload a test started (a reconfigure, a new subentry) ends before Home Assistant stops."""
    yield
    await hass.async_block_till_done()
