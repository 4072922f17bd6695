"""Constant matrices of the hub's QP, shared by the cvxpy model and the built-in sparse model."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .model import FloatArray


def step_difference(steps: int) -> sparse.csc_matrix:
    """D with (D @ x)[k] = x[k + 1] - x[k]: the step-to-step change of a series."""
    return sparse.diags(
        [-np.ones(steps - 1), np.ones(steps - 1)], [0, 1], shape=(steps - 1, steps), format="csc"
    )


def ev_quadratic(n: int, dt: FloatArray, power_weight: float, smoothness_weight: float) -> sparse.csc_matrix:
    """Q of ``power @ Q @ power`` over the stacked charge and discharge of ``n`` slots:
    ``power_weight * sum(dt * p**2)`` plus ``smoothness_weight * sum(diff(charge - discharge)**2)``
    along every slot's steps."""
    steps = len(dt)
    cells = n * steps
    diagonal = sparse.diags(power_weight * np.tile(dt, 2 * n))
    if steps < 2:
        return diagonal.tocsc()
    net_diff = sparse.kron(sparse.eye(n), step_difference(steps))
    difference = sparse.hstack([net_diff, -net_diff])
    assert difference.shape == (n * (steps - 1), 2 * cells)
    return (diagonal + smoothness_weight * (difference.T @ difference)).tocsc()


def accumulation(steps: int) -> sparse.csr_matrix:
    """E with (E @ e)[k] = e[k] - e[k - 1] (e[-1] being the known present energy, moved into b)."""
    return sparse.csr_matrix(sparse.eye(steps) - sparse.eye(steps, k=-1))
