"""The hub's QP assembled directly as sparse matrices, for solvers that run without cvxpy.

The same problem as ``qp_problem.HubQp``, term by term, in the standard form

    minimise 0.5 x'Px + c'x  subject to  Ax = b,  h_l <= Gx <= h_u,  x_l <= x <= x_u.

P, A and G depend only on the ``QpStructure`` and are built once; every tick changes vectors only, so
a solver keeps its symbolic factorisation. Two rewrites keep it small without changing the optimum:
the stored energy at step 0 is the known present energy (moved into ``b``), and the wear terms are
priced per kW directly instead of through cvxpy's scalar throughput variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from .model import FloatArray
from .qp_structure import QpStructure
from .qp_term import SparseBlock, SparseData
from .qp_terms import active_terms

_INF = np.inf


@dataclass(frozen=True, slots=True)
class QpVectors:
    """The per-tick data of the standard form."""

    c: FloatArray
    b: FloatArray
    h_l: FloatArray
    h_u: FloatArray
    x_l: FloatArray
    x_u: FloatArray


@dataclass(slots=True)
class _Rows:
    """Rows of one constraint family (A or G) gathered term by term."""

    blocks: list[sparse.csr_matrix] = field(default_factory=list)
    names: list[tuple[str, int]] = field(default_factory=list)

    def add(self, name: str, block: sparse.spmatrix) -> None:
        self.blocks.append(sparse.csr_matrix(block))
        self.names.append((name, block.shape[0]))

    def matrix(self, columns: int) -> sparse.csc_matrix:
        if not self.blocks:
            return sparse.csc_matrix((0, columns))
        return sparse.vstack(self.blocks, format="csc")

    def offsets(self) -> dict[str, slice]:
        out, start = {}, 0
        for name, size in self.names:
            out[name] = slice(start, start + size)
            start += size
        return out


class SparseHubQp:
    """Matrices and index layout of one ``QpStructure``, built term by term (the ``SparseModel`` every
    term adds its part to); ``vectors`` turns parameter values into data."""

    def __init__(self, structure: QpStructure) -> None:
        self.structure = structure
        self.dt: FloatArray = np.asarray(structure.block_hours, dtype=np.float64)
        self.terms = active_terms(structure)
        self.columns: dict[str, slice] = {}
        for term in self.terms:
            for name, size in term.sparse_variables(structure):
                self.columns[name] = slice(self.size, self.size + size)
        self._quadratic: list[tuple[str | tuple[str, str], sparse.spmatrix]] = []
        self._equalities, self._inequalities = _Rows(), _Rows()
        self._draws: dict[str, SparseBlock] = {}
        for term in self.terms:
            term.sparse_part(self)
        self.P = self._quadratic_matrix()
        self.A = self._equalities.matrix(self.size)
        self.G = self._inequalities.matrix(self.size)
        self.equality_rows = self._equalities.offsets()
        self.inequality_rows = self._inequalities.offsets()

    def equality(self, name: str, blocks: Mapping[str, SparseBlock]) -> None:
        self._equalities.add(name, self._row(blocks))

    def inequality(self, name: str, blocks: Mapping[str, SparseBlock]) -> None:
        self._inequalities.add(name, self._row(blocks))

    def quadratic(self, names: str | tuple[str, str], block: sparse.spmatrix) -> None:
        self._quadratic.append((names, block))

    def draw(self, blocks: Mapping[str, SparseBlock]) -> None:
        overlap = self._draws.keys() & blocks.keys()
        if overlap:
            raise ValueError(f"{sorted(overlap)} drawn twice")
        self._draws.update(blocks)

    def draws(self) -> dict[str, SparseBlock]:
        return dict(self._draws)

    @property
    def size(self) -> int:
        return max((s.stop for s in self.columns.values()), default=0)

    def _row(self, blocks: Mapping[str, SparseBlock]) -> sparse.csr_matrix:
        """One block row: each named variable's coefficients in its own columns, zero elsewhere."""
        rows = {np.shape(block)[0] for block in blocks.values()}
        assert len(rows) == 1, rows
        height = rows.pop()
        parts = []
        for name, span in self.columns.items():
            width = span.stop - span.start
            parts.append(
                sparse.csr_matrix(blocks[name]) if name in blocks else sparse.csr_matrix((height, width))
            )
        return sparse.hstack(parts, format="csr")

    def _quadratic_matrix(self) -> sparse.csc_matrix:
        size = self.size
        total = sparse.csc_matrix((size, size))
        for names, block in self._quadratic:
            rows, cols = (names, names) if isinstance(names, str) else names
            r, c = self.columns[rows], self.columns[cols]
            coo = sparse.coo_matrix(block)
            placed = sparse.csc_matrix((coo.data, (coo.row + r.start, coo.col + c.start)), shape=(size, size))
            total = total + placed
            if rows != cols:
                total = total + placed.T
        return total.tocsc()

    def vectors(self, values: Mapping[str, Any]) -> QpVectors:
        """Standard-form data for one tick from the parameter values of ``qp_parameters``."""
        size = self.size
        data = SparseData(
            structure=self.structure,
            dt=self.dt,
            columns=self.columns,
            equality_rows=self.equality_rows,
            inequality_rows=self.inequality_rows,
            c=np.zeros(size),
            b=np.zeros(self.A.shape[0]),
            h_l=np.full(self.G.shape[0], -_INF),
            h_u=np.full(self.G.shape[0], _INF),
            x_l=np.zeros(size),
            x_u=np.full(size, _INF),
        )
        for term in self.terms:
            term.sparse_data(data, values)
        return QpVectors(data.c, data.b, data.h_l, data.h_u, data.x_l, data.x_u)

    def solution(self, x: FloatArray) -> dict[str, FloatArray]:
        """The decision variables the plan is made of, shaped as ``HubQp`` gives them."""
        out: dict[str, FloatArray] = {}
        for term in self.terms:
            out |= term.sparse_solution(self.structure, self.columns, x)
        return out

    def objective(self, x: FloatArray, vectors: QpVectors) -> float:
        return float(0.5 * x @ (self.P @ x) + vectors.c @ x)

    def violation(self, x: FloatArray, vectors: QpVectors) -> float:
        """Largest breach of any constraint by ``x`` (kW or kWh)."""
        worst = float(np.max(np.abs(self.A @ x - vectors.b), initial=0.0))
        gx = self.G @ x
        worst = max(worst, float(np.max(vectors.h_l - gx, initial=0.0)))
        worst = max(worst, float(np.max(gx - vectors.h_u, initial=0.0)))
        worst = max(worst, float(np.max(vectors.x_l - x, initial=0.0)))
        return max(worst, float(np.max(x - vectors.x_u, initial=0.0)))
