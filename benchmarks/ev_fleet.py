"""EV models (ElaadNL V2G-capable fleet shipped with ev2gym) and turning visits into sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import random

from benchmarks.scenario import SessionSpec
from benchmarks.wheels import read_member

EV_SPECS_MEMBER = "ev2gym/data/ev_specs_v2g_enabled2024.json"
V2G_CONSENT_SHARE = 0.5
MIN_DWELL = timedelta(minutes=45)
SNAP_LOSS = timedelta(minutes=30)


@dataclass(frozen=True)
class EvModel:
    """An EV model and how many are registered in the Netherlands."""

    name: str
    registrations: int
    battery_kwh: float
    max_ac_charge_kw: float


@dataclass(frozen=True)
class Visit:
    """A plug-in event before it is placed on a charger."""

    arrival: datetime
    departure: datetime
    energy_kwh: float


def load_ev_models() -> list[EvModel]:
    """The V2G-capable models with their registration counts."""
    specs = json.loads(read_member("ev2gym", EV_SPECS_MEMBER))
    return [
        EvModel(
            name=name,
            registrations=int(spec["number_of_registrations"]),
            battery_kwh=float(spec["battery_capacity"]),
            max_ac_charge_kw=float(spec["max_ac_charge_power"]),
        )
        for name, spec in specs.items()
    ]


def assign_to_chargers(
    visits: list[Visit],
    charger_ids: list[str],
    *,
    charger_kw: float,
    efficiency: float,
    horizon_end: datetime,
    models: list[EvModel],
    rng: random.Random,
) -> list[SessionSpec]:
    """Place visits on the first free charger (a visit finding none is turned away).

    Each EV gets a model drawn by registrations, an arrival SoC of 20-60 %, and a target that
    it alone could reach at full power, so every session is individually feasible.
    """
    free_at = dict.fromkeys(charger_ids, datetime.min.replace(tzinfo=horizon_end.tzinfo))
    weights = [m.registrations for m in models]
    sessions: list[SessionSpec] = []
    for visit in sorted(visits, key=lambda v: v.arrival):
        departure = min(visit.departure, horizon_end)
        if departure - visit.arrival < MIN_DWELL:
            continue
        charger_id = next((c for c in charger_ids if free_at[c] <= visit.arrival), None)
        if charger_id is None:
            continue
        free_at[charger_id] = departure
        model = rng.choices(models, weights)[0]
        capacity = model.battery_kwh
        initial = round(capacity * rng.uniform(0.2, 0.6), 3)
        # Replays snap visits to whole steps, which can cost up to half an hour of charging.
        dwell_hours = (departure - visit.arrival - SNAP_LOSS) / timedelta(hours=1)
        reachable = min(charger_kw, model.max_ac_charge_kw) * efficiency * dwell_hours
        headroom = 0.95 * capacity - initial
        added = min(visit.energy_kwh, 0.9 * reachable, headroom)
        sessions.append(
            SessionSpec(
                charger=charger_id,
                arrival=visit.arrival,
                departure=departure,
                energy_initial_kwh=initial,
                capacity_kwh=capacity,
                target_energy_kwh=round(initial + max(0.0, added), 3),
                min_energy_kwh=round(min(initial, 0.3 * capacity), 3),
                v2g=rng.random() < V2G_CONSENT_SHARE,
            )
        )
    return sessions
