"""The cvxpy engine: the model of record (``qp_problem``) solved by any solver cvxpy knows."""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import ENGINE_CVXPY, MAX_VIOLATION, EngineResult, OptimizerError
from .model import FloatArray
from .qp_problem import HubQp
from .qp_structure import QpStructure
from .qp_term import QpValues

_SOLVED = "optimal"
_INACCURATE = "optimal_inaccurate"


class CvxpyEngine:
    """Keeps one compiled ``HubQp`` (DPP) and re-solves it with new parameter values."""

    name = ENGINE_CVXPY

    def __init__(self, solver: str, options: dict[str, Any] | None = None) -> None:
        self.solver = solver.upper()
        self.options = options or {}
        self.builds = 0
        self.qp: HubQp | None = None

    def solve(self, structure: QpStructure, values: QpValues) -> EngineResult:
        if self.qp is None or self.qp.structure != structure:
            self.qp = HubQp(structure)
            self.builds += 1
        qp = self.qp
        try:
            qp.set_values(values)
            qp.problem.solve(solver=self.solver, warm_start=True, **self.options)
        except Exception as err:  # any solver failure is handled by the planner's fallback chain
            raise OptimizerError(f"{self.solver} failed: {err}") from err
        status = str(qp.problem.status)
        if status not in (_SOLVED, _INACCURATE):
            raise OptimizerError(f"{self.solver} returned status {status}")
        variables = {name: _value(qp, name) for name in qp.outputs}
        if status == _INACCURATE:
            # An inaccurate solve is used only when it keeps every constraint.
            violation = max(
                (float(np.max(np.atleast_1d(c.violation()), initial=0.0)) for c in qp.problem.constraints),
                default=0.0,
            )
            if violation > MAX_VIOLATION:
                raise OptimizerError(
                    f"{self.solver} ended inaccurate, a constraint broken by {violation:.3g}"
                )
        return EngineResult(variables, status, float(qp.problem.value))


def _value(qp: HubQp, name: str) -> FloatArray:
    value = qp.value(name)
    if value is None or not np.all(np.isfinite(value)):
        raise OptimizerError(f"no usable value for {name}")
    return np.asarray(value, dtype=np.float64)
