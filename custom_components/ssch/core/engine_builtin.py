"""The built-in engine: the sparse QP of ``qp_sparse`` solved by PIQP, without cvxpy.

PIQP (a proximal interior-point solver) has wheels for CPython on musllinux and manylinux, x86_64 and
aarch64, so this engine runs in every Home Assistant installation. The solver object is set up once
per structure; every tick updates vectors only, so the symbolic factorisation of the KKT system is
reused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import piqp

from .engine import ENGINE_BUILTIN, MAX_VIOLATION, EngineResult, OptimizerError
from .qp_sparse import QpVectors, SparseHubQp
from .qp_structure import QpStructure
from .qp_term import QpValues

_SOLVED = "optimal"
_INACCURATE = "optimal_inaccurate"
# An iteration-limited solve is used only this close to its optimum (relative duality gap).
_MAX_INACCURATE_GAP = 1e-4


@dataclass(frozen=True, slots=True)
class PiqpSettings:
    """PIQP's settings. Its own tolerances; a solve takes 8-30 iterations on the test sites and the
    year replay, so one still running at 80 has stalled and is retried (``BuiltinEngine.solve``)."""

    eps_abs: float = 1e-8
    eps_rel: float = 1e-9
    max_iter: int = 80
    iterative_refinement_always: bool = False
    check_duality_gap: bool = True


class BuiltinEngine:
    """Keeps one ``SparseHubQp`` and its PIQP solver; re-solves with updated vectors."""

    name = ENGINE_BUILTIN

    def __init__(self, solver: str = "PIQP", settings: PiqpSettings | None = None) -> None:
        if solver.upper() != "PIQP":
            raise ValueError(f"the built-in engine solves with PIQP, not {solver}")
        self.solver = "PIQP"
        self.settings = settings or PiqpSettings()
        self.builds = 0
        self.model: SparseHubQp | None = None
        self._piqp: piqp.SparseSolver | None = None

    def solve(self, structure: QpStructure, values: QpValues) -> EngineResult:
        if self.model is None or self.model.structure != structure:
            self.model = SparseHubQp(structure)
            self._piqp = None
            self.builds += 1
        model = self.model
        vectors = model.vectors(values)
        if not all(np.all(~np.isnan(v)) for v in (vectors.c, vectors.b, vectors.h_l, vectors.h_u)):
            raise OptimizerError("the problem data holds NaN")
        try:
            return self._attempt(model, vectors, self.settings)
        except OptimizerError as err:
            # PIQP at times reports a feasible, bounded problem as infeasible, or its duality gap
            # stalls while the plan is long optimal (many fixed variables: padded EV slots). With
            # iterative refinement on every step (about 20 % slower) and convergence judged by the
            # residuals alone, every such site of the tests and of the year replay solves.
            self._piqp = None
            robust = replace(self.settings, iterative_refinement_always=True, check_duality_gap=False)
            try:
                result = self._attempt(model, vectors, robust)
            except OptimizerError as second:
                raise OptimizerError(f"{err}; on retry: {second}") from second
            finally:
                self._piqp = None  # the next tick starts from a clean set-up with the usual settings
            return replace(result, status=f"{result.status}_refined")

    def _attempt(self, model: SparseHubQp, vectors: QpVectors, settings: PiqpSettings) -> EngineResult:
        status = self._run(model, vectors, settings)
        x = np.asarray(self._solver().result.x, dtype=np.float64)
        if status not in (piqp.PIQP_SOLVED, piqp.PIQP_MAX_ITER_REACHED):
            raise OptimizerError(f"PIQP returned status {_status_name(status)}")
        if not np.all(np.isfinite(x)):
            raise OptimizerError("PIQP returned a solution that is not finite")
        violation = model.violation(x, vectors)
        label = _SOLVED
        if status == piqp.PIQP_MAX_ITER_REACHED:
            info = self._solver().result.info
            gap = abs(info.primal_obj - info.dual_obj) / max(1.0, abs(info.primal_obj))
            if violation > MAX_VIOLATION or not gap <= _MAX_INACCURATE_GAP:
                raise OptimizerError(
                    f"PIQP stopped at its iteration limit ({settings.max_iter}) "
                    f"with a constraint broken by {violation:.3g} and a relative gap of {gap:.3g}"
                )
            label = _INACCURATE
        elif violation > MAX_VIOLATION:
            raise OptimizerError(f"PIQP's solution breaks a constraint by {violation:.3g}")
        return EngineResult(model.solution(x), label, model.objective(x, vectors))

    def _run(self, model: SparseHubQp, vectors: QpVectors, settings: PiqpSettings) -> piqp.Status:
        if self._piqp is None:
            solver = piqp.SparseSolver()
            options = solver.settings
            options.verbose = False
            options.eps_abs = settings.eps_abs
            options.eps_rel = settings.eps_rel
            options.max_iter = settings.max_iter
            options.iterative_refinement_always_enabled = settings.iterative_refinement_always
            options.check_duality_gap = settings.check_duality_gap
            solver.setup(
                model.P,
                vectors.c,
                model.A,
                vectors.b,
                model.G,
                vectors.h_l,
                vectors.h_u,
                vectors.x_l,
                vectors.x_u,
            )
            self._piqp = solver
        else:
            self._piqp.update(
                c=vectors.c, b=vectors.b, h_l=vectors.h_l, h_u=vectors.h_u, x_l=vectors.x_l, x_u=vectors.x_u
            )
        return self._piqp.solve()

    def _solver(self) -> piqp.SparseSolver:
        assert self._piqp is not None
        return self._piqp


def _status_name(status: piqp.Status) -> str:
    return str(status.name).removeprefix("PIQP_").lower()
