"""The hub's convex QP, built once per structure with cvxpy Parameters (DPP), term by term.

Only this module imports cvxpy; the optimizer loads it lazily so the rest of the brain works without.
Time-varying data lives in parameters that appear in costs and bounds, so a re-solve only updates
vectors and OSQP keeps its factorisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cvxpy
import numpy as np

from .model import FloatArray
from .qp_structure import QpStructure
from .qp_term import Parameter
from .qp_terms import active_terms

# cvxpy's atoms (sum, sum_squares, diff, ...) are invisible to type checkers.
cp: Any = cvxpy


class HubQp:
    """Variables, parameters and the compiled problem for one ``QpStructure``; the ``CvxpyModel``
    every term builds its part in."""

    def __init__(self, structure: QpStructure) -> None:
        self.structure = structure
        self.dt: FloatArray = np.array(structure.block_hours, dtype=np.float64)
        self.params: dict[str, Any] = {}
        self.vars: dict[str, Any] = {}
        self._constraints: list[Any] = []
        self._costs: list[Any] = []
        self._draws: list[Any] = []
        terms = active_terms(structure)
        for term in terms:
            term.cvxpy_part(self)
        self.outputs = tuple(name for term in terms for name in term.outputs)
        objective = self._costs[0]
        for cost in self._costs[1:]:
            objective = objective + cost
        self.problem: Any = cp.Problem(cp.Minimize(objective), self._constraints)

    @property
    def cp(self) -> Any:
        return cp

    def parameter(self, parameter: Parameter) -> Any:
        """The cvxpy Parameter of ``parameter``, without a value until ``set_values`` gives it one."""
        if parameter.name in self.params:
            raise ValueError(f"parameter {parameter.name} declared twice")
        param = cp.Parameter(parameter.shape(self.structure), name=parameter.name)
        self.params[parameter.name] = param
        return param

    def variable(self, name: str, *shape: int) -> Any:
        variable = cp.Variable(shape, name=name)
        self.expose(name, variable)
        return variable

    def expose(self, name: str, expression: Any) -> None:
        if name in self.vars:
            raise ValueError(f"variable {name} declared twice")
        self.vars[name] = expression

    def var(self, name: str) -> Any:
        return self.vars[name]

    def constrain(self, *constraints: Any) -> None:
        self._constraints.extend(constraints)

    def cost(self, expression: Any) -> None:
        self._costs.append(expression)

    def draw(self, power_kw: Any) -> None:
        self._draws.append(power_kw)

    def draws(self) -> list[Any]:
        return list(self._draws)

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Give every parameter its value; a parameter without one is an error, never a silent zero."""
        missing = self.params.keys() - values.keys()
        unknown = values.keys() - self.params.keys()
        if missing or unknown:
            raise ValueError(f"QP values: missing {sorted(missing)}, unknown {sorted(unknown)}")
        for name, value in values.items():
            self.params[name].value = value

    def value(self, name: str) -> Any:
        """Solution value of a variable (None before a successful solve)."""
        return self.vars[name].value
