"""How the QP stays small at hub scale: one quad_form for the EV terms, coarser tails when large."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.ssch.core.engine_cvxpy import CvxpyEngine
from custom_components.ssch.core.optimizer import Optimizer, OptimizerConfig
from custom_components.ssch.core.qp_matrices import ev_quadratic
from custom_components.ssch.core.qp_structure import QpWeights
from tests.core.conftest import SiteFactory


def test_ev_quadratic_is_the_weighted_power_and_smoothness_terms() -> None:
    rng = np.random.default_rng(5)
    n, dt = 3, np.array([0.25, 0.25, 1.0, 1.0, 2.0])
    weights = QpWeights(power_eur_per_kw2h=2e-3, smoothness_eur_per_kw2=7e-3)
    charge, discharge = rng.uniform(0, 11, (n, dt.size)), rng.uniform(0, 11, (n, dt.size))
    x = np.concatenate((charge.ravel(), discharge.ravel()))
    explicit = weights.power_eur_per_kw2h * float(
        np.sum(dt * charge**2) + np.sum(dt * discharge**2)
    ) + weights.smoothness_eur_per_kw2 * float(np.sum(np.diff(charge - discharge, axis=1) ** 2))
    matrix = ev_quadratic(n, dt, weights.power_eur_per_kw2h, weights.smoothness_eur_per_kw2)
    assert float(x @ (matrix @ x)) == pytest.approx(explicit)
    single = ev_quadratic(2, np.array([0.5]), weights.power_eur_per_kw2h, weights.smoothness_eur_per_kw2)
    assert single.shape == (4, 4)
    np.testing.assert_allclose(single.diagonal(), 1e-3)


def test_the_ev_terms_add_no_auxiliary_variables(site: SiteFactory) -> None:
    sessions = tuple(site.session(f"s{i}", f"e{i}") for i in range(4))
    optimizer = Optimizer()
    optimizer.solve(site.snapshot(steps=8, sessions=sessions))
    engine = optimizer.engine()
    assert isinstance(engine, CvxpyEngine)
    assert engine.qp is not None
    data, _, _ = engine.qp.problem.get_problem_data("CLARABEL")
    slots, steps = engine.qp.structure.ev_slots, 8
    # charge + discharge + energy per slot, the grid's variables and a few scalars; no copies.
    assert data["P"].shape[0] < slots * (3 * steps + 2) + 6 * steps + 10


def test_large_problems_get_a_coarser_tail(site: SiteFactory) -> None:
    evses = tuple(site.evse(f"e{i}") for i in range(100))
    snapshot = site.snapshot(steps=192, step_minutes=15, evses=evses)
    optimizer = Optimizer()
    layout = optimizer.layout_for(snapshot)
    assert layout.lengths[:16] == (1,) * 16
    assert set(layout.lengths[16:]) == {16}  # 100 x 27 cells; factor 4 and 8 give 60 and 38 steps
    assert sum(layout.lengths) == 192
    small = site.snapshot(steps=96, step_minutes=15, evses=evses[:12])
    assert set(optimizer.layout_for(small).lengths[16:]) == {4}
    unlimited = Optimizer(OptimizerConfig(max_block_cells=10**6))
    assert set(unlimited.layout_for(snapshot).lengths[16:]) == {4}
