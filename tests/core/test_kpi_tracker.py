"""KPI accumulators of the running hub, checked on small days computed by hand."""

from __future__ import annotations

from dataclasses import astuple, fields
from datetime import UTC, datetime, timedelta
import json
import logging
import math
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from custom_components.ssch.core.battery_health import incremental_degradation
from custom_components.ssch.core.kpi_tracker import HubKpis, KpiTracker
from custom_components.ssch.core.kpi_tracker_sessions import TrackedSession

T0 = datetime(2025, 6, 2, 16, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
IMPORT, UNCONTROLLED_IMPORT = 2, 11  # positions in a stored step row
IDLE: dict[str, Any] = {
    "grid_import_kw": 0.0,
    "grid_export_kw": 0.0,
    "pv_kw": 0.0,
    "building_kw": 0.0,
    "battery_kw": 0.0,
    "evse_power_kw": {},
    "price_import_eur_per_kwh": 0.0,
    "price_export_eur_per_kwh": 0.0,
    "flex_up_kw": 0.0,
    "flex_down_kw": 0.0,
}


def tracker(**options: Any) -> KpiTracker:
    options.setdefault("max_gap", QUARTER)
    return KpiTracker(**options)


def feed(kpis: KpiTracker, start: datetime, hours: float, **values: Any) -> datetime:
    """Records the same reading every quarter hour from ``start`` for ``hours``; returns the end,
    which the next reading closes."""
    reading = {**IDLE, **values}
    start = start.astimezone(UTC)  # steps of real time, also across a clock change
    count = round(timedelta(hours=hours) / QUARTER)
    for k in range(count):
        kpis.record(start + k * QUARTER, **reading)
    return start + count * QUARTER


def close(kpis: KpiTracker, at: datetime) -> None:
    kpis.record(at, **IDLE)


def assert_all_finite(snapshot: HubKpis) -> None:
    for field in fields(snapshot):
        value = getattr(snapshot, field.name)
        assert value is None or math.isfinite(value), field.name


def test_flat_day_has_nothing_to_improve() -> None:
    kpis = tracker(timezone="Europe/Berlin")
    start = datetime(2025, 6, 2, tzinfo=ZoneInfo("Europe/Berlin"))
    end = feed(
        kpis, start, 24, grid_import_kw=10.0, building_kw=10.0, price_import_eur_per_kwh=0.2, flex_up_kw=3.0
    )
    close(kpis, end)
    snapshot = kpis.snapshot(end - timedelta(seconds=1))
    assert snapshot.peak_import_kw == pytest.approx(10.0)
    assert snapshot.uncontrolled_peak_import_kw == pytest.approx(10.0)
    assert snapshot.peak_reduction_pct == pytest.approx(0.0)
    assert snapshot.variance_reduction_pct == pytest.approx(0.0)
    assert snapshot.energy_cost_today_eur == pytest.approx(48.0)
    assert snapshot.energy_cost_month_eur == pytest.approx(48.0)
    assert snapshot.savings_today_eur == pytest.approx(0.0)
    assert snapshot.self_sufficiency_pct == pytest.approx(0.0)
    assert snapshot.pv_self_consumption_pct is None
    assert snapshot.sessions_met_pct is None
    assert snapshot.sessions_completed == 0
    assert snapshot.charger_uptime_pct is None
    assert snapshot.battery_degradation_increase_pct is None
    assert snapshot.flex_up_kw == 0.0  # the closing reading is the latest
    assert_all_finite(snapshot)


def test_empty_tracker_is_undefined_not_nan() -> None:
    snapshot = KpiTracker().snapshot(T0)
    assert snapshot.peak_import_kw is None
    assert snapshot.variance_reduction_pct is None
    assert snapshot.flex_up_kw is None
    assert snapshot.energy_cost_today_eur == 0.0
    assert_all_finite(snapshot)


def _shaved_evening(kpis: KpiTracker) -> datetime:
    """Building 10 kW; a car asks for 20.9 kWh (2 h at 11 kW, 95 %) at 18:00 and is charged at
    5.5 kW until 22:00 instead. Price 0.4 EUR/kWh from 18:00 to 20:00, 0.2 otherwise."""
    arrival = T0 + timedelta(hours=2)
    kpis.session_started(
        "s1",
        "e1",
        arrival=arrival,
        departure=arrival + timedelta(hours=5),
        energy_kwh=10.0,
        target_energy_kwh=30.9,
        capacity_kwh=60.0,
        max_charge_kw=11.0,
    )
    base = {"building_kw": 10.0, "price_import_eur_per_kwh": 0.2}
    at = feed(kpis, T0, 2, grid_import_kw=10.0, **base)
    charging = {**base, "grid_import_kw": 15.5, "evse_power_kw": {"e1": 5.5}}
    at = feed(kpis, at, 2, **{**charging, "price_import_eur_per_kwh": 0.4})
    at = feed(kpis, at, 2, **charging)
    kpis.session_ended("s1", at, 30.9)
    at = feed(kpis, at, 2, grid_import_kw=10.0, **base)
    close(kpis, at)
    return at


def test_one_peak_shaved_against_the_uncontrolled_car() -> None:
    kpis = tracker()
    end = _shaved_evening(kpis)
    snapshot = kpis.snapshot(end - timedelta(seconds=1))
    assert snapshot.peak_import_kw == pytest.approx(15.5)
    assert snapshot.uncontrolled_peak_import_kw == pytest.approx(21.0)
    assert snapshot.peak_reduction_pct == pytest.approx(100 * 5.5 / 21.0)
    # 16 steps at 10 and 16 at 15.5 (variance 2.75^2) against 24 at 10 and 8 at 21.
    uncontrolled_variance = (24 * 2.75**2 + 8 * 8.25**2) / 32
    assert snapshot.variance_reduction_pct == pytest.approx(100 * (1 - 2.75**2 / uncontrolled_variance))
    assert snapshot.energy_cost_today_eur == pytest.approx(4.0 + 12.4 + 6.2 + 4.0)
    assert snapshot.savings_today_eur == pytest.approx(2.2)
    assert snapshot.savings_month_eur == pytest.approx(2.2)
    assert snapshot.ev_throughput_kwh == pytest.approx(22.0)
    assert snapshot.sessions_met_pct == pytest.approx(100.0)
    assert snapshot.unmet_energy_kwh == pytest.approx(0.0)
    next_day = kpis.snapshot(end)
    assert next_day.energy_cost_today_eur == 0.0
    assert next_day.energy_cost_month_eur == pytest.approx(26.6)
    assert_all_finite(snapshot)


def test_session_reported_late_still_gets_its_whole_counterfactual() -> None:
    kpis = tracker()
    at = feed(kpis, T0, 0.5)
    kpis.record(at, **IDLE)
    kpis.session_started(
        "late",
        "e1",
        arrival=T0,
        departure=T0 + timedelta(hours=4),
        energy_kwh=0.0,
        target_energy_kwh=11.0 * 0.95 * 0.5,  # half an hour at full power
        capacity_kwh=40.0,
        max_charge_kw=11.0,
    )
    close(kpis, feed(kpis, at, 1))
    uncontrolled = [row[UNCONTROLLED_IMPORT] for row in kpis.to_dict()["rows"]]
    assert uncontrolled == pytest.approx([0.0, 0.0, 11.0 / 4, 11.0 / 4, 0.0, 0.0])


def test_one_session_met_and_one_not() -> None:
    kpis = tracker()
    for session_id, target in (("met", 20.0), ("short", 30.0)):
        kpis.session_started(
            session_id,
            "e1",
            arrival=T0,
            departure=T0 + timedelta(hours=8),
            energy_kwh=10.0,
            target_energy_kwh=target,
            capacity_kwh=50.0,
            max_charge_kw=11.0,
        )
    kpis.session_ended("met", T0 + timedelta(hours=3), 19.95)  # 9.95 of 10 kWh: within 99 %
    kpis.session_ended("short", T0 + timedelta(hours=3), 25.0)  # 15 of 20 kWh
    snapshot = kpis.snapshot(T0 + timedelta(hours=3))
    assert snapshot.sessions_completed == 2
    assert snapshot.sessions_met_pct == pytest.approx(50.0)
    assert snapshot.unmet_energy_kwh == pytest.approx(5.05)


def test_reported_again_a_session_keeps_its_arrival_energy() -> None:
    kpis = tracker()
    needs: dict[str, Any] = {"capacity_kwh": 50.0, "max_charge_kw": 11.0, "target_energy_kwh": 30.0}
    later = T0 + timedelta(hours=1)
    kpis.session_started("s1", "e1", arrival=T0, departure=T0 + timedelta(hours=4), energy_kwh=10.0, **needs)
    kpis.session_started(
        "s1", "e1", arrival=later, departure=T0 + timedelta(hours=5), energy_kwh=20.0, **needs
    )
    kpis.session_ended("s1", T0 + timedelta(hours=5), 25.0)  # 15 of the 20 kWh asked at arrival
    assert kpis.snapshot(later).unmet_energy_kwh == pytest.approx(5.0)


def test_an_assumed_arrival_energy_gives_way_to_the_first_measured_one() -> None:
    """A car reports its SoC only after the first plan: it is judged from what it really had."""
    kpis = tracker()
    needs: dict[str, Any] = {"capacity_kwh": 60.0, "max_charge_kw": 11.0, "target_energy_kwh": 48.0}
    window: dict[str, Any] = {"arrival": T0, "departure": T0 + timedelta(hours=5)}
    kpis.session_started("s1", "e1", energy_kwh=30.0, energy_measured=False, **window, **needs)
    kpis.session_started("s1", "e1", energy_kwh=25.0, **window, **needs)
    kpis.session_started("s1", "e1", energy_kwh=40.0, energy_measured=False, **window, **needs)
    kpis.session_started("s1", "e1", energy_kwh=41.0, **window, **needs)
    kpis.session_ended("s1", T0 + timedelta(hours=5), 47.8)  # 22.8 of the 23 kWh asked: within 99 %
    snapshot = kpis.snapshot(T0 + timedelta(hours=5))
    assert snapshot.sessions_met_pct == pytest.approx(100.0)
    assert snapshot.unmet_energy_kwh == pytest.approx(0.2)
    restored = KpiTracker.from_dict(kpis.to_dict(), max_gap=QUARTER)
    assert restored.to_dict() == kpis.to_dict()


def test_unknown_or_repeated_session_end_is_ignored_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    kpis = tracker()
    kpis.session_started(
        "s1",
        "e1",
        arrival=T0,
        departure=T0 + timedelta(hours=1),
        energy_kwh=0.0,
        target_energy_kwh=5.0,
        capacity_kwh=40.0,
        max_charge_kw=7.0,
    )
    kpis.session_ended("s1", T0 + timedelta(hours=1), 5.0)
    with caplog.at_level(logging.WARNING):
        kpis.session_ended("s1", T0 + timedelta(hours=1), 5.0)
        kpis.session_ended("nobody", T0 + timedelta(hours=1), 5.0)
    assert len(caplog.records) == 1
    assert kpis.snapshot(T0).sessions_completed == 1


def test_costs_follow_local_day_and_month_in_berlin() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    kpis = tracker(timezone="Europe/Berlin")
    hourly_euro = {"grid_import_kw": 4.0, "price_import_eur_per_kwh": 0.25}
    feed(kpis, datetime(2025, 1, 31, 12, 0, tzinfo=berlin), 1, **hourly_euro)
    close(kpis, datetime(2025, 1, 31, 13, 0, tzinfo=berlin))
    midnight = datetime(2025, 2, 1, tzinfo=berlin)  # 23:00 UTC
    close(kpis, feed(kpis, midnight - timedelta(hours=2), 2, **hourly_euro))
    january = kpis.snapshot(midnight - timedelta(seconds=1))
    assert january.energy_cost_today_eur == pytest.approx(3.0)
    assert january.energy_cost_month_eur == pytest.approx(3.0)
    close(kpis, feed(kpis, midnight, 1, **hourly_euro))
    february = kpis.snapshot(midnight + timedelta(hours=1))
    assert february.energy_cost_today_eur == pytest.approx(1.0)
    assert february.energy_cost_month_eur == pytest.approx(1.0)
    next_day = kpis.snapshot(midnight + timedelta(days=1, hours=12))
    assert next_day.energy_cost_today_eur == 0.0
    assert next_day.energy_cost_month_eur == pytest.approx(1.0)


def test_short_local_day_at_the_spring_clock_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    kpis = tracker(timezone="Europe/Berlin")
    day_start = datetime(2025, 3, 30, tzinfo=berlin).astimezone(UTC)
    day_end = datetime(2025, 3, 31, tzinfo=berlin).astimezone(UTC)
    hours = (day_end - day_start).total_seconds() / 3600
    assert hours == 23.0
    close(kpis, feed(kpis, day_start, hours + 1, grid_import_kw=1.0, price_import_eur_per_kwh=1.0))
    assert kpis.snapshot(day_end - timedelta(seconds=1)).energy_cost_today_eur == 0.0  # already the 31st
    assert kpis.snapshot(day_end + timedelta(hours=1)).energy_cost_today_eur == pytest.approx(1.0)
    assert kpis.snapshot(day_end).energy_cost_month_eur == pytest.approx(24.0)


def test_day_boundary_is_local_not_utc() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    kpis = tracker(timezone="Europe/Berlin")
    start = datetime(2025, 6, 2, 23, 0, tzinfo=berlin)  # 21:00 UTC
    end = feed(kpis, start, 2, grid_import_kw=4.0, price_import_eur_per_kwh=0.25)
    close(kpis, end)
    snapshot = kpis.snapshot(datetime(2025, 6, 3, 1, 0, tzinfo=berlin))
    assert snapshot.energy_cost_today_eur == pytest.approx(1.0)  # 00:00-01:00 local only
    assert snapshot.energy_cost_month_eur == pytest.approx(2.0)


def test_pv_self_consumption_and_self_sufficiency() -> None:
    kpis = tracker()
    at = feed(kpis, T0, 1, pv_kw=10.0, building_kw=4.0, grid_export_kw=6.0, price_export_eur_per_kwh=0.1)
    at = feed(kpis, at, 1, pv_kw=2.0, building_kw=4.0, grid_import_kw=2.0, price_import_eur_per_kwh=0.3)
    close(kpis, at)
    snapshot = kpis.snapshot(at)
    assert snapshot.pv_self_consumption_pct == pytest.approx(50.0)  # 6 of 12 kWh exported
    assert snapshot.self_sufficiency_pct == pytest.approx(75.0)  # 2 of 8 kWh imported
    assert snapshot.energy_cost_today_eur == pytest.approx(0.0)  # 0.6 EUR bought, 0.6 EUR sold


def test_gap_is_capped_so_a_stall_invents_no_energy() -> None:
    kpis = KpiTracker()  # default cap: 2 minutes
    reading = {**IDLE, "grid_import_kw": 30.0, "evse_power_kw": {"e1": 11.0, "e2": -3.0}}
    kpis.record(T0, **{**reading, "price_import_eur_per_kwh": 1.0})
    kpis.record(T0 + timedelta(hours=1), **reading)
    snapshot = kpis.snapshot(T0 + timedelta(hours=1))
    assert snapshot.energy_cost_today_eur == pytest.approx(30.0 * 2 / 60)
    assert snapshot.ev_throughput_kwh == pytest.approx(14.0 * 2 / 60)
    assert snapshot.peak_import_kw is None  # 2 of 15 minutes observed: no reliable step mean


def test_clock_going_back_integrates_nothing() -> None:
    kpis = tracker()
    kpis.record(T0, **{**IDLE, "grid_import_kw": 10.0, "price_import_eur_per_kwh": 1.0})
    kpis.record(T0 - timedelta(minutes=5), **IDLE)
    assert kpis.snapshot(T0).energy_cost_today_eur == 0.0


def test_bad_readings_count_as_zero_and_are_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    kpis = tracker()
    bad = {**IDLE, "grid_import_kw": math.nan, "price_import_eur_per_kwh": 1.0, "flex_up_kw": math.inf}
    with caplog.at_level(logging.WARNING):
        feed(kpis, T0, 1, **bad)
    assert len(caplog.records) == 2
    close(kpis, T0 + timedelta(hours=1))
    snapshot = kpis.snapshot(T0 + timedelta(hours=1))
    assert snapshot.energy_cost_today_eur == 0.0
    assert_all_finite(snapshot)


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="time zone"):
        KpiTracker(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="positive"):
        KpiTracker(retention_days=0)
    kpis = KpiTracker()
    with pytest.raises(ValueError, match="timezone-aware"):
        kpis.record(datetime(2025, 1, 1), **IDLE)
    with pytest.raises(ValueError, match="efficiency"):
        kpis.session_started(
            "s",
            "e",
            arrival=T0,
            departure=T0,
            energy_kwh=0,
            target_energy_kwh=1,
            capacity_kwh=1,
            max_charge_kw=1,
            charge_efficiency=0.0,
        )


def test_uptime_share_of_observed_time() -> None:
    kpis = tracker()
    kpis.station_online("cs1", True, T0)
    kpis.station_online("cs1", False, T0 + timedelta(hours=3))
    kpis.station_online("cs1", True, T0 + timedelta(hours=4))
    kpis.station_online("cs2", True, T0 + timedelta(hours=2))
    kpis.station_online("cs2", True, T0 + timedelta(hours=1))  # late report: no time counted
    # cs1: 3 of 4 h online, cs2: 2 of 2 h online.
    assert kpis.snapshot(T0 + timedelta(hours=4)).charger_uptime_pct == pytest.approx(100 * 5 / 6)


def test_battery_cycling_ages_more_than_idling() -> None:
    kpis = tracker(battery_capacity_kwh=10.0)
    kpis.record(T0, **{**IDLE, "battery_kw": 4.0}, battery_energy_kwh=5.0)
    at = feed(kpis, T0 + QUARTER, 0.75, battery_kw=4.0)
    at = feed(kpis, at, 1, battery_kw=-4.0)
    close(kpis, at)
    series = np.array([5.0, 6.0, 7.0, 8.0, 9.0, 8.0, 7.0, 6.0, 5.0])
    expected = incremental_degradation(series, np.full(9, 5.0), 10.0, 0.25)
    snapshot = kpis.snapshot(at)
    assert expected > 0.0
    assert snapshot.battery_degradation_increase_pct == pytest.approx(100 * expected)
    assert snapshot.battery_throughput_kwh == pytest.approx(8.0)


def test_idle_battery_of_unknown_charge_ages_like_the_baseline() -> None:
    kpis = tracker(battery_capacity_kwh=10.0)
    close(kpis, feed(kpis, T0, 2))
    assert kpis.snapshot(T0).battery_degradation_increase_pct == pytest.approx(0.0)


def _busy_tracker() -> tuple[KpiTracker, datetime]:
    kpis = tracker(timezone="Europe/Berlin", battery_capacity_kwh=10.0)
    kpis.station_online("cs1", True, T0)
    end = _shaved_evening(kpis)
    kpis.session_started(
        "open",
        "e2",
        arrival=end - timedelta(minutes=30),
        departure=end + timedelta(hours=8),
        energy_kwh=5.0,
        target_energy_kwh=40.0,
        capacity_kwh=50.0,
        max_charge_kw=7.4,
    )
    kpis.record(end, **{**IDLE, "battery_kw": 2.0, "flex_up_kw": 4.0}, battery_energy_kwh=3.0)
    kpis.station_online("cs1", False, end)  # online for 8 h, then offline
    kpis.record(end + QUARTER, **IDLE)
    return kpis, end + QUARTER


def test_restart_round_trip_keeps_every_indicator() -> None:
    kpis, at = _busy_tracker()
    stored = json.loads(json.dumps(kpis.to_dict()))
    restored = KpiTracker.from_dict(stored, timezone="Europe/Berlin", battery_capacity_kwh=10.0)
    assert astuple(restored.snapshot(at)) == pytest.approx(astuple(kpis.snapshot(at)))
    assert restored.to_dict() == kpis.to_dict()
    assert kpis.snapshot(at).charger_uptime_pct == pytest.approx(100 * 8 / 8.25)
    # The hub was down for an hour: the first reading after the restart integrates nothing and
    # the downtime is not observed time for the stations.
    later = at + timedelta(hours=1)
    restored.record(later, **{**IDLE, "grid_import_kw": 50.0, "price_import_eur_per_kwh": 1.0})
    snapshot = restored.snapshot(later)
    assert snapshot.energy_cost_month_eur == pytest.approx(kpis.snapshot(at).energy_cost_month_eur)
    assert snapshot.charger_uptime_pct == pytest.approx(100 * 8 / 8.25)
    restored.station_online("cs1", True, later + timedelta(hours=1))
    assert restored.snapshot(later + timedelta(hours=1)).charger_uptime_pct == pytest.approx(100 * 8 / 9.25)


def test_restored_session_still_draws_its_counterfactual() -> None:
    kpis, at = _busy_tracker()
    restored = KpiTracker.from_dict(kpis.to_dict(), max_gap=QUARTER)
    close(restored, at)
    close(restored, at + QUARTER)
    snapshot = restored.snapshot(at + QUARTER)
    assert snapshot.uncontrolled_peak_import_kw == pytest.approx(21.0)
    # The car still plugged in charges at full power in the counterfactual of the newest step.
    assert restored.to_dict()["rows"][-1][UNCONTROLLED_IMPORT] == pytest.approx(7.4 * 0.25)


@pytest.mark.parametrize(
    "data",
    [
        {"version": 0},
        {"version": 1},
        "not a dict",
        {**KpiTracker().to_dict(), "flex": [math.nan, 0.0]},
        {**KpiTracker().to_dict(), "rows": [["2025-06-02T16:00:00+00:00", 1.0]]},
        {**KpiTracker().to_dict(), "uptime": {"cs1": [True, 5.0, 1.0]}},
        {**KpiTracker().to_dict(), "sessions": {"sessions": [], "completed": 1, "met": 2, "unmet_kwh": 0}},
        {**KpiTracker().to_dict(), "day": ["2025-06-02", True, 0.0]},
    ],
)
def test_corrupt_or_old_storage_gives_a_fresh_tracker(data: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        restored = KpiTracker.from_dict(data)
    assert len(caplog.records) == 1
    assert restored.to_dict() == KpiTracker().to_dict()


def test_missing_storage_is_fresh_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        restored = KpiTracker.from_dict(None)
    assert not caplog.records
    assert restored.snapshot(T0) == KpiTracker().snapshot(T0)


def test_changed_step_length_drops_only_the_step_history() -> None:
    kpis, at = _busy_tracker()
    restored = KpiTracker.from_dict(kpis.to_dict(), step_minutes=5)
    assert restored.to_dict()["rows"] == []
    assert restored.snapshot(at).sessions_completed == 1


def test_memory_is_bounded() -> None:
    kpis = tracker(retention_days=1)
    for k in range(30):
        start = T0 + k * timedelta(hours=2)
        kpis.session_started(
            f"s{k}",
            "e1",
            arrival=start,
            departure=start + timedelta(hours=1),
            energy_kwh=0.0,
            target_energy_kwh=5.0,
            capacity_kwh=40.0,
            max_charge_kw=11.0,
        )
        if k % 2:
            kpis.session_ended(f"s{k}", start + timedelta(hours=1), 5.0)
    end = feed(kpis, T0, 5 * 24, grid_import_kw=1.0)
    close(kpis, end)
    stored = kpis.to_dict()
    assert len(stored["rows"]) == 96
    assert stored["sessions"]["sessions"] == []  # ended ones done, the others stale
    assert kpis.snapshot(end).sessions_completed == 15


def test_readings_for_an_old_step_after_a_restore() -> None:
    kpis = tracker()
    close(kpis, feed(kpis, T0, 0.5, grid_import_kw=4.0))
    restored = KpiTracker.from_dict(kpis.to_dict(), max_gap=QUARTER)
    reading = {**IDLE, "grid_import_kw": 8.0, "price_import_eur_per_kwh": 1.0}
    restored.record(T0 + timedelta(minutes=5), **reading)  # the clock went back into a known step
    restored.record(T0 + timedelta(minutes=10), **reading)
    restored.record(T0 - timedelta(hours=1), **reading)  # and into a step that was never seen
    restored.record(T0 - timedelta(minutes=55), **IDLE)
    rows = restored.to_dict()["rows"]
    assert rows[0][IMPORT] == pytest.approx(1.0 + 8.0 / 12)
    assert len(rows) == 2
    assert restored.snapshot(T0).energy_cost_today_eur == pytest.approx(8.0 / 12 + 8.0 / 12)


def test_session_serialisation_keeps_its_end() -> None:
    session = TrackedSession("s", "e", T0, T0 + QUARTER, 1.0, 2.0, 0.0, 0.0, 0.9, ended_at=T0)
    restored = TrackedSession.from_dict(session.to_dict())
    assert restored == session
    assert restored.requested_kwh == 0.0  # no capacity known
    assert restored.uncontrolled_kwh(T0, T0 + QUARTER) == 0.0
