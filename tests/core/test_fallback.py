"""Rule-based schedule: deadlines first, cheapest steps first, grid limit and SoC bounds kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from custom_components.ssch.core.fallback import BACKEND, rule_based_plan
from custom_components.ssch.core.model import FlexCommitment
from tests.core.conftest import NOW, SiteFactory


def test_charges_in_cheapest_steps(site: SiteFactory) -> None:
    prices = [0.5, 0.5, 0.1, 0.2, 0.5, 0.5, 0.5, 0.5]
    plan = rule_based_plan(
        site.snapshot(import_price=prices, sessions=(site.session(target_kwh=25.0),)), "why"
    )
    power = plan.evse_power_kw["e1"]
    assert power[2] == 11.0
    assert power[3] == np.float64(15.0 / 0.95 - 11.0)
    assert power[[0, 1, 4, 5, 6, 7]].max() == 0.0
    assert plan.diagnostics.backend == BACKEND
    assert plan.diagnostics.reason == "why"
    assert not plan.session_outcomes["s1"].at_risk


def test_earliest_deadline_gets_the_limited_grid_first(site: SiteFactory) -> None:
    sessions = (
        site.session("late", "e1", departure_h=8.0, target_kwh=30.0),
        site.session("early", "e2", departure_h=2.0, target_kwh=40.0),
    )
    plan = rule_based_plan(site.snapshot(import_limit_kw=11.0, sessions=sessions))
    np.testing.assert_allclose(plan.evse_power_kw["e2"][:2], 11.0)
    assert plan.evse_power_kw["e1"][:2].max() == 0.0
    assert np.all(plan.grid_import_kw <= 11.0 + 1e-9)
    assert plan.session_outcomes["early"].at_risk
    assert not plan.session_outcomes["late"].at_risk


def test_a_car_that_cannot_be_finished_charges_last(site: SiteFactory) -> None:
    """11 kW for 2 h store 20.9 kWh. The car leaving first needs 15 kWh, more than it can get in its
    hour: served first, it would take that hour and leave one of the others short. Served last, the
    two others take 8 kWh each and it gets the rest."""
    sessions = (
        site.session("lost", "e1", departure_h=1.0, energy_kwh=10.0, target_kwh=25.0),
        site.session("b", "e2", departure_h=2.0, energy_kwh=10.0, target_kwh=18.0),
        site.session("c", "e3", departure_h=2.0, energy_kwh=10.0, target_kwh=18.0),
    )
    plan = rule_based_plan(site.snapshot(import_limit_kw=11.0, sessions=sessions))
    outcomes = plan.session_outcomes
    assert not outcomes["b"].at_risk
    assert not outcomes["c"].at_risk
    assert outcomes["lost"].expected_energy_kwh == pytest.approx(10.0 + 0.95 * (22.0 - 16.0 / 0.95))
    assert np.all(plan.grid_import_kw <= 11.0 + 1e-9)


def test_of_equally_priced_steps_a_car_takes_those_fewer_cars_can_use(site: SiteFactory) -> None:
    sessions = (
        site.session("early", "e1", departure_h=2.0, energy_kwh=10.0, target_kwh=20.0),
        site.session("late", "e2", departure_h=8.0, energy_kwh=10.0, target_kwh=20.0),
    )
    plan = rule_based_plan(site.snapshot(import_limit_kw=100.0, sessions=sessions))
    assert plan.evse_power_kw["e2"][:2].max() == 0.0
    assert plan.evse_power_kw["e2"][2] == pytest.approx(10.0 / 0.95)


def test_pv_surplus_first_and_no_discharge(site: SiteFactory) -> None:
    pv = [0, 0, 0, 0, 0, 20, 20, 0]
    session = site.session(target_kwh=25.0, v2g=True)
    plan = rule_based_plan(site.snapshot(pv_kw=pv, export_price=0.05, import_price=0.3, sessions=(session,)))
    power = plan.evse_power_kw["e1"]
    assert power[5] == 11.0
    assert power.min() >= 0.0


def test_battery_soaks_surplus_and_shaves_import(site: SiteFactory) -> None:
    pv = [30, 30, 0, 0, 0, 0, 0, 0]
    building = [0, 0, 0, 60, 60, 60, 60, 60]
    snapshot = site.snapshot(
        pv_kw=pv, building_kw=building, import_limit_kw=40.0, battery=site.battery(energy_kwh=30.0)
    )
    plan = rule_based_plan(snapshot)
    battery = plan.battery_power_kw
    np.testing.assert_allclose(battery[:2], 30.0)
    assert battery[3] == -20.0
    energy = 30.0 + np.cumsum(np.where(battery > 0, battery * 0.95, battery / 0.95))
    assert energy.min() >= 10.0 - 1e-9
    assert energy.max() <= 90.0 + 1e-9
    assert plan.grid_import_kw[3] == 40.0


def test_curtails_only_what_exceeds_the_export_limit(site: SiteFactory) -> None:
    snapshot = site.snapshot(pv_kw=50.0, export_limit_kw=20.0, pv_curtailable=True)
    plan = rule_based_plan(snapshot)
    np.testing.assert_allclose(plan.pv_curtailment_kw, 30.0)
    np.testing.assert_allclose(plan.grid_export_kw, 20.0)


def test_base_load_above_limit_leaves_no_room_for_cars(site: SiteFactory) -> None:
    snapshot = site.snapshot(building_kw=120.0, sessions=(site.session(),))
    plan = rule_based_plan(snapshot)
    assert plan.evse_power_kw["e1"].max() == 0.0
    assert plan.session_outcomes["s1"].at_risk


def test_a_committed_reduction_caps_charging_and_the_battery_covers_the_rest(site: SiteFactory) -> None:
    """Two hours from now the hub promised to draw 15 kW less than its 30 kW baseline."""
    commitment = FlexCommitment(
        commitment_id="dso",
        start=NOW + timedelta(hours=2),
        end=NOW + timedelta(hours=4),
        requested_kw=-15.0,
        reference_kw=30.0,
        breach_price_eur_per_kwh=1.0,
    )
    snapshot = site.snapshot(
        building_kw=20.0,
        battery=site.battery(energy_kwh=60.0),
        sessions=(site.session(target_kwh=50.0, departure_h=8.0),),
        commitments=(commitment, replace(commitment, commitment_id="more", requested_kw=10.0)),
    )
    plan = rule_based_plan(snapshot)
    np.testing.assert_allclose(plan.evse_power_kw["e1"][2:4], 0.0)
    np.testing.assert_allclose(plan.grid_import_kw[2:4], 15.0)
    assert plan.battery_power_kw[2] == -5.0
    assert plan.evse_power_kw["e1"][:2].max() > 0.0
