"""The PV curtailment term: how much of the forecast PV power to give up, at a token cost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from numpy.typing import ArrayLike

from .model import FloatArray
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .qp_term import CvxpyModel, FillContext, Parameter, SparseData, SparseModel, output_columns, put

# Curtailing PV costs a token amount so that free surplus is not thrown away at random.
CURTAILMENT_EUR_PER_KWH = 1e-4

PV = Parameter("pv_kw", per_step=BlockLayout.mean)

CURTAILMENT = "pv_curtailment_kw"


class CurtailmentTerm:
    """PV the site may curtail, when its inverter takes a setpoint."""

    name = "PV curtailment"
    parameters: tuple[Parameter, ...] = (PV,)
    outputs: tuple[str, ...] = (CURTAILMENT,)

    def applies(self, structure: QpStructure) -> bool:
        return structure.pv_curtailable

    def fill(self, context: FillContext) -> dict[Parameter, ArrayLike]:
        return {PV: context.snapshot.forecasts.pv_kw}

    def cvxpy_part(self, model: CvxpyModel) -> None:
        curtailment = model.variable(CURTAILMENT, len(model.dt))
        model.constrain(curtailment >= 0, curtailment <= model.parameter(PV))
        # Curtailed PV is power the site no longer gets: a draw.
        model.draw(curtailment)
        model.cost(CURTAILMENT_EUR_PER_KWH * (model.dt @ curtailment))

    def sparse_variables(self, structure: QpStructure) -> list[tuple[str, int]]:
        return [(CURTAILMENT, len(structure.block_hours))]

    def sparse_part(self, model: SparseModel) -> None:
        from scipy import sparse

        model.draw({CURTAILMENT: sparse.eye(len(model.dt))})

    def sparse_data(self, data: SparseData, values: Mapping[str, Any]) -> None:
        put(data.x_u, data.columns[CURTAILMENT], PV.of(values))
        put(data.c, data.columns[CURTAILMENT], CURTAILMENT_EUR_PER_KWH * data.dt)

    def sparse_solution(
        self, structure: QpStructure, columns: Mapping[str, slice], x: FloatArray
    ) -> dict[str, FloatArray]:
        return output_columns(self.outputs, columns, x)
