"""The sessions a scenario records before its start (its optional ``history`` entry)."""

from __future__ import annotations

from datetime import datetime

from benchmarks.scenario import Scenario
from custom_components.ssch.core.model import EvSession


def history_sessions(scenario: Scenario) -> tuple[list[EvSession], datetime, datetime] | None:
    """The recorded sessions and the period they cover, or None when the scenario has none.

    Format: ``{"start": ISO, "end": ISO, "sessions": [{charger, arrival, departure, energy_kwh}]}``,
    where ``energy_kwh`` is what the car took."""
    history = scenario.extra.get("history")
    if not isinstance(history, dict):
        return None
    chargers = {charger.id: charger for charger in scenario.chargers}
    sessions = []
    for index, entry in enumerate(history["sessions"]):
        charger = chargers[entry["charger"]]
        energy = float(entry["energy_kwh"])
        sessions.append(
            EvSession(
                session_id=f"history:{index}",
                evse_id=charger.id,
                max_charge_kw=charger.max_charge_kw,
                max_discharge_kw=0.0,
                arrival=datetime.fromisoformat(entry["arrival"]),
                departure=datetime.fromisoformat(entry["departure"]),
                energy_kwh=0.0,
                capacity_kwh=energy,
                target_energy_kwh=energy,
            )
        )
    return sessions, datetime.fromisoformat(history["start"]), datetime.fromisoformat(history["end"])
