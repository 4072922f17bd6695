"""KPI maths on small flows computed by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from custom_components.ssch.core.kpi import (
    BATTERY_FADE_PER_CYCLE,
    EV_FADE_PER_CYCLE,
    RealisedFlows,
    SessionResult,
    compare,
    compute_kpis,
    monthly_peak_charge,
)


def _flows(**changes: object) -> RealisedFlows:
    start = datetime(2023, 1, 31, 23, 30, tzinfo=UTC)
    flows = RealisedFlows(
        step_hours=0.25,
        step_starts=[start + k * timedelta(minutes=15) for k in range(4)],
        grid_import_kw=np.array([10.0, 20.0, 0.0, 40.0]),
        grid_export_kw=np.array([0.0, 0.0, 5.0, 0.0]),
        import_limit_kw=np.full(4, 30.0),
        price_import_eur_per_kwh=np.array([0.1, 0.2, 0.3, 0.4]),
        price_export_eur_per_kwh=np.full(4, 0.05),
        peak_price_eur_per_kw=2.0,
        pv_available_kw=np.array([0.0, 0.0, 12.0, 0.0]),
        pv_used_kw=np.array([0.0, 0.0, 10.0, 0.0]),
        building_kw=np.array([10.0, 10.0, 5.0, 10.0]),
        ev_charge_kw=np.array([0.0, 10.0, 0.0, 30.0]),
        ev_discharge_kw=np.array([0.0, 0.0, 4.0, 0.0]),
        battery_charge_kw=np.array([4.0, 0.0, 0.0, 0.0]),
        battery_discharge_kw=np.array([0.0, 0.0, 0.0, 4.0]),
        battery_capacity_kwh=10.0,
        sessions=[
            SessionResult(10.0, 10.0),
            SessionResult(10.0, 9.95),
            SessionResult(10.0, 9.0),
            SessionResult(20.0, 5.0, feasible=False),
        ],
        solve_times_s=[0.1, 0.2, 0.3, 0.4],
        failed_ticks=1,
        flex_up_kw=np.array([1.0, 2.0, 3.0, 4.0]),
        flex_down_kw=np.array([0.0, 0.0, 2.0, 2.0]),
    )
    return replace(flows, **changes)  # type: ignore[arg-type]


def test_grid_and_cost_indicators() -> None:
    report = compute_kpis(_flows())
    assert report.peak_import_kw == 40.0
    assert report.energy_above_limit_kwh == pytest.approx(2.5)
    assert report.steps_above_limit == 1
    assert report.net_load_variance_kw2 == pytest.approx(267.1875)
    assert report.import_kwh == pytest.approx(17.5)
    assert report.export_kwh == pytest.approx(1.25)
    assert report.import_cost_eur == pytest.approx(5.25)
    assert report.export_revenue_eur == pytest.approx(0.0625)
    # January peaks at 20 kW and February at 40 kW, each billed at 2 EUR/kW.
    assert report.peak_charge_eur == pytest.approx(120.0)
    assert report.energy_cost_eur == pytest.approx(5.1875)
    assert report.total_cost_eur == pytest.approx(125.1875)


def test_pv_and_self_sufficiency() -> None:
    report = compute_kpis(_flows())
    # 2.5 kWh of PV used, 1.25 kWh of it exported.
    assert report.pv_self_consumption == pytest.approx(0.5)
    # Consumption 18.75 kWh (building and EVs), 17.5 kWh of it imported.
    assert report.self_sufficiency == pytest.approx(1.25 / 18.75)


def test_sessions_throughput_and_solver() -> None:
    report = compute_kpis(_flows())
    assert report.sessions == 4
    assert report.feasible_sessions == 3
    assert report.feasible_sessions_met_share == pytest.approx(2 / 3)
    assert report.unmet_kwh == pytest.approx(0.05 + 1.0 + 15.0)
    assert report.ev_charge_kwh == pytest.approx(10.0)
    assert report.ev_discharge_kwh == pytest.approx(1.0)
    assert report.ev_capacity_loss_kwh == pytest.approx(11.0 / 2 * EV_FADE_PER_CYCLE)
    assert report.battery_throughput_kwh == pytest.approx(2.0)
    assert report.battery_equivalent_cycles == pytest.approx(0.1)
    assert report.battery_capacity_loss_kwh == pytest.approx(0.1 * 10 * BATTERY_FADE_PER_CYCLE)
    assert report.solve_time_median_s == pytest.approx(0.25)
    assert report.solve_time_p95_s == pytest.approx(0.385)
    assert report.failed_ticks == 1
    assert report.flex_up_mean_kw == pytest.approx(2.5)
    assert report.flex_down_mean_kw == pytest.approx(1.0)


def test_empty_inputs_give_neutral_values() -> None:
    empty = np.zeros(0)
    flows = RealisedFlows(
        step_hours=0.25,
        step_starts=[],
        grid_import_kw=empty,
        grid_export_kw=empty,
        import_limit_kw=empty,
        price_import_eur_per_kwh=empty,
        price_export_eur_per_kwh=empty,
        peak_price_eur_per_kw=2.0,
        pv_available_kw=empty,
        pv_used_kw=empty,
        building_kw=empty,
        ev_charge_kw=empty,
        ev_discharge_kw=empty,
        battery_charge_kw=empty,
        battery_discharge_kw=empty,
    )
    report = compute_kpis(flows)
    assert report.peak_import_kw == 0.0
    assert report.net_load_variance_kw2 == 0.0
    assert report.feasible_sessions_met_share == 1.0
    assert report.pv_self_consumption == 0.0
    assert report.battery_equivalent_cycles == 0.0
    assert report.solve_time_median_s == 0.0
    assert report.solve_time_p95_s == 0.0
    assert report.flex_up_mean_kw == 0.0
    assert monthly_peak_charge(flows) == 0.0


def test_compare_against_a_baseline() -> None:
    controlled = compute_kpis(_flows())
    baseline = compute_kpis(
        _flows(
            grid_import_kw=np.array([10.0, 20.0, 0.0, 80.0]),
            grid_export_kw=np.zeros(4),
        )
    )
    comparison = compare(controlled, baseline)
    assert comparison.peak_reduction == pytest.approx(0.5)
    assert comparison.variance_reduction == pytest.approx(
        1 - controlled.net_load_variance_kw2 / baseline.net_load_variance_kw2
    )
    assert comparison.savings_eur == pytest.approx(baseline.total_cost_eur - controlled.total_cost_eur)
    assert comparison.savings_eur > 0
    assert comparison.savings_share == pytest.approx(comparison.savings_eur / baseline.total_cost_eur)


def test_compare_with_a_zero_baseline_reports_no_change() -> None:
    zero = compute_kpis(
        _flows(grid_import_kw=np.zeros(4), grid_export_kw=np.zeros(4), peak_price_eur_per_kw=0.0)
    )
    comparison = compare(zero, zero)
    assert comparison.peak_reduction == 0.0
    assert comparison.savings_share == 0.0
