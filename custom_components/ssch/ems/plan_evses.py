"""One row per EVSE for the plan card: is a car there, what it will have at departure, can it be ready.

Goals are changed through their own entities (datetime, number, select), so each row names them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import numpy as np

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.evse_key import evse_key
from custom_components.ssch.core.model import (
    EvSession,
    FloatArray,
    Plan,
    SessionOutcome,
    StepGrid,
    rounded_list,
)
from custom_components.ssch.csms.errors import UnknownStation
from custom_components.ssch.csms.state import EvseState
from custom_components.ssch.entities.devices import evse_unique_id
from custom_components.ssch.hub_config import ChargerConfig
from custom_components.ssch.runtime import SschConfigEntry

# The goal and car entities of an EVSE the card reads or edits: (platform, key of the unique id).
EVSE_ENTITIES: dict[str, tuple[str, str]] = {
    "departure": ("datetime", "goal_departure"),
    "target_soc": ("number", "goal_target_soc"),
    "charge_mode": ("select", "goal_charge_mode"),
    "ev_soc": ("sensor", "ev_soc"),
    "target_status": ("sensor", "target_status"),
}
# A target counts as reached when the plan gets this close to it (rounding of the solver).
REACHED_TOLERANCE_KWH = 0.1


def _pct(energy_kwh: float, capacity_kwh: float) -> float:
    return round(100.0 * energy_kwh / capacity_kwh, 1) if capacity_kwh > 0 else 0.0


def projected_energy_kwh(session: EvSession, power_kw: FloatArray, grid: StepGrid) -> FloatArray:
    """The car's energy at the end of each step if the plan is followed (efficiency applied each way)."""
    hours = grid.step_minutes / 60.0
    power = np.asarray(power_kw, dtype=float)
    into_car = np.where(power >= 0.0, power * session.charge_efficiency, power / session.discharge_efficiency)
    active = np.array([t < session.departure for t in grid.times()], dtype=bool)
    stored = session.energy_kwh + np.cumsum(into_car * hours * active)
    return np.asarray(np.clip(stored, 0.0, session.capacity_kwh), dtype=float)


def ready_at(session: EvSession, energy_kwh: FloatArray, grid: StepGrid) -> datetime | None:
    """When the car reaches its target under the plan (the plan's start if it has); None if it does not
    by departure."""
    if session.energy_kwh >= session.target_energy_kwh - REACHED_TOLERANCE_KWH:
        return grid.start
    for step, stored in enumerate(energy_kwh):
        start = grid.start + step * grid.step_delta
        if start >= session.departure:
            return None
        if stored >= session.target_energy_kwh - REACHED_TOLERANCE_KWH:
            return min(start + grid.step_delta, session.departure)
    return None


def _entity_ids(
    registry: er.EntityRegistry, entry_id: str, charger: ChargerConfig, evse_id: int
) -> dict[str, str | None]:
    return {
        name: registry.async_get_entity_id(
            platform, DOMAIN, evse_unique_id(entry_id, charger.subentry_id, evse_id, key)
        )
        for name, (platform, key) in EVSE_ENTITIES.items()
    }


def _car(
    session: EvSession, outcome: SessionOutcome | None, plan: Plan, evse: EvseState | None
) -> dict[str, Any]:
    power = plan.evse_power_kw.get(session.evse_id, np.zeros(plan.grid.steps))
    energy = projected_energy_kwh(session, power, plan.grid)
    capacity = session.capacity_kwh
    expected = outcome.expected_energy_kwh if outcome is not None else float(energy[-1])
    target = outcome.target_energy_kwh if outcome is not None else session.target_energy_kwh
    soc = evse.ev_soc_pct if evse is not None else None
    ready = ready_at(session, energy, plan.grid)
    return {
        "session_id": session.session_id,
        "soc_pct": round(soc, 1) if soc is not None else None,
        "soc_known": soc is not None,
        "capacity_kwh": round(capacity, 1),
        "energy_kwh": round(session.energy_kwh, 2),
        "departure": session.departure.isoformat(),
        "expected_energy_kwh": round(expected, 2),
        "target_energy_kwh": round(target, 2),
        "expected_soc_pct": _pct(expected, capacity),
        "target_soc_pct": _pct(target, capacity),
        "ready_at": ready.isoformat() if ready is not None else None,
        "target_reached": session.energy_kwh >= session.target_energy_kwh - REACHED_TOLERANCE_KWH,
        "at_risk": outcome.at_risk if outcome is not None else ready is None,
        "reason": outcome.reason if outcome is not None else None,
        "v2g": session.max_discharge_kw > 0.0,
        "soc_series_pct": [_pct(float(value), capacity) for value in energy],
    }


def _evse_state(
    entry: SschConfigEntry, charger: ChargerConfig, evse_id: int
) -> tuple[bool, EvseState | None]:
    try:
        station = entry.runtime_data.server.state(charger.station_id)
    except UnknownStation:
        return False, None
    return station.connected, station.evses.get(evse_id)


def evse_rows(hass: HomeAssistant, entry: SschConfigEntry) -> list[dict[str, Any]]:
    """Every configured EVSE: its planned power, and its car's outlook when one is plugged in."""
    ems = entry.runtime_data.ems
    plan, snapshot = ems.data.plan, ems.data.snapshot
    sessions = {s.evse_id: s for s in snapshot.sessions if s.plugged_in}
    registry = er.async_get(hass)
    rows = []
    for charger in entry.runtime_data.config.chargers:
        for evse_id in range(1, charger.evse_count + 1):
            key = evse_key(charger.station_id, evse_id)
            online, evse = _evse_state(entry, charger, evse_id)
            session = sessions.get(key)
            power = plan.evse_power_kw.get(key)
            rows.append(
                {
                    "key": key,
                    "name": charger.name if charger.evse_count == 1 else f"{charger.name} EVSE {evse_id}",
                    "charger": charger.name,
                    "evse_id": evse_id,
                    "online": online,
                    "power_kw": rounded_list(power) if power is not None else [],
                    "car": (
                        _car(session, plan.session_outcomes.get(session.session_id), plan, evse)
                        if session is not None
                        else None
                    ),
                    "entities": _entity_ids(registry, entry.entry_id, charger, evse_id),
                }
            )
    return rows
