"""Degradation model: rainflow counting, monotone stress, wear price, incremental KPI."""

from __future__ import annotations

import math

import numpy as np
import pytest

from custom_components.ssch.core.battery_health import (
    CellAgeingModel,
    calendar_loss,
    cycle_loss,
    estimate_degradation,
    incremental_degradation,
    rainflow_cycles,
    wear_cost_eur_per_kwh,
)


def test_rainflow_counts_a_full_cycle_as_two_halves() -> None:
    cycles = rainflow_cycles(np.array([0.2, 0.5, 0.8, 0.5, 0.2]))
    assert len(cycles) == 2
    for depth, mean, count in cycles:
        assert depth == pytest.approx(0.6)
        assert mean == pytest.approx(0.5)
        assert count == 0.5


def test_rainflow_extracts_the_inner_cycle() -> None:
    cycles = rainflow_cycles(np.array([0.1, 0.9, 0.5, 0.7, 0.2]))
    full = [c for c in cycles if c[2] == 1.0]
    assert len(full) == 1
    assert full[0][0] == pytest.approx(0.2)
    assert full[0][1] == pytest.approx(0.6)
    assert rainflow_cycles(np.array([0.5, 0.5, 0.5])) == []


def test_deeper_and_higher_cycles_cost_more() -> None:
    shallow = cycle_loss(np.array([0.4, 0.6, 0.4, 0.6, 0.4]))
    deep = cycle_loss(np.array([0.3, 0.7, 0.3]))
    high = cycle_loss(np.array([0.6, 1.0, 0.6, 1.0, 0.6]))
    assert 0 < shallow < deep  # same throughput, deeper cycle
    assert high > shallow * 1.5


def test_full_cycles_reach_end_of_life_at_the_rated_count() -> None:
    model = CellAgeingModel(high_soc_cycle_stress=0.0)
    one_cycle = cycle_loss(np.array([0.0, 1.0, 0.0]), model)
    assert one_cycle * model.cycles_to_end_of_life == pytest.approx(model.end_of_life_loss)


def test_calendar_ageing_grows_with_soc_and_time() -> None:
    year_steps = 8766
    at_50 = calendar_loss(np.full(year_steps + 1, 0.5), 1.0)
    assert at_50 == pytest.approx(0.02, rel=1e-3)
    assert calendar_loss(np.full(25, 0.9), 1.0) > calendar_loss(np.full(25, 0.3), 1.0)
    assert calendar_loss(np.array([0.5]), 1.0) == 0.0


def test_wear_cost_per_kwh() -> None:
    assert wear_cost_eur_per_kwh() == pytest.approx(150.0 / 6000.0)


def test_estimate_and_incremental_degradation() -> None:
    baseline = np.array([20.0, 40.0, 40.0, 40.0, 40.0])
    v2g = np.array([20.0, 40.0, 30.0, 40.0, 40.0])
    estimate = estimate_degradation(baseline, 60.0, 1.0)
    assert estimate.total_loss == pytest.approx(estimate.cycle_loss + estimate.calendar_loss)
    assert incremental_degradation(baseline, baseline, 60.0, 1.0) == 0.0
    assert incremental_degradation(v2g, baseline, 60.0, 1.0) > 0.0
    flat = np.array([30.0, 30.0])
    assert incremental_degradation(flat, flat, 60.0, 0.0) == 0.0
    assert math.isinf(incremental_degradation(baseline, flat, 60.0, 0.0))
