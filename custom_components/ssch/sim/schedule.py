"""Car schedules: a single car arriving now, or a seeded random week of commuters."""

from __future__ import annotations

from datetime import datetime, timedelta
import random

from .config import CarVisit, V2xLimits

_BATTERY_SIZES_KWH = (40.0, 58.0, 64.0, 77.0, 82.0)


def car_arriving(
    now: datetime,
    *,
    stay_hours: float = 8.0,
    capacity_kwh: float = 60.0,
    soc_percent: float = 40.0,
    target_soc_percent: float = 80.0,
    max_charge_power_kw: float = 11.0,
    v2x: V2xLimits | None = None,
    id_token: str = "SIMCARD",
) -> CarVisit:
    """Describe a car that plugs in at ``now`` and stays ``stay_hours``."""
    return CarVisit(
        arrival=now,
        departure=now + timedelta(hours=stay_hours),
        energy_initial_kwh=capacity_kwh * soc_percent / 100.0,
        capacity_kwh=capacity_kwh,
        target_soc_percent=target_soc_percent,
        max_charge_power_kw=max_charge_power_kw,
        v2x=v2x,
        id_token=id_token,
    )


# A car drawn to be there at the start stays at least this long, or is left out.
MIN_STAY = timedelta(minutes=30)


def random_visits(
    rng: random.Random,
    start: datetime,
    days: int,
    *,
    v2x_share: float = 0.5,
    id_token: str = "SIMCARD",
) -> tuple[CarVisit, ...]:
    """Draw one or two visits per day: a workplace stay by day and/or a home stay overnight."""
    visits: list[CarVisit] = []
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(days):
        base = midnight + timedelta(days=day)
        slots = [(rng.uniform(7.0, 10.0), rng.uniform(4.0, 9.0))]
        if rng.random() < 0.5:
            slots.append((rng.uniform(17.0, 20.0), rng.uniform(2.0, 4.0)))
        for arrival_hour, drawn_stay_hours in slots:
            drawn_arrival = base + timedelta(hours=arrival_hour)
            departure = drawn_arrival + timedelta(hours=drawn_stay_hours)
            if departure - start < MIN_STAY:
                continue
            # A car already parked when the simulation starts is plugged in from the start.
            arrival = max(drawn_arrival, start)
            stay_hours = (departure - arrival) / timedelta(hours=1)
            capacity = rng.choice(_BATTERY_SIZES_KWH)
            v2x = None
            if rng.random() < v2x_share:
                v2x = V2xLimits(max_discharge_power_kw=rng.choice((7.0, 11.0)))
            visits.append(
                car_arriving(
                    arrival,
                    stay_hours=stay_hours,
                    capacity_kwh=capacity,
                    soc_percent=rng.uniform(15.0, 60.0),
                    target_soc_percent=rng.choice((80.0, 90.0, 100.0)),
                    max_charge_power_kw=rng.choice((7.4, 11.0)),
                    v2x=v2x,
                    id_token=id_token,
                )
            )
    return tuple(visits)
