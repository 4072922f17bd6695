"""Fixtures for tests that run inside Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.core import HomeAssistant
import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any, socket_enabled: Any) -> None:
    """Load the integration from this repository; each hub runs a real OCPP server on loopback."""


@pytest.fixture(autouse=True)
def config_in_tmp_path(hass: HomeAssistant, tmp_path: Path) -> None:
    """Files a hub writes itself (the stations' journal) go to the test's own folder."""
    (tmp_path / ".storage").mkdir()
    hass.config.config_dir = str(tmp_path)


@pytest.fixture(autouse=True)
def plan_in_process() -> Iterator[None]:
    """Hubs plan in the test's process: a child process per hub would cost seconds per test. The
    child process itself is tested in ``test_plan_worker.py``."""
    with patch("custom_components.ssch.hub.PLAN_IN_CHILD_PROCESS", False):
        yield


@pytest.fixture(autouse=True)
async def finish_pending_work(hass: HomeAssistant) -> AsyncIterator[None]:
    """A reload a test started (a reconfigure, a new subentry) ends before Home Assistant stops."""
    yield
    await hass.async_block_till_done()


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Every entity starts enabled, also those off by default (diagnostics that change often)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield
