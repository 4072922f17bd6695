"""Sessions on the step grid: availability, bounds, outcomes, balance."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.ssch.core.windows import (
    REASON_WINDOW,
    assess,
    availability,
    base_evse_power,
    battery_trajectory,
    fixed_ev_load_kw,
    session_outcomes,
    session_window,
    session_windows,
    site_balance,
)
from tests.core.conftest import SiteFactory


def test_availability_counts_partial_steps(site: SiteFactory) -> None:
    grid = site.snapshot(steps=4).grid
    np.testing.assert_allclose(availability(grid, 0.5, 2.25), [0.5, 1.0, 0.25, 0.0])
    np.testing.assert_allclose(availability(grid, -3.0, 9.0), [1.0] * 4)


def test_car_not_plugged_in_starts_next_step(site: SiteFactory) -> None:
    snapshot = site.snapshot(steps=4)
    late = site.session(arrival_h=-1.0, plugged_in=False)
    window = session_window(snapshot.grid, late, site.evse())
    np.testing.assert_allclose(window.availability, [0.0, 1.0, 1.0, 1.0])


def test_window_bounds(site: SiteFactory) -> None:
    snapshot = site.snapshot(steps=4)
    session = site.session(
        departure_h=6.0,
        energy_kwh=20.0,
        target_kwh=70.0,
        capacity_kwh=60.0,
        v2g=True,
        min_energy_kwh=25.0,
        charge_kw=7.0,
        hard=True,
    )
    window = session_window(snapshot.grid, session, site.evse())
    np.testing.assert_allclose(window.charge_max_kw, 7.0)
    np.testing.assert_allclose(window.discharge_max_kw, 0.0)  # below its floor: no V2G
    assert window.energy_min_kwh == 20.0
    assert window.required_energy_kwh == pytest.approx(60.0 - 2 * 7.0 * 0.95)
    assert window.reachable_energy_kwh == pytest.approx(20.0 + 4 * 7.0 * 0.95)
    assert window.hard_floor_kwh == pytest.approx(window.reachable_energy_kwh)
    soft = session_window(snapshot.grid, site.session(hard=False), site.evse())
    assert soft.hard_floor_kwh == soft.energy_min_kwh


def test_sessions_outside_the_grid_are_ignored(site: SiteFactory) -> None:
    sessions = (site.session("gone", "e1", arrival_h=-5.0, departure_h=-1.0), site.session("here", "e2"))
    snapshot = site.snapshot(sessions=sessions)
    assert [w.session.session_id for w in session_windows(snapshot)] == ["here"]


def test_fixed_load_and_balance(site: SiteFactory) -> None:
    evses = (site.evse("e1"), site.evse("e2", controllable=False))
    sessions = (site.session("a", "e1"), site.session("b", "e2", target_kwh=20.0))
    snapshot = site.snapshot(evses=evses, sessions=sessions, pv_kw=5.0, building_kw=2.0)
    fixed = fixed_ev_load_kw(snapshot)
    assert fixed[0] == pytest.approx(10.0 / 0.95)
    power = base_evse_power(snapshot)
    assert power["e1"].max() == 0.0
    grid_import, grid_export = site_balance(snapshot, power, np.zeros(8), np.zeros(8))
    assert grid_import[0] == pytest.approx(2.0 - 5.0 + 10.0 / 0.95)
    assert grid_export[1] == pytest.approx(3.0)


def test_sequential_sessions_share_their_charger(site: SiteFactory) -> None:
    sessions = (
        site.session("first", "e1", departure_h=2.5, energy_kwh=0.0, target_kwh=10.0),
        site.session("second", "e1", arrival_h=2.5, energy_kwh=0.0, target_kwh=5.0, plugged_in=False),
    )
    snapshot = site.snapshot(sessions=sessions)
    power = np.zeros(8)
    power[2] = 10.0  # half for each car
    outcomes = session_outcomes(snapshot, {"e1": power})
    assert outcomes["first"].expected_energy_kwh == pytest.approx(5.0 * 0.95)
    assert outcomes["second"].expected_energy_kwh == pytest.approx(5.0 * 0.95)
    assert session_outcomes(snapshot, {})["first"].expected_energy_kwh == 0.0


def test_assess_names_the_window(site: SiteFactory) -> None:
    snapshot = site.snapshot()
    window = session_window(snapshot.grid, site.session(departure_h=1.0, target_kwh=60.0), site.evse())
    outcome = assess(window, 20.0)
    assert outcome.at_risk
    assert outcome.reason == REASON_WINDOW
    assert not assess(window, 60.0).at_risk


def test_battery_trajectory(site: SiteFactory) -> None:
    energy = battery_trajectory(site.battery(energy_kwh=50.0), np.array([10.0, -19.0]), 1.0)
    np.testing.assert_allclose(energy, [50.0, 59.5, 39.5])
