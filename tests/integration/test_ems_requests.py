"""Re-plan requests: one that arrives during a solve is planned right after it, bursts are coalesced."""

from __future__ import annotations

import asyncio
import threading

from homeassistant.core import HomeAssistant

from custom_components.ssch.core.model import Plan, SiteSnapshot
from custom_components.ssch.ems.coordinator import EmsCoordinator

from .common import charger_data, hub_entry, load_hub, set_source_states, subentry


class GatedPlanner:
    """Wraps the hub's planner: each solve waits until the test opens the gate."""

    def __init__(self, ems: EmsCoordinator) -> None:
        self._plan = ems.planner.plan
        self.gate = threading.Event()
        self.started = threading.Event()
        self.snapshots: list[SiteSnapshot] = []

    def plan(self, snapshot: SiteSnapshot) -> Plan:
        self.snapshots.append(snapshot)
        self.started.set()
        self.gate.wait(timeout=30)
        return self._plan(snapshot)


async def _loaded_ems(hass: HomeAssistant) -> EmsCoordinator:
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    ems: EmsCoordinator = entry.runtime_data.ems
    return ems


async def test_request_during_a_solve_is_planned_after_it(hass: HomeAssistant) -> None:
    """HA's debouncer would drop the second request; here it gets its own, later plan."""
    ems = await _loaded_ems(hass)
    gated = GatedPlanner(ems)
    ems.planner.plan = gated.plan  # type: ignore[method-assign]

    first = hass.async_create_task(ems.async_request_refresh())
    await hass.async_add_executor_job(gated.started.wait, 10)
    second = hass.async_create_task(ems.async_request_refresh())
    third = hass.async_create_task(ems.async_request_refresh())
    await asyncio.sleep(0.05)
    assert not second.done(), "a request made during a solve must wait for a newer plan"

    gated.gate.set()
    await asyncio.wait_for(asyncio.gather(first, second, third), timeout=30)
    # One solve for the first request, one more for both requests made while it ran.
    assert len(gated.snapshots) == 2
    assert ems.data.snapshot is gated.snapshots[1]


async def test_request_after_a_plan_is_not_swallowed(hass: HomeAssistant) -> None:
    """Back-to-back requests each see a plan made after they were asked for."""
    ems = await _loaded_ems(hass)
    gated = GatedPlanner(ems)
    gated.gate.set()
    ems.planner.plan = gated.plan  # type: ignore[method-assign]

    await ems.async_request_refresh()
    await ems.async_request_refresh()
    assert len(gated.snapshots) == 2
