"""What the EMS keeps across a Home Assistant restart: the last plan and the grid signals."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .core.grid_signals import GridSignal
from .core.model import Plan

_LOGGER = logging.getLogger(__name__)
STORE_VERSION = 1
SAVE_DELAY_S = 10


class EmsStore:
    """One file per hub under .storage; saves are debounced."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """The store of one hub."""
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, f"{DOMAIN}.{entry_id}.ems")

    async def async_load(self) -> tuple[Plan | None, list[GridSignal]]:
        """The saved plan and signals; anything unreadable is dropped with a warning."""
        data = await self._store.async_load() or {}
        plan: Plan | None = None
        signals: list[GridSignal] = []
        try:
            if data.get("plan"):
                plan = Plan.from_dict(data["plan"])
            signals = [GridSignal.from_dict(item) for item in data.get("signals", [])]
        except (KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Ignoring the saved plan and grid signals, they cannot be read: %s", err)
            return None, []
        return plan, signals

    def schedule_save(self, plan: Plan | None, signals: list[GridSignal]) -> None:
        """Save soon; several changes in a row are written once."""
        self._store.async_delay_save(lambda: _data(plan, signals), SAVE_DELAY_S)

    async def async_save(self, plan: Plan | None, signals: list[GridSignal]) -> None:
        """Save now (unload)."""
        await self._store.async_save(_data(plan, signals))


def _data(plan: Plan | None, signals: list[GridSignal]) -> dict[str, Any]:
    return {"plan": plan.to_dict() if plan else None, "signals": [s.to_dict() for s in signals]}
