"""BDEW standard load profile G1 (office, weekdays 8-18 h) from the table shipped with demandlib."""

from __future__ import annotations

from collections.abc import Collection
import csv
from datetime import date, datetime, timedelta
import io
from zoneinfo import ZoneInfo

from benchmarks.wheels import read_member

PROFILE_MEMBER = "demandlib/bdew/bdew_data/selp_series.csv"
QUARTERS_PER_DAY = 96
SUNDAY = 7

# German public holidays 2023 as observed in Bremen (treated as Sundays, as BDEW does).
HOLIDAYS_2023: frozenset[date] = frozenset(
    date(2023, month, day)
    for month, day in (
        (1, 1),
        (4, 7),
        (4, 10),
        (5, 1),
        (5, 18),
        (5, 29),
        (10, 3),
        (10, 31),
        (12, 25),
        (12, 26),
    )
)

ProfileTable = dict[tuple[str, int], list[float]]


def parse_profile_table(text: str, column: str) -> ProfileTable:
    """Return ``{(season, weekday 1..7): 96 quarter-hour values}`` for one profile column."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    season_index, weekday_index, value_index = (
        header.index("period"),
        header.index("weekday"),
        header.index(column),
    )
    table: ProfileTable = {}
    for row in reader:
        key = (row[season_index], int(row[weekday_index]))
        table.setdefault(key, []).append(float(row[value_index]))
    return table


def bdew_season(day: date) -> str:
    """BDEW season of a calendar day."""
    month_day = (day.month, day.day)
    if (5, 15) <= month_day <= (9, 14):
        return "summer"
    if (3, 21) <= month_day <= (10, 31):
        return "transition"
    return "winter"


def profile_weekday(day: date, holidays: Collection[date]) -> int:
    """Monday 1 ... Sunday 7; holidays count as Sundays."""
    return SUNDAY if day in holidays else day.isoweekday()


def office_load_kw(
    start_utc: datetime,
    steps: int,
    *,
    step_minutes: int,
    annual_kwh: float,
    time_zone: str,
    holidays: Collection[date] = HOLIDAYS_2023,
) -> list[float]:
    """Office load (G1) per step, scaled so that a full year of it would use ``annual_kwh``.

    The profile follows the local wall clock; each step takes the quarter-hour value at its start.
    """
    table = parse_profile_table(read_member("demandlib", PROFILE_MEMBER).decode(), "g1")
    zone = ZoneInfo(time_zone)
    year_start = datetime(start_utc.astimezone(zone).year, 1, 1, tzinfo=zone)
    quarter = timedelta(minutes=15)
    year_values = [
        _quarter_value(table, year_start + index * quarter, holidays)
        for index in range(366 * QUARTERS_PER_DAY)
    ]
    year_energy = sum(year_values[: 365 * QUARTERS_PER_DAY]) * 0.25
    scale = annual_kwh / year_energy
    step = timedelta(minutes=step_minutes)
    return [
        scale * _quarter_value(table, (start_utc + index * step).astimezone(zone), holidays)
        for index in range(steps)
    ]


def _quarter_value(table: ProfileTable, local: datetime, holidays: Collection[date]) -> float:
    day = local.date()
    values = table[(bdew_season(day), profile_weekday(day, holidays))]
    return values[(local.hour * 60 + local.minute) // 15]
