"""In Home Assistant the hub plans in a child process; deleting the hub or changing its engine ends it."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.core import HomeAssistant

from custom_components.ssch.const import CONF_ENGINE, DOMAIN
from custom_components.ssch.core.plan_worker import PlanWorker

from .common import load_flexible_site, sensor_state_by_unique_id, set_flexible_site_sources


async def test_the_hub_plans_in_a_child_process(hass: HomeAssistant) -> None:
    set_flexible_site_sources(hass)
    with patch("custom_components.ssch.hub.PLAN_IN_CHILD_PROCESS", True):
        entry = await load_flexible_site(hass)
        ems = entry.runtime_data.ems
        worker = ems.planner
        assert isinstance(worker, PlanWorker)
        assert not worker.in_process
        process = worker._process
        assert process is not None
        assert process.poll() is None
        assert ems.data.plan.diagnostics.backend == "cvxpy / Clarabel"
        assert not ems.data.plan.diagnostics.fallback_used
        assert sensor_state_by_unique_id(hass, f"{entry.entry_id}_ems_status").state == "ok"

        # A reload keeps the child (and its compiled problem); another engine gets a new one.
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.runtime_data.ems.planner is worker
        hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_ENGINE: "built-in"})
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        replacement = entry.runtime_data.ems.planner
        assert isinstance(replacement, PlanWorker)
        assert replacement is not worker
        assert process.poll() is not None
        assert entry.runtime_data.ems.data.plan.diagnostics.backend == "built-in / PIQP"

        second = replacement._process
        assert second is not None
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        assert second.poll() is not None
        assert entry.entry_id not in hass.data.get(DOMAIN, {})
