"""What the EMS keeps across a Home Assistant restart: the last plan, grid signals, KPI accumulators,
flexibility commitments, the learned arrival profile, the PV and building history and every EVSE's
control settings (goal, cap, exclusion, manual override)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from custom_components.ssch.core.evse_control import EvseControls
from custom_components.ssch.core.flexibility_book import FlexibilityBook
from custom_components.ssch.core.grid_signals import GridSignal
from custom_components.ssch.core.history_bins import Sample, from_compact
from custom_components.ssch.core.model import Plan
from custom_components.ssch.core.session_forecast import SessionForecastConfig, SessionForecaster
from custom_components.ssch.hub_storage import EMS, storage_key

_LOGGER = logging.getLogger(__name__)
STORE_VERSION = 1
SAVE_DELAY_S = 10


class EmsStore:
    """One file per hub under .storage; saves are debounced."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """The store of one hub."""
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, storage_key(entry_id, EMS))

    async def async_load(self, arrival_config: SessionForecastConfig | None = None) -> SavedEms:
        """What was saved; a part that cannot be read is dropped with a warning. The arrival profile
        is restored with ``arrival_config`` (the hub's time zone)."""
        data = await self._store.async_load() or {}
        saved = SavedEms(kpis=data.get("kpis") if isinstance(data.get("kpis"), dict) else None)
        try:
            if data.get("plan"):
                saved.plan = Plan.from_dict(data["plan"])
            saved.signals = [GridSignal.from_dict(item) for item in data.get("signals", [])]
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            _LOGGER.warning("Ignoring the saved plan and grid signals, they cannot be read: %s", err)
            saved.plan, saved.signals = None, []
        if isinstance(data.get("flexibility"), dict):
            try:
                saved.flexibility = FlexibilityBook.from_dict(data["flexibility"])
            except (KeyError, TypeError, ValueError) as err:
                _LOGGER.warning("Ignoring the saved flexibility commitments, they cannot be read: %s", err)
        if isinstance(history := data.get("history"), dict):
            try:
                saved.pv_history = from_compact(history["pv"]) if history.get("pv") else []
                saved.building_history = from_compact(history["building"]) if history.get("building") else []
            except (KeyError, TypeError, ValueError) as err:
                _LOGGER.warning("Ignoring the saved PV and building history, it cannot be read: %s", err)
                saved.pv_history, saved.building_history = [], []
        if isinstance(arrivals := data.get("arrivals"), dict):
            try:
                saved.arrivals = SessionForecaster.from_dict(
                    arrivals, arrival_config or SessionForecastConfig()
                )
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                _LOGGER.warning("Ignoring the learned arrival profile, it cannot be read: %s", err)
        if isinstance(controls := data.get("evse_control"), dict):
            saved.controls = EvseControls.from_dict(controls)
        if isinstance(billed_peak := data.get("billed_peak"), dict):
            saved.billed_peak = billed_peak
        return saved

    def schedule_save(self, data: Callable[[], dict[str, Any]]) -> None:
        """Save soon; several changes in a row are written once."""
        self._store.async_delay_save(data, SAVE_DELAY_S)

    async def async_save(self, data: dict[str, Any]) -> None:
        """Save now (unload)."""
        await self._store.async_save(data)


@dataclass(slots=True)
class SavedEms:
    """The parts of a saved EMS state."""

    plan: Plan | None = None
    signals: list[GridSignal] = field(default_factory=list)
    kpis: dict[str, Any] | None = None
    flexibility: FlexibilityBook | None = None
    arrivals: SessionForecaster | None = None
    pv_history: list[Sample] = field(default_factory=list)
    building_history: list[Sample] = field(default_factory=list)
    # None: never saved (a hub from before the EMS kept them), so they come from the entities' last states.
    controls: EvseControls | None = None
    billed_peak: dict[str, Any] | None = None


def ems_data(
    plan: Plan | None,
    signals: list[GridSignal],
    kpis: dict[str, Any],
    flexibility: dict[str, Any] | None = None,
    arrivals: dict[str, Any] | None = None,
    *,
    history: dict[str, Any] | None = None,
    controls: dict[str, Any] | None = None,
    billed_peak: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON-ready form of what the EMS keeps; ``history`` holds the PV and building power per
    plan step (``history_bins.to_compact``), ``controls`` every EVSE's control record."""
    return {
        "plan": plan.to_dict() if plan else None,
        "signals": [s.to_dict() for s in signals],
        "kpis": kpis,
        "flexibility": flexibility,
        "arrivals": arrivals,
        "history": history,
        "evse_control": controls,
        "billed_peak": billed_peak,
    }
