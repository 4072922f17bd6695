"""What an engine is: it solves the hub's QP for one structure and parameter values.

Two engines solve the same problem. ``cvxpy`` (the model of record, ``qp_problem``) runs where cvxpy
and its solvers install; ``built-in`` (``qp_sparse`` and PIQP) needs only numpy, scipy and piqp, which
have wheels for every platform Home Assistant runs on, Alpine (musl) on x86_64 and aarch64 included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .model import FloatArray
from .qp_structure import QpStructure
from .qp_term import QpValues

ENGINE_CVXPY = "cvxpy"
ENGINE_BUILTIN = "built-in"
ENGINES = (ENGINE_CVXPY, ENGINE_BUILTIN)
DEFAULT_SOLVERS = {ENGINE_CVXPY: "CLARABEL", ENGINE_BUILTIN: "PIQP"}
# A solution that breaks a constraint by more than this (kW or kWh) is not trusted.
MAX_VIOLATION = 1e-3

_SOLVER_NAMES = {"CLARABEL": "Clarabel", "OSQP": "OSQP", "PIQP": "PIQP", "SCS": "SCS"}


class OptimizerError(RuntimeError):
    """The solver did not return a usable solution."""


@dataclass(frozen=True, slots=True)
class EngineResult:
    """The variables a plan is made of (per QP step), how the solver ended, and the optimum."""

    variables: dict[str, FloatArray]
    status: str
    objective: float


class QpEngine(Protocol):
    """Solves the QP of a structure; keeps what it built while the structure stays the same."""

    name: str
    solver: str
    builds: int

    def solve(self, structure: QpStructure, values: QpValues) -> EngineResult: ...


def engine_label(engine: str, solver: str) -> str:
    """The name a person reads: "cvxpy / Clarabel", "built-in / PIQP"."""
    return f"{engine} / {_SOLVER_NAMES.get(solver.upper(), solver)}"


def engine_import_error(engine: str) -> str | None:
    """Why ``engine`` cannot run here, or None. Imports its packages: slow, keep off the event loop."""
    try:
        make_engine(engine)
    except ImportError as err:
        return str(err) or type(err).__name__
    return None


def make_engine(engine: str, solver: str | None = None, options: dict[str, Any] | None = None) -> QpEngine:
    """An engine by name with its solver's options; ``ImportError`` when its packages are missing."""
    if engine == ENGINE_CVXPY:
        from .engine_cvxpy import CvxpyEngine

        return CvxpyEngine(solver or DEFAULT_SOLVERS[engine], options)
    if engine == ENGINE_BUILTIN:
        from .engine_builtin import BuiltinEngine, PiqpSettings

        return BuiltinEngine(solver or DEFAULT_SOLVERS[engine], PiqpSettings(**(options or {})))
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
