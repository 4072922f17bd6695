"""Readers of the real data files (the wheels are downloaded on first use)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import random

import pytest

from benchmarks.build import S5_GRID_LIMIT_KW, build_s1, build_s2, build_s5, reference_site
from benchmarks.closed_loop import replay
from benchmarks.controllers import PerfectController
from benchmarks.ev_fleet import Visit, assign_to_chargers, load_ev_models
from benchmarks.forecast_view import ForecastProvider
from benchmarks.office_load import bdew_season, office_load_kw, profile_weekday
from benchmarks.prices import load_nl_day_ahead
from benchmarks.sessions_acn import acn_visits, read_acn_rows, shift_wall_clock
from benchmarks.sessions_elaad import sample_descending_quantiles, sample_workplace_visits
from benchmarks.site_state import initial_state
from benchmarks.weather import hourly_pv_kw, load_reference_year, reference_array
from custom_components.ssch.core.kpi import compute_kpis


def test_day_ahead_prices_cover_2023_in_utc() -> None:
    prices = load_nl_day_ahead()
    hours_2023 = [hour for hour in prices if hour.year == 2023]
    # One hour of 2023 is missing in the source; builders fill it from the hour before.
    assert len(hours_2023) == 8759
    # October 2023 switches format; day-first parsing keeps 1-12 October in October.
    assert datetime(2023, 10, 5, 12, tzinfo=UTC) in prices
    assert 50 < sum(prices[h] for h in hours_2023) / len(hours_2023) < 150


def test_reference_year_gives_a_plausible_pv_yield() -> None:
    weather = load_reference_year()
    assert len(weather) == 8760
    yearly = hourly_pv_kw(reference_array(1.0), 2023, weather)
    assert 780 < sum(yearly) < 920
    assert max(yearly) < 1.0
    # Night is dark, a June noon is bright on average.
    june = [yearly[24 * day + hour] for day in range(151, 181) for hour in range(24)]
    assert june[0] == 0.0
    assert sum(june[10::24]) / 30 > 0.3


def test_office_profile_is_scaled_to_the_annual_energy() -> None:
    start = datetime(2022, 12, 31, 23, tzinfo=UTC)
    load = office_load_kw(
        start, 365 * 96, step_minutes=15, annual_kwh=150_000.0, time_zone="Europe/Amsterdam"
    )
    assert sum(load) * 0.25 == pytest.approx(150_000.0, rel=0.01)
    # Monday 3 July 2023 at 11:00 local (09:00 UTC) versus 03:00 local.
    monday = (datetime(2023, 7, 3, 9, tzinfo=UTC) - start) // timedelta(minutes=15)
    assert load[monday] > 5 * load[monday - 32]
    assert bdew_season(date(2023, 7, 1)) == "summer"
    assert bdew_season(date(2023, 4, 1)) == "transition"
    assert bdew_season(date(2023, 12, 1)) == "winter"
    assert profile_weekday(date(2023, 12, 25), {date(2023, 12, 25)}) == 7
    assert profile_weekday(date(2023, 12, 27), set()) == 3


def test_quantile_sampling_stays_inside_the_table() -> None:
    rng = random.Random(1)
    samples = [sample_descending_quantiles([10.0, 5.0, 0.0], rng) for _ in range(200)]
    assert all(0.0 <= s <= 10.0 for s in samples)
    assert 3.5 < sum(samples) / len(samples) < 6.5


def test_workplace_visits_follow_weekdays() -> None:
    visits = sample_workplace_visits(
        datetime(2023, 7, 2, 22, tzinfo=UTC),
        7,
        weekday_count=10,
        weekend_count=3,
        time_zone="Europe/Amsterdam",
        rng=random.Random(3),
    )
    assert len(visits) == 5 * 10 + 2 * 3
    assert all(v.departure > v.arrival and v.energy_kwh >= 1.0 for v in visits)
    mornings = [v for v in visits if 5 <= v.arrival.hour <= 10]
    assert len(mornings) > len(visits) / 2


def test_charger_assignment_turns_away_visits_without_a_free_charger() -> None:
    start = datetime(2023, 7, 3, 8, tzinfo=UTC)
    visits = [
        Visit(start, start + timedelta(hours=4), 100.0),
        Visit(start + timedelta(hours=1), start + timedelta(hours=3), 5.0),
        Visit(start + timedelta(hours=5), start + timedelta(hours=5, minutes=20), 5.0),
        Visit(start + timedelta(hours=6), start + timedelta(hours=30), 5.0),
    ]
    sessions = assign_to_chargers(
        visits,
        ["c1"],
        charger_kw=11.0,
        efficiency=0.95,
        horizon_end=start + timedelta(hours=12),
        models=load_ev_models(),
        rng=random.Random(2),
    )
    assert [s.arrival for s in sessions] == [start, start + timedelta(hours=6)]
    first, last = sessions
    # The big demand is capped to what the car could take in 3.5 h at full power.
    assert first.target_energy_kwh - first.energy_initial_kwh <= 0.9 * 11 * 0.95 * 3.5 + 1e-9
    assert first.target_energy_kwh <= 0.95 * first.capacity_kwh + 1e-9
    assert last.departure == start + timedelta(hours=12)


def test_acn_sessions_keep_their_local_clock_time() -> None:
    rows = read_acn_rows("jpl")
    assert len(rows) > 10_000
    visits = acn_visits(rows, date(2019, 12, 2), date(2023, 1, 16), 7, "Europe/Amsterdam")
    assert len(visits) > 100
    assert all(date(2023, 1, 16) <= v.arrival.date() < date(2023, 1, 23) for v in visits)
    moved = shift_wall_clock(datetime.fromisoformat("2019-12-02 07:30:00-08:00"), 3, "UTC")
    assert moved == datetime(2019, 12, 5, 7, 30, tzinfo=UTC)


def test_builders_produce_valid_reference_weeks() -> None:
    site, chargers, battery = reference_site()
    assert len(chargers) == 12
    assert battery.capacity_kwh == 100.0
    for scenario in (build_s1(), build_s2()):
        assert scenario.steps == 7 * 96
        assert scenario.site == site
        assert len(scenario.sessions) > 40
        assert max(scenario.series.pv_kw) <= 60.0
        assert min(scenario.series.price_import_eur_per_kwh) > min(scenario.series.price_export_eur_per_kwh)
        assert scenario.extra["time_zone"] == "Europe/Amsterdam"


def test_s5_puts_the_cars_of_s2_on_a_connection_too_small_for_all_of_them() -> None:
    s2, s5 = build_s2(), build_s5()
    assert s5.sessions == s2.sessions
    assert s5.extra["history"] == s2.extra["history"]
    assert s5.series.price_import_eur_per_kwh == s2.series.price_import_eur_per_kwh
    assert s5.series.pv_kw == s2.series.pv_kw
    assert s5.battery is None
    assert s5.site.import_limit_kw == s5.site.export_limit_kw == S5_GRID_LIMIT_KW
    # The reference office alone would not fit; S5's smaller office does, at every step.
    assert max(s2.series.building_kw) > S5_GRID_LIMIT_KW
    assert max(s5.series.building_kw) < S5_GRID_LIMIT_KW
    state = initial_state(s5)
    report = compute_kpis(replay(s5, state, PerfectController(s5, state), ForecastProvider(s5)))
    assert 0.90 <= report.feasible_sessions_met_share <= 0.97
    assert report.steps_above_limit == 0
