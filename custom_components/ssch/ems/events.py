"""Bus events for automations: plan changed, target at risk, session ready, grid signal, flexibility."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, DOMAIN
from custom_components.ssch.core.evse_key import session_evse
from custom_components.ssch.core.flexibility_book import Commitment
from custom_components.ssch.core.grid_signals import GridSignal
from custom_components.ssch.core.model import Plan, SiteSnapshot
from custom_components.ssch.entities.event_devices import ATTR_SESSION_ID, event_device_id
from custom_components.ssch.hub_config import HubConfig

EVENT_PLAN_CHANGED = f"{DOMAIN}_plan_changed"
EVENT_TARGET_AT_RISK = f"{DOMAIN}_target_at_risk"
EVENT_SESSION_READY = f"{DOMAIN}_session_ready"
EVENT_GRID_SIGNAL = f"{DOMAIN}_grid_signal"
EVENT_FLEXIBILITY = f"{DOMAIN}_flexibility_commitment"
# A session counts as ready within this much of its target.
READY_TOLERANCE_KWH = 0.1


class EmsEventEmitter:
    """Fires each event once per occurrence, not on every planning round."""

    def __init__(self, hass: HomeAssistant, config: HubConfig) -> None:
        """Events of one hub."""
        self._hass = hass
        self._config = config
        self._names = {c.station_id: c.name for c in config.chargers}
        self._at_risk: set[str] = set()
        self._ready: set[str] = set()

    def _session_data(self, session_id: str) -> dict[str, Any]:
        station_id, evse_id = session_evse(session_id)
        return {
            "hub": self._config.name,
            "charger": self._names.get(station_id, station_id),
            "station_id": station_id,
            "evse_id": evse_id,
            ATTR_CONFIG_ENTRY_ID: self._config.entry_id,
            ATTR_DEVICE_ID: event_device_id(self._hass, self._config, station_id, evse_id),
            ATTR_SESSION_ID: session_id,
        }

    def planned(self, snapshot: SiteSnapshot, plan: Plan) -> None:
        """A new plan: announce it, and every session that became at risk or reached its target."""
        self._hass.bus.async_fire(
            EVENT_PLAN_CHANGED,
            {
                "hub": self._config.name,
                "solver": plan.diagnostics.backend,
                "peak_kw": round(float(plan.grid_import_kw.max()), 3),
            },
        )
        present = {session.session_id for session in snapshot.sessions}
        for session_id, outcome in plan.session_outcomes.items():
            if outcome.at_risk and session_id not in self._at_risk:
                self._hass.bus.async_fire(
                    EVENT_TARGET_AT_RISK,
                    self._session_data(session_id)
                    | {
                        "expected_energy_kwh": round(outcome.expected_energy_kwh, 2),
                        "target_energy_kwh": round(outcome.target_energy_kwh, 2),
                        "reason": outcome.reason,
                    },
                )
        self._at_risk = {sid for sid, outcome in plan.session_outcomes.items() if outcome.at_risk}
        for session in snapshot.sessions:
            if session.session_id in self._ready:
                continue
            if session.energy_kwh >= session.target_energy_kwh - READY_TOLERANCE_KWH:
                self._ready.add(session.session_id)
                self._hass.bus.async_fire(
                    EVENT_SESSION_READY,
                    self._session_data(session.session_id)
                    | {
                        "energy_kwh": round(session.energy_kwh, 2),
                        "soc": round(100.0 * session.energy_kwh / session.capacity_kwh, 1)
                        if session.capacity_kwh
                        else None,
                    },
                )
        self._ready &= present

    def grid_signal(self, signal: GridSignal, state: str) -> None:
        """A grid signal started or ended."""
        self._hass.bus.async_fire(
            EVENT_GRID_SIGNAL,
            {
                "hub": self._config.name,
                ATTR_CONFIG_ENTRY_ID: self._config.entry_id,
                "state": state,
                "import_limit_kw": signal.import_limit_kw,
                "export_limit_kw": signal.export_limit_kw,
            },
        )

    def flexibility(self, commitment: Commitment, state: str) -> None:
        """A flexibility commitment was made, started or ended (with the delivered energy and revenue)."""
        self._hass.bus.async_fire(
            EVENT_FLEXIBILITY,
            {"hub": self._config.name, ATTR_CONFIG_ENTRY_ID: self._config.entry_id, "state": state}
            | commitment.summary(),
        )
