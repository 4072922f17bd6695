"""The hub as Home Assistant OS runs it: cvxpy, OSQP and Clarabel cannot be imported (no musl wheels)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
import sys
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import CONF_ENGINE, DOMAIN
from custom_components.ssch.core.expected_plan import plan_with_expected
from custom_components.ssch.core.planner import Planner, PlannerConfig

from .common import (
    load_flexible_site,
    request_flexibility,
    sensor_state_by_unique_id,
    set_flexible_site_sources,
)

ENGINE_MODULES = tuple(
    f"custom_components.ssch.core.{module}" for module in ("qp_problem", "engine_cvxpy", "engine_builtin")
)


@contextmanager
def cvxpy_blocked() -> Iterator[None]:
    """cvxpy and its solvers unimportable, as on Alpine; the engines import again behind the block."""
    with patch.dict(sys.modules, dict.fromkeys(("cvxpy", "osqp", "clarabel", "scs", "ecos"))):
        for module in ENGINE_MODULES:
            sys.modules.pop(module, None)
        yield


@pytest.fixture
def without_cvxpy() -> Iterator[None]:
    with cvxpy_blocked():
        yield


async def test_the_hub_plans_with_the_built_in_engine(hass: HomeAssistant, without_cvxpy: None) -> None:
    """It loads, its status is ok, no repair is raised, and a flexibility request commits power."""
    set_flexible_site_sources(hass)
    entry = await load_flexible_site(hass)
    ems = entry.runtime_data.ems
    plan = ems.data.plan
    assert plan.diagnostics.backend == "built-in / PIQP"
    assert not plan.diagnostics.fallback_used
    assert sensor_state_by_unique_id(hass, f"{entry.entry_id}_solver_backend").state == "built-in / PIQP"
    assert sensor_state_by_unique_id(hass, f"{entry.entry_id}_ems_status").state == "ok"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "solver_unavailable") is None
    assert "cvxpy" not in [name for name, module in sys.modules.items() if module is not None]

    now = dt_util.utcnow()
    response = await request_flexibility(
        hass,
        direction="down",
        power_kw=10,
        start=(now + timedelta(minutes=30)).isoformat(),
        end=(now + timedelta(hours=1, minutes=30)).isoformat(),
        price_per_kwh=0.4,
    )
    assert response["committed_kw"] > 0.0
    assert not ems.data.plan.diagnostics.fallback_used


async def test_the_built_in_plan_is_the_cvxpy_plan(hass: HomeAssistant) -> None:
    """For the same snapshot the hub's plan without cvxpy equals the plan of the model of record."""
    set_flexible_site_sources(hass)
    with cvxpy_blocked():
        entry = await load_flexible_site(hass)
        result = entry.runtime_data.ems.data
        assert result.plan.diagnostics.backend == "built-in / PIQP"
    reference = plan_with_expected(
        Planner(PlannerConfig(engine="cvxpy")), result.snapshot, list(result.expected)
    )
    assert reference.diagnostics.backend == "cvxpy / Clarabel"
    np.testing.assert_allclose(result.plan.grid_import_kw, reference.grid_import_kw, atol=0.01)
    np.testing.assert_allclose(result.plan.battery_power_kw, reference.battery_power_kw, atol=0.01)
    for evse_id, power in reference.evse_power_kw.items():
        np.testing.assert_allclose(result.plan.evse_power_kw[evse_id], power, atol=0.01)


async def test_the_engine_option_forces_the_built_in_engine(hass: HomeAssistant) -> None:
    """With cvxpy installed, the option "built-in" plans with PIQP; back to automatic, with cvxpy."""
    set_flexible_site_sources(hass)
    entry: MockConfigEntry = await load_flexible_site(hass)
    assert entry.runtime_data.ems.data.plan.diagnostics.backend == "cvxpy / Clarabel"
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_ENGINE: "built-in"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.ems.data.plan.diagnostics.backend == "built-in / PIQP"
    assert sensor_state_by_unique_id(hass, f"{entry.entry_id}_solver_backend").state == "built-in / PIQP"
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_ENGINE: "auto"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.ems.data.plan.diagnostics.backend == "cvxpy / Clarabel"
