"""The similar-day session forecast: what it learns, what it expects, how the planner uses it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
import json

import numpy as np
import pytest

from custom_components.ssch.core.expected_plan import (
    EXPECTED_PREFIX,
    plan_with_expected,
    with_expected_sessions,
    without_expected,
)
from custom_components.ssch.core.model import EvSession, SiteSnapshot
from custom_components.ssch.core.planner import Planner
from custom_components.ssch.core.session_forecast import SessionForecastConfig, SessionForecaster
from tests.core.conftest import SiteFactory

MONDAY = datetime(2023, 7, 3, 0, 0, tzinfo=UTC)  # 02:00 in Amsterdam (summer time)
AMSTERDAM = "Europe/Amsterdam"
# The tests reason in hourly bins; the default bins are coarser to keep the plan small.
HOURLY = {"bin_minutes": 60, "min_sessions": 0.05}


def _car(
    session_id: str,
    arrival: datetime,
    hours: float,
    need_kwh: float,
    evse_id: str = "e1",
    charge_kw: float = 11.0,
) -> EvSession:
    return EvSession(
        session_id=session_id,
        evse_id=evse_id,
        max_charge_kw=charge_kw,
        max_discharge_kw=0.0,
        arrival=arrival,
        departure=arrival + timedelta(hours=hours),
        energy_kwh=20.0,
        capacity_kwh=80.0,
        target_energy_kwh=20.0 + need_kwh,
        hard_target=True,
    )


def _expected_car(
    site: SiteFactory, *, arrival_h: float, departure_h: float, need_kwh: float, worth: float | None = None
) -> EvSession:
    """An expected car on its own virtual charger, as the forecaster makes them."""
    car = site.session(
        f"{EXPECTED_PREFIX}x",
        f"{EXPECTED_PREFIX}x",
        arrival_h=arrival_h,
        departure_h=departure_h,
        energy_kwh=0.0,
        capacity_kwh=need_kwh,
        target_kwh=need_kwh,
        plugged_in=False,
    )
    return replace(car, shortfall_price_eur_per_kwh=worth)


def _snapshot(site: SiteFactory, now: datetime, sessions: tuple[EvSession, ...] = ()) -> SiteSnapshot:
    evses = tuple(site.evse(f"e{i}") for i in range(1, 4))
    return site.snapshot(steps=96, step_minutes=15, start=now, evses=evses, sessions=sessions)


def _learn_monday(site: SiteFactory, forecaster: SessionForecaster) -> None:
    """Monday: two cars at 08:10 and 08:40 local (06:10 and 06:40 UTC), one at 13:00 local."""
    forecaster.observe(_snapshot(site, MONDAY))
    morning_a = _car("a", MONDAY + timedelta(hours=6, minutes=10), 8.0, 20.0, "e1")
    morning_b = _car("b", MONDAY + timedelta(hours=6, minutes=40), 6.0, 10.0, "e2", charge_kw=7.0)
    noon = _car("c", MONDAY + timedelta(hours=11), 3.0, 12.0, "e3")
    forecaster.observe(_snapshot(site, MONDAY + timedelta(hours=7), (morning_a, morning_b)))
    forecaster.observe(
        _snapshot(site, MONDAY + timedelta(hours=11, minutes=15), (morning_a, morning_b, noon))
    )


def test_nothing_is_expected_without_history(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM))
    snapshot = _snapshot(site, MONDAY)
    forecaster.observe(snapshot)
    assert forecaster.expected_sessions(snapshot) == []


def test_a_working_day_is_expected_like_the_working_days_seen(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0))
    _learn_monday(site, forecaster)
    tuesday_night = MONDAY + timedelta(days=1)
    snapshot = _snapshot(site, tuesday_night)
    forecaster.observe(snapshot)
    expected = forecaster.expected_sessions(snapshot)
    assert [s.session_id for s in expected] == [
        f"{EXPECTED_PREFIX}2023-07-04-8",
        f"{EXPECTED_PREFIX}2023-07-04-13",
    ]
    morning, noon = expected
    # Both 08:xx cars in one bin: at their mean arrival, summed need and power, mean dwell.
    assert morning.arrival == tuesday_night + timedelta(hours=6, minutes=25)
    assert morning.departure == morning.arrival + timedelta(hours=7)
    assert morning.target_energy_kwh == pytest.approx(30.0)
    assert morning.max_charge_kw == pytest.approx(18.0)
    assert not morning.plugged_in
    assert not morning.hard_target
    assert not morning.v2g_allowed
    assert noon.target_energy_kwh == pytest.approx(12.0)
    assert noon.departure - noon.arrival == timedelta(hours=3)


def test_the_scale_shrinks_the_expected_cars(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM))
    _learn_monday(site, forecaster)
    snapshot = _snapshot(site, MONDAY + timedelta(days=1))
    morning = forecaster.expected_sessions(snapshot)[0]
    assert morning.target_energy_kwh == pytest.approx(60.0)  # twice the learned mean by default
    assert morning.max_charge_kw == pytest.approx(36.0)
    half = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=0.5))
    _learn_monday(site, half)
    assert half.expected_sessions(snapshot)[0].target_energy_kwh == pytest.approx(15.0)


def test_cars_already_here_are_not_expected_again(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0))
    _learn_monday(site, forecaster)
    tuesday = MONDAY + timedelta(days=1)
    early = _car("d", tuesday + timedelta(hours=6, minutes=5), 8.0, 20.0)
    snapshot = _snapshot(site, tuesday + timedelta(hours=6, minutes=15), (early,))
    forecaster.observe(snapshot)
    morning = forecaster.expected_sessions(snapshot)[0]
    assert morning.session_id.endswith("-8")
    assert morning.target_energy_kwh == pytest.approx(15.0)  # one of the two 08:xx cars is here
    assert morning.arrival > snapshot.now
    # Once as many cars as usual have come in that bin, none is expected there any more.
    second = _car("e", tuesday + timedelta(hours=6, minutes=20), 6.0, 10.0, "e2")
    later = _snapshot(site, tuesday + timedelta(hours=6, minutes=30), (early, second))
    forecaster.observe(later)
    assert [s.session_id for s in forecaster.expected_sessions(later)] == [
        f"{EXPECTED_PREFIX}2023-07-04-13",
        f"{EXPECTED_PREFIX}2023-07-05-8",  # tomorrow's, 24 h ahead
    ]


def test_weekends_are_learned_apart_and_the_horizon_bounds_arrivals(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM))
    _learn_monday(site, forecaster)
    assert forecaster.day_type(date(2023, 7, 8)) == 1
    assert forecaster.day_type(date(2023, 7, 9)) == 2
    friday_noon = MONDAY + timedelta(days=4, hours=12)
    snapshot = _snapshot(site, friday_noon)
    forecaster.observe(snapshot)
    # Friday afternoon is past every learned bin and Saturday has no history yet.
    assert forecaster.expected_sessions(snapshot) == []
    short = site.snapshot(steps=4, step_minutes=15, start=MONDAY + timedelta(days=1, hours=5))
    assert forecaster.expected_sessions(short) == []  # 08:25 local lies beyond a one-hour plan


def test_cars_from_before_the_first_observation_are_not_counted(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM))
    before = _car("old", MONDAY - timedelta(hours=20), 30.0, 10.0)
    forecaster.observe(_snapshot(site, MONDAY, (before,)))
    forecaster.observe(_snapshot(site, MONDAY + timedelta(hours=1), (before,)))
    assert forecaster.expected_sessions(_snapshot(site, MONDAY + timedelta(days=1))) == []


def test_bins_must_divide_a_day() -> None:
    with pytest.raises(ValueError, match="divide a day"):
        SessionForecaster(SessionForecastConfig(bin_minutes=7))
    assert SessionForecaster(SessionForecastConfig(bin_minutes=30)).bins == 48


def test_learns_a_real_shaped_workplace_week(site: SiteFactory) -> None:
    """Five working days of 10 workplace visits (arrivals 07-10 local, 4-9 h, 5-30 kWh): the
    working-day forecast settles on the mean of what came."""
    rng = np.random.default_rng(3)
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0))
    needs = []
    for day in range(5):
        start = MONDAY + timedelta(days=day)
        forecaster.observe(_snapshot(site, start))
        for car in range(10):
            arrival = start + timedelta(hours=5 + float(rng.uniform(0, 3)))
            need = float(rng.uniform(5, 30))
            needs.append(need)
            visit = _car(f"d{day}c{car}", arrival, float(rng.uniform(4, 9)), need, "e1")
            forecaster.observe(_snapshot(site, arrival + timedelta(minutes=1), (visit,)))
    monday_next = MONDAY + timedelta(days=7)
    snapshot = _snapshot(site, monday_next)
    forecaster.observe(snapshot)
    expected = forecaster.expected_sessions(snapshot)
    assert sum(s.target_energy_kwh for s in expected) == pytest.approx(sum(needs) / 5)
    assert sum(s.max_charge_kw for s in expected) == pytest.approx(11.0 * 10)
    assert all(5 <= (s.arrival - monday_next).total_seconds() / 3600 < 8 for s in expected)


def test_the_planner_keeps_room_for_expected_cars(site: SiteFactory) -> None:
    """A car here now needs 20 kWh within 8 h, an expected car needs 20 kWh in the last 2 h of
    those; with a peak charge the present car charges before the expected one arrives."""
    present = site.session("now", "e1", departure_h=8.0, energy_kwh=10.0, target_kwh=30.0)
    expected = _expected_car(site, arrival_h=6.0, departure_h=8.0, need_kwh=20.0)
    base = site.snapshot(steps=8, sessions=(present,), peak_price=5.0)
    augmented = with_expected_sessions(base, [expected])
    assert [e.evse_id for e in augmented.evses] == ["e1", f"{EXPECTED_PREFIX}x"]
    plan = Planner().plan(augmented)
    assert not plan.diagnostics.fallback_used
    trimmed = without_expected(plan)
    assert set(trimmed.evse_power_kw) == {"e1"}
    assert set(trimmed.session_outcomes) == {"now"}
    power = trimmed.evse_power_kw["e1"]
    # Present car: 20 kWh in the 6 h before the expected one, at a flat 3.5 kW (peak 10.5 kW later).
    assert float(power[:6].sum() * 0.95) == pytest.approx(20.0, abs=0.3)
    assert float(np.max(plan.grid_import_kw)) == pytest.approx(20.0 / 0.95 / 2, abs=0.3)
    # Without the expected car the peak-optimal plan spreads over all 8 h instead.
    alone = Planner().plan(base).evse_power_kw["e1"]
    assert float(np.max(alone)) == pytest.approx(20.0 / 0.95 / 8, abs=0.2)


def test_the_usual_cars_are_worth_more_than_the_reserve(site: SiteFactory) -> None:
    """Twice the usual cars are expected: the usual ones at 3x the dearest energy, the reserve at
    1.5x; the cars that already came are taken from the usual ones first."""
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM))
    _learn_monday(site, forecaster)
    prices = np.linspace(0.1, 0.4, 96)
    tuesday = MONDAY + timedelta(days=1)
    snapshot = _snapshot(site, tuesday)
    snapshot = replace(snapshot, prices=replace(snapshot.prices, import_eur_per_kwh=prices))
    morning = forecaster.expected_sessions(snapshot)[0]
    assert morning.target_energy_kwh == pytest.approx(60.0)  # 2 x the usual 30 kWh
    assert morning.optional_kwh == pytest.approx(30.0)
    assert morning.shortfall_price_eur_per_kwh == pytest.approx(1.2)
    assert morning.optional_price_eur_per_kwh == pytest.approx(0.6)
    # One of the two usual 08:xx cars is here: one usual car (15 kWh) is still firm.
    early = _car("d", tuesday + timedelta(hours=6, minutes=5), 8.0, 20.0)
    later = replace(
        _snapshot(site, tuesday + timedelta(hours=6, minutes=15), (early,)), prices=snapshot.prices
    )
    forecaster.observe(later)
    morning = forecaster.expected_sessions(later)[0]
    assert morning.target_energy_kwh - morning.optional_kwh == pytest.approx(15.0)
    assert morning.optional_kwh == pytest.approx(30.0)
    negative = replace(snapshot, prices=replace(snapshot.prices, import_eur_per_kwh=-prices))
    worth = forecaster.expected_sessions(negative)[0]
    assert (worth.shortfall_price_eur_per_kwh, worth.optional_price_eur_per_kwh) == (0.0, 0.0)


def test_a_reserve_is_served_only_below_the_billed_peak_and_the_usual_cars_in_full(
    site: SiteFactory,
) -> None:
    """An expected bin of 20 kWh, half of it reserve, over 4 hours with 2 kW billed already: the
    plan raises the 2 EUR/kW peak for the usual half (worth 1.2 EUR/kWh) but not for the reserve
    (0.6 EUR/kWh), which only gets what fits below the peak."""
    car = replace(
        _expected_car(site, arrival_h=1.0, departure_h=5.0, need_kwh=20.0, worth=1.2),
        optional_kwh=10.0,
        optional_price_eur_per_kwh=0.6,
    )
    common = {"import_price": 0.3, "peak_price": 2.0, "peak_already_kw": 2.0, "steps": 6}
    plan = Planner().plan(with_expected_sessions(site.snapshot(**common), [car]))
    assert plan.session_outcomes[car.session_id].expected_energy_kwh == pytest.approx(10.0, abs=0.2)
    assert float(np.max(plan.grid_import_kw)) == pytest.approx(10.0 / 0.95 / 4, abs=0.1)
    # Worth the full penalty, the whole bin is served.
    sure = replace(car, shortfall_price_eur_per_kwh=None, optional_kwh=0.0)
    full = Planner().plan(with_expected_sessions(site.snapshot(**common), [sure]))
    assert full.session_outcomes[car.session_id].expected_energy_kwh == pytest.approx(20.0, abs=0.2)


def test_the_battery_keeps_its_energy_for_expected_cars(site: SiteFactory) -> None:
    """The first hour is dear: without a forecast the battery sells its energy then. An expected car
    at hour 4 would push the import above the 8 kW already billed, so the battery keeps its energy
    for that car and the billed peak stays."""
    expected = _expected_car(site, arrival_h=4.0, departure_h=6.0, need_kwh=15.0, worth=0.6)
    base = site.snapshot(
        steps=8,
        import_price=[0.4, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2],
        building_kw=8.0,
        peak_price=5.0,
        peak_already_kw=8.0,
        battery=site.battery(energy_kwh=27.0),
    )
    alone = Planner().plan(base)
    planned = Planner().plan(with_expected_sessions(base, [expected]))
    assert alone.battery_power_kw[0] < -5.0
    assert planned.battery_power_kw[0] > -1.0
    assert float(np.max(planned.grid_import_kw)) == pytest.approx(8.0, abs=0.1)
    assert planned.session_outcomes[expected.session_id].expected_energy_kwh == pytest.approx(15.0, abs=0.2)


def test_expected_sessions_may_use_the_sites_own_chargers(site: SiteFactory) -> None:
    base = site.snapshot(steps=8, evses=(site.evse("e1"),))
    later = site.session(f"{EXPECTED_PREFIX}s9", "e1", arrival_h=3.0, plugged_in=False)
    augmented = with_expected_sessions(base, [later])
    assert [e.evse_id for e in augmented.evses] == ["e1"]
    assert augmented.sessions == (later,)


def test_history_counts_every_recorded_day_also_the_empty_ones(site: SiteFactory) -> None:
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0))
    # Two weeks of records (local midnight to local midnight) with one 08:xx car on one Monday.
    start = MONDAY - timedelta(days=14, hours=2)
    recorded = _car("h1", MONDAY - timedelta(days=7) + timedelta(hours=6, minutes=30), 8.0, 16.0)
    forecaster.learn_history([recorded], start, MONDAY - timedelta(hours=2))
    snapshot = _snapshot(site, MONDAY)
    forecaster.observe(snapshot)
    morning = forecaster.expected_sessions(snapshot)[0]
    assert morning.session_id == f"{EXPECTED_PREFIX}2023-07-03-8"
    # One car over ten working days: a tenth of a car, a tenth of its need.
    assert morning.target_energy_kwh == pytest.approx(1.6)
    assert morning.max_charge_kw == pytest.approx(1.1)
    forecaster.learn_history([recorded], start, MONDAY - timedelta(hours=2))  # known: not counted twice
    assert forecaster.expected_sessions(snapshot)[0].target_energy_kwh == pytest.approx(1.6)


def test_a_saved_forecaster_carries_on_where_it_stopped(site: SiteFactory) -> None:
    """Saved mid-Tuesday and loaded again (through JSON), it expects what the original expects,
    keeps the day in progress and does not count again a car it has already seen."""
    config = SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0)
    original = SessionForecaster(config)
    _learn_monday(site, original)
    tuesday = MONDAY + timedelta(days=1)
    early = _car("d", tuesday + timedelta(hours=6, minutes=5), 8.0, 20.0)
    original.observe(_snapshot(site, tuesday + timedelta(hours=6, minutes=15), (early,)))
    loaded = SessionForecaster.from_dict(json.loads(json.dumps(original.to_dict())), config)
    later = _snapshot(site, tuesday + timedelta(hours=7), (early,))
    loaded.observe(later)
    original.observe(later)
    assert loaded.expected_sessions(later) == original.expected_sessions(later)
    wednesday = _snapshot(site, tuesday + timedelta(days=1))
    # Tuesday's car entered the profile once: two mornings, three 08:xx cars.
    morning = loaded.expected_sessions(wednesday)[0]
    assert morning.target_energy_kwh == pytest.approx((20.0 + 10.0 + 20.0) / 2)
    assert loaded.expected_sessions(wednesday) == original.expected_sessions(wednesday)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"days": {"x": 0}, "stats": [], "seen": {}, "arrivals": [], "pending": [], "profiled_until": None},
        {"days": []},
        {
            "days": {},
            "stats": [],
            "seen": {},
            "arrivals": [],
            "pending": [["2023-07-03", 0, 8, 0.1, 20.0, 8.0, 11.0]],  # a row without arrival and id
            "profiled_until": None,
        },
    ],
)
def test_a_damaged_save_is_refused(data: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError, AttributeError)):
        SessionForecaster.from_dict(data, SessionForecastConfig())


def test_the_real_departure_replaces_the_planned_one(site: SiteFactory) -> None:
    """Home Assistant learns a car when it plugs in, with the departure it was planned for; when
    it leaves earlier (or later), the profile learns the real dwell."""
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0))
    forecaster.observe(_snapshot(site, MONDAY))
    planned = _car("a", MONDAY + timedelta(hours=6, minutes=10), 8.0, 20.0)
    forecaster.observe(_snapshot(site, MONDAY + timedelta(hours=7), (planned,)))
    forecaster.departed("a", planned.arrival + timedelta(hours=3), delivered_kwh=0.0)
    forecaster.departed("never-seen", planned.arrival)
    tuesday = _snapshot(site, MONDAY + timedelta(days=1))
    morning = forecaster.expected_sessions(tuesday)[0]
    assert morning.departure - morning.arrival == timedelta(hours=3)
    assert morning.energy_needed_kwh == pytest.approx(20.0)  # nothing metered: the estimate stays
    # Once Monday is in the profile, a late report changes nothing.
    forecaster.departed("a", planned.arrival + timedelta(hours=10))
    assert forecaster.expected_sessions(tuesday)[0] == morning


def test_the_energy_a_car_really_took_replaces_its_estimated_need(site: SiteFactory) -> None:
    """A car without a state of charge is planned with a default need; what the charger metered
    when it left (less its charging losses) is what the profile learns."""
    config = SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0)
    forecaster = SessionForecaster(config)
    forecaster.observe(_snapshot(site, MONDAY))
    estimated = _car("a", MONDAY + timedelta(hours=6, minutes=10), 8.0, 30.0)
    forecaster.observe(_snapshot(site, MONDAY + timedelta(hours=7), (estimated,)))
    forecaster.departed("a", estimated.departure, delivered_kwh=10.0)
    morning = forecaster.expected_sessions(_snapshot(site, MONDAY + timedelta(days=1)))[0]
    assert morning.energy_needed_kwh == pytest.approx(10.0 * config.charge_efficiency)


def test_what_only_mattered_for_days_gone_is_forgotten(site: SiteFactory) -> None:
    """A car that stays plugged in for a week is counted once, and the ids and arrival counts of
    days gone do not pile up."""
    forecaster = SessionForecaster(SessionForecastConfig(**HOURLY, time_zone=AMSTERDAM, scale=1.0))
    _learn_monday(site, forecaster)
    stayer = _car("week", MONDAY + timedelta(hours=6, minutes=10), 24.0 * 7, 20.0)
    for day in range(1, 8):
        snapshot = _snapshot(site, MONDAY + timedelta(days=day), (stayer,))
        forecaster.observe(snapshot)
        forecaster.expected_sessions(snapshot)
    saved = forecaster.to_dict()
    assert set(saved["seen"]) <= {"week"}
    assert saved["arrivals"] == []
    assert saved["stats"][0][2] == 3  # Monday's two 08:xx cars and the stayer, once


def test_only_cars_that_are_here_count_as_flexibility(site: SiteFactory) -> None:
    # A car with room to spare, so it could take more than planned in every step after it comes.
    expected = replace(_expected_car(site, arrival_h=2.0, departure_h=8.0, need_kwh=20.0), capacity_kwh=60.0)
    here = site.session("here", "e1", departure_h=8.0)
    base = site.snapshot(sessions=(here,))
    planner = Planner()
    raw = planner.plan(with_expected_sessions(base, [expected]))
    plan = plan_with_expected(planner, base, [expected])
    assert np.all(raw.flexibility.up_kw[2:] > plan.flexibility.up_kw[2:] + 5.0)
    np.testing.assert_allclose(plan.flexibility.up_kw[:2], raw.flexibility.up_kw[:2], atol=1e-6)
    assert np.all(plan.flexibility.up_kw > 0.0)  # the car that is here still offers its room


def test_no_expected_car_plans_like_the_planner(site: SiteFactory) -> None:
    snapshot = site.snapshot(sessions=(site.session(),), import_price=[0.3] * 4 + [0.1] * 4)
    planner = Planner()
    direct = planner.plan(snapshot)
    np.testing.assert_allclose(
        plan_with_expected(planner, snapshot, []).evse_power_kw["e1"], direct.evse_power_kw["e1"]
    )
