"""Workplace sessions sampled from the ElaadNL statistics shipped with ev2gym."""

from __future__ import annotations

import bisect
import csv
from datetime import datetime, timedelta
import io
import random
from zoneinfo import ZoneInfo

from benchmarks.ev_fleet import Visit
from benchmarks.wheels import read_member

DATA = "ev2gym/data/"
WEEKDAY_ARRIVALS = DATA + "distribution-of-arrival.csv"
WEEKEND_ARRIVALS = DATA + "distribution-of-arrival-weekend.csv"
CONNECTION_HOURS = DATA + "distribution-of-connection-time.csv"
ENERGY_DEMAND = DATA + "distribution-of-energy-demand.csv"


def read_column(member: str, column: str) -> list[float]:
    """One numeric column of an ElaadNL table (empty cells count as 0)."""
    text = read_member("ev2gym", member).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return [float(row[column] or 0.0) for row in reader]


def sample_descending_quantiles(quantiles: list[float], rng: random.Random) -> float:
    """Inverse-transform sample: row i is the value exceeded by i % of events (101 rows)."""
    position = rng.uniform(0, len(quantiles) - 1)
    lower = int(position)
    upper = min(lower + 1, len(quantiles) - 1)
    weight = position - lower
    return quantiles[lower] * (1 - weight) + quantiles[upper] * weight


def sample_arrival_slot(weights: list[float], rng: random.Random) -> int:
    """A quarter-hour slot of the day drawn by the arrival histogram."""
    cumulative: list[float] = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return bisect.bisect_right(cumulative, rng.uniform(0, total))


def sample_workplace_visits(
    first_day: datetime,
    days: int,
    *,
    weekday_count: int,
    weekend_count: int,
    time_zone: str,
    rng: random.Random,
) -> list[Visit]:
    """Visits for ``days`` local days from ``first_day`` (local midnight).

    Workplace arrivals on weekdays; the statistics have no workplace weekend column, so weekend
    arrivals use the public weekend histogram.
    """
    zone = ZoneInfo(time_zone)
    weekday_arrivals = read_column(WEEKDAY_ARRIVALS, "workplace")
    weekend_arrivals = read_column(WEEKEND_ARRIVALS, "public")
    connection_hours = read_column(CONNECTION_HOURS, "workplace")
    energy_kwh = read_column(ENERGY_DEMAND, "workplace")
    visits: list[Visit] = []
    local_start = first_day.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(days):
        local_midnight = (local_start + timedelta(days=day)).replace(tzinfo=zone)
        weekend = local_midnight.isoweekday() >= 6
        histogram = weekend_arrivals if weekend else weekday_arrivals
        for _ in range(weekend_count if weekend else weekday_count):
            slot = min(sample_arrival_slot(histogram, rng), len(histogram) - 1)
            minutes = slot * 15 + rng.randrange(15)
            local_arrival = local_midnight + timedelta(minutes=minutes)
            arrival = datetime.fromtimestamp(local_arrival.timestamp(), tz=first_day.tzinfo)
            dwell = timedelta(hours=max(0.5, sample_descending_quantiles(connection_hours, rng)))
            energy = max(1.0, sample_descending_quantiles(energy_kwh, rng))
            visits.append(Visit(arrival=arrival, departure=arrival + dwell, energy_kwh=energy))
    return visits
