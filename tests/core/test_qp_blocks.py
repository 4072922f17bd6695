"""Coarser QP steps later in the horizon."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.ssch.core.optimizer import Optimizer, OptimizerConfig
from custom_components.ssch.core.qp_blocks import block_count, block_layout
from tests.core.conftest import SiteFactory


def test_layout_keeps_near_steps_and_merges_later_ones() -> None:
    layout = block_layout(11, 0.25, fine_steps=3, coarse_factor=3)
    assert layout.lengths == (1, 1, 1, 3, 3, 2)
    assert layout.block_hours == (0.25, 0.25, 0.25, 0.75, 0.75, 0.5)
    assert block_count(11, 3, 3) == 6
    assert block_layout(4, 1.0, fine_steps=16, coarse_factor=4).lengths == (1, 1, 1, 1)
    values = np.arange(11, dtype=np.float64)
    np.testing.assert_allclose(layout.mean(values), [0, 1, 2, 4, 7, 9.5])
    np.testing.assert_allclose(layout.minimum(values), [0, 1, 2, 3, 6, 9])
    np.testing.assert_allclose(layout.maximum(values), [0, 1, 2, 5, 8, 10])
    np.testing.assert_allclose(layout.last(values), [0, 1, 2, 5, 8, 10])
    assert layout.repeat(np.arange(6, dtype=np.float64)).tolist() == [0, 1, 2, 3, 3, 3, 4, 4, 4, 5, 5]


def test_spread_keeps_energy_and_respects_weights() -> None:
    layout = block_layout(6, 1.0, fine_steps=0, coarse_factor=3)
    weights = np.array([0.0, 11.0, 11.0, 11.0, 11.0, 5.5])
    spread = layout.spread(np.array([4.0, 9.0]), weights)
    assert spread[:3].sum() == pytest.approx(12.0)
    assert spread[3:].sum() == pytest.approx(27.0)
    assert spread[0] == 0.0
    assert np.all(spread <= weights + 1e-9)
    assert layout.spread(np.array([1.0, 0.0]), np.zeros(6)).tolist() == [0.0] * 6


def test_coarse_horizon_plans_on_the_fine_grid(site: SiteFactory) -> None:
    steps = 32
    prices = np.full(steps, 0.4)
    prices[20:24] = 0.1  # cheap hour inside the coarse part
    session = site.session(departure_h=7.6, energy_kwh=10.0, target_kwh=30.0)
    snapshot = site.snapshot(
        steps=steps,
        step_minutes=15,
        import_price=prices,
        sessions=(session,),
        battery=site.battery(),
        pv_kw=5.0,
        pv_curtailable=True,
    )
    optimizer = Optimizer(OptimizerConfig(fine_steps=8, coarse_factor=4))
    plan = optimizer.solve(snapshot)
    assert optimizer.structure is not None
    assert len(optimizer.structure.block_hours) == 8 + 6
    power = plan.evse_power_kw["e1"]
    assert power.shape == (steps,)
    np.testing.assert_allclose(power[20:24], 11.0, atol=0.1)  # the cheap hour is used fully
    assert plan.session_outcomes["s1"].expected_energy_kwh == pytest.approx(30.0, abs=0.2)
    # Gone after 7.6 h: nothing is planned in the last step, only 40 % in the one before.
    assert power[31] == 0.0
    assert power[30] <= 11.0 * 0.4 + 1e-6
