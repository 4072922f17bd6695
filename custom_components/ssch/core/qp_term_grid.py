"""The grid and peak term: the site's balance, import and export at their prices within the grid
limits (an overrun is possible, at a penalty), the billed peak, and a small quadratic on import that
flattens the load."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .model import FloatArray
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .qp_term import CvxpyModel, FillContext, Parameter, SparseData, SparseModel, put
from .windows import base_evse_power

NET_LOAD = Parameter("net_load_kw", per_step=BlockLayout.mean)
IMPORT_PRICE = Parameter("import_price", per_step=BlockLayout.mean)
EXPORT_PRICE = Parameter("export_price", per_step=BlockLayout.mean)
IMPORT_LIMIT = Parameter("import_limit_kw", per_step=BlockLayout.minimum)
EXPORT_LIMIT = Parameter("export_limit_kw", per_step=BlockLayout.minimum)
PEAK_PRICE = Parameter("peak_price")
PEAK_ALREADY = Parameter("peak_already_kw")
OVERRUN_PRICE = Parameter("overrun_price")

GRID_IMPORT = "grid_import_kw"
GRID_EXPORT = "grid_export_kw"
IMPORT_OVERRUN = "import_overrun_kw"
EXPORT_OVERRUN = "export_overrun_kw"
PEAK = "peak_kw"
BALANCE_ROWS = "balance"
IMPORT_LIMIT_ROWS = "import_limit"
EXPORT_LIMIT_ROWS = "export_limit"
PEAK_ROWS = "peak"


class GridTerm:
    """The connection point: it balances every other term's draw with the site's fixed load."""

    name = "grid and peak"
    parameters: tuple[Parameter, ...] = (
        NET_LOAD,
        IMPORT_PRICE,
        EXPORT_PRICE,
        IMPORT_LIMIT,
        EXPORT_LIMIT,
        PEAK_PRICE,
        PEAK_ALREADY,
        OVERRUN_PRICE,
    )
    outputs: tuple[str, ...] = ()

    def applies(self, structure: QpStructure) -> bool:
        return True

    def fill(self, context: FillContext) -> dict[Parameter, ArrayLike]:
        snapshot = context.snapshot
        fixed_load = np.zeros(snapshot.grid.steps)
        for power in base_evse_power(snapshot).values():
            fixed_load += power
        return {
            NET_LOAD: snapshot.forecasts.building_kw - snapshot.forecasts.pv_kw + fixed_load,
            IMPORT_PRICE: context.import_price,
            EXPORT_PRICE: context.export_price,
            IMPORT_LIMIT: snapshot.limits.import_limit_kw,
            EXPORT_LIMIT: snapshot.limits.export_limit_kw,
            PEAK_PRICE: snapshot.prices.peak_eur_per_kw,
            PEAK_ALREADY: snapshot.prices.peak_already_kw,
            OVERRUN_PRICE: context.config.overrun_penalty_factor * context.base_penalty,
        }

    def cvxpy_part(self, model: CvxpyModel) -> None:
        cp, dt, weights = model.cp, model.dt, model.structure.weights
        steps = len(dt)
        grid_import = model.variable(GRID_IMPORT, steps)
        grid_export = model.variable(GRID_EXPORT, steps)
        import_overrun = model.variable(IMPORT_OVERRUN, steps)
        export_overrun = model.variable(EXPORT_OVERRUN, steps)
        peak = model.variable(PEAK)
        site = model.parameter(NET_LOAD)
        for draw in model.draws():
            site = site + draw
        model.constrain(
            grid_import - grid_export == site,
            grid_import >= 0,
            grid_export >= 0,
            import_overrun >= 0,
            export_overrun >= 0,
            grid_import <= model.parameter(IMPORT_LIMIT) + import_overrun,
            grid_export <= model.parameter(EXPORT_LIMIT) + export_overrun,
            peak >= grid_import,
            peak >= model.parameter(PEAK_ALREADY),
        )
        model.cost(
            model.parameter(IMPORT_PRICE) @ cp.multiply(dt, grid_import)
            - model.parameter(EXPORT_PRICE) @ cp.multiply(dt, grid_export)
            + model.parameter(PEAK_PRICE) * peak
            + model.parameter(OVERRUN_PRICE) * (dt @ (import_overrun + export_overrun))
            + weights.grid_eur_per_kw2h * cp.sum_squares(cp.multiply(np.sqrt(dt), grid_import))
        )

    def sparse_variables(self, structure: QpStructure) -> list[tuple[str, int]]:
        steps = len(structure.block_hours)
        return [
            (GRID_IMPORT, steps),
            (GRID_EXPORT, steps),
            (IMPORT_OVERRUN, steps),
            (EXPORT_OVERRUN, steps),
            (PEAK, 1),
        ]

    def sparse_part(self, model: SparseModel) -> None:
        from scipy import sparse

        dt = model.dt
        eye = sparse.eye(len(dt))
        # grid exchange - every draw = the site's fixed net load (b).
        balance = {name: -block for name, block in model.draws().items()}
        model.equality(BALANCE_ROWS, {**balance, GRID_IMPORT: eye, GRID_EXPORT: -eye})
        model.inequality(IMPORT_LIMIT_ROWS, {GRID_IMPORT: eye, IMPORT_OVERRUN: -eye})
        model.inequality(EXPORT_LIMIT_ROWS, {GRID_EXPORT: eye, EXPORT_OVERRUN: -eye})
        model.inequality(PEAK_ROWS, {PEAK: np.ones((len(dt), 1)), GRID_IMPORT: -eye})
        model.quadratic(GRID_IMPORT, sparse.diags(2.0 * model.structure.weights.grid_eur_per_kw2h * dt))

    def sparse_data(self, data: SparseData, values: Mapping[str, Any]) -> None:
        col, dt = data.columns, data.dt
        put(data.b, data.equality_rows[BALANCE_ROWS], NET_LOAD.of(values))
        put(data.h_u, data.inequality_rows[IMPORT_LIMIT_ROWS], IMPORT_LIMIT.of(values))
        put(data.h_u, data.inequality_rows[EXPORT_LIMIT_ROWS], EXPORT_LIMIT.of(values))
        data.h_l[data.inequality_rows[PEAK_ROWS]] = 0.0
        put(data.c, col[GRID_IMPORT], IMPORT_PRICE.of(values) * dt)
        put(data.c, col[GRID_EXPORT], -EXPORT_PRICE.of(values) * dt)
        overrun = float(OVERRUN_PRICE.of(values)) * dt
        put(data.c, col[IMPORT_OVERRUN], overrun)
        put(data.c, col[EXPORT_OVERRUN], overrun)
        put(data.c, col[PEAK], PEAK_PRICE.of(values))
        put(data.x_l, col[PEAK], PEAK_ALREADY.of(values))

    def sparse_solution(
        self, structure: QpStructure, columns: Mapping[str, slice], x: FloatArray
    ) -> dict[str, FloatArray]:
        return {}
