"""The flexibility commitments' term: the net grid power within the band the hub promised, every kW
missing priced at the commitment's breach price."""

from __future__ import annotations

from collections.abc import Mapping
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .model import FloatArray
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .qp_term import CvxpyModel, FillContext, Parameter, SparseData, SparseModel, put
from .qp_term_grid import GRID_EXPORT, GRID_IMPORT

NET_MAX = Parameter("commitment_net_max_kw", per_step=BlockLayout.minimum)
NET_MIN = Parameter("commitment_net_min_kw", per_step=BlockLayout.maximum)
BREACH_PRICE = Parameter("commitment_price", per_step=BlockLayout.maximum)

MISSING_UP = "commitment_missing_up_kw"
MISSING_DOWN = "commitment_missing_down_kw"
MAX_ROWS = "commitment_max"
MIN_ROWS = "commitment_min"

_UNBOUNDED_KW = 1e5


class CommitmentTerm:
    """Commitments made to an aggregator; reads the grid term's variables, so it comes after it."""

    name = "flexibility commitments"
    parameters: tuple[Parameter, ...] = (NET_MAX, NET_MIN, BREACH_PRICE)
    outputs: tuple[str, ...] = ()

    def applies(self, structure: QpStructure) -> bool:
        return structure.has_commitments

    def fill(self, context: FillContext) -> dict[Parameter, ArrayLike]:
        grid = context.snapshot.grid
        steps = grid.steps
        net_max = np.full(steps, _UNBOUNDED_KW)
        net_min = np.full(steps, -_UNBOUNDED_KW)
        price = np.zeros(steps)
        for commitment in context.snapshot.commitments:
            start = max(0, math.floor(grid.offset_steps(commitment.start)))
            end = min(steps, math.ceil(grid.offset_steps(commitment.end)))
            if start >= end:
                continue
            if commitment.requested_kw < 0:
                net_max[start:end] = np.minimum(net_max[start:end], commitment.target_net_kw)
            else:
                net_min[start:end] = np.maximum(net_min[start:end], commitment.target_net_kw)
            # A breach price above the grid overrun penalty would make breaking the fuse the cheaper
            # way to deliver; keep it at most at the target shortfall level.
            price[start:end] = np.maximum(
                price[start:end], min(commitment.breach_price_eur_per_kwh, 10.0 * context.base_penalty)
            )
        return {NET_MAX: net_max, NET_MIN: net_min, BREACH_PRICE: price}

    def cvxpy_part(self, model: CvxpyModel) -> None:
        dt = model.dt
        missing_up = model.variable(MISSING_UP, len(dt))
        missing_down = model.variable(MISSING_DOWN, len(dt))
        net = model.var(GRID_IMPORT) - model.var(GRID_EXPORT)
        model.constrain(
            missing_up >= 0,
            missing_down >= 0,
            net <= model.parameter(NET_MAX) + missing_down,
            net >= model.parameter(NET_MIN) - missing_up,
        )
        model.cost(model.parameter(BREACH_PRICE) @ model.cp.multiply(dt, missing_up + missing_down))

    def sparse_variables(self, structure: QpStructure) -> list[tuple[str, int]]:
        steps = len(structure.block_hours)
        return [(MISSING_UP, steps), (MISSING_DOWN, steps)]

    def sparse_part(self, model: SparseModel) -> None:
        from scipy import sparse

        eye = sparse.eye(len(model.dt))
        net = {GRID_IMPORT: eye, GRID_EXPORT: -eye}
        model.inequality(MAX_ROWS, {**net, MISSING_DOWN: -eye})
        model.inequality(MIN_ROWS, {**net, MISSING_UP: eye})

    def sparse_data(self, data: SparseData, values: Mapping[str, Any]) -> None:
        put(data.h_u, data.inequality_rows[MAX_ROWS], NET_MAX.of(values))
        put(data.h_l, data.inequality_rows[MIN_ROWS], NET_MIN.of(values))
        missing = BREACH_PRICE.of(values) * data.dt
        put(data.c, data.columns[MISSING_UP], missing)
        put(data.c, data.columns[MISSING_DOWN], missing)

    def sparse_solution(
        self, structure: QpStructure, columns: Mapping[str, slice], x: FloatArray
    ) -> dict[str, FloatArray]:
        return {}
