"""The hub's QP assembled directly as sparse matrices, for solvers that run without cvxpy.

The same problem as ``qp_problem.HubQp``, term by term, in the standard form

    minimise 0.5 x'Px + c'x  subject to  Ax = b,  h_l <= Gx <= h_u,  x_l <= x <= x_u.

P, A and G depend only on the ``QpStructure`` and are built once; every tick changes vectors only, so
a solver keeps its symbolic factorisation. Two rewrites keep it small without changing the optimum:
the stored energy at step 0 is the known present energy (moved into ``b``), and the wear terms are
priced per kW directly instead of through cvxpy's scalar throughput variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .model import FloatArray
from .qp_matrices import ev_quadratic, step_difference
from .qp_parameters import QpValues
from .qp_structure import CURTAILMENT_EUR_PER_KWH, QpStructure

_INF = np.inf
# A row bound that never binds; finite, because PIQP warns on stdout about rows free on both sides.
_FREE_ROW = 1e5


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
    """Matrices and index layout of one ``QpStructure``; ``vectors`` turns parameter values into data."""

    def __init__(self, structure: QpStructure) -> None:
        self.structure = structure
        self.steps = steps = len(structure.block_hours)
        self.n = n = structure.ev_slots
        self.dt = dt = np.asarray(structure.block_hours, dtype=np.float64)
        self.columns: dict[str, slice] = {}
        for name, size in self._variables():
            self.columns[name] = slice(self.size, self.size + size)
        self._quadratic: list[tuple[str | tuple[str, str], sparse.spmatrix]] = []
        equalities, inequalities = _Rows(), _Rows()

        # EV slots: stored energy follows charge and discharge; the target is soft, the floor hard.
        eye_n = sparse.eye(n)
        into_ev = sparse.kron(eye_n, sparse.diags(dt))
        ev_dynamics = self._row(
            ev_energy_kwh=sparse.kron(eye_n, _accumulation(steps)),
            ev_power_kw=sparse.hstack(
                [
                    -structure.ev_charge_efficiency * into_ev,
                    into_ev / structure.ev_discharge_efficiency,
                ]
            ),
        )
        equalities.add("ev_dynamics", ev_dynamics)
        last_step = sparse.kron(eye_n, sparse.csr_matrix(([1.0], ([0], [steps - 1])), shape=(1, steps)))
        inequalities.add(
            "ev_target",
            self._row(ev_energy_kwh=last_step, ev_shortfall_kwh=eye_n, ev_optional_shortfall_kwh=eye_n),
        )
        weights = structure.weights
        self._quadratic.append(
            (
                "ev_power_kw",
                2.0 * ev_quadratic(n, dt, weights.power_eur_per_kw2h, weights.smoothness_eur_per_kw2),
            )
        )

        # The site's balance: grid exchange = net load + EVs + battery + curtailed PV.
        site = {
            "grid_import_kw": sparse.eye(steps),
            "grid_export_kw": -sparse.eye(steps),
            "ev_power_kw": -sparse.hstack([sparse.kron(np.ones((1, n)), sparse.eye(steps))] * 2)
            @ sparse.diags(np.repeat([1.0, -1.0], n * steps)),
        }
        if structure.has_battery:
            efficiency = structure.battery_efficiency
            into_battery = sparse.diags(dt)
            equalities.add(
                "battery_dynamics",
                self._row(
                    battery_energy_kwh=_accumulation(steps),
                    battery_charge_kw=-efficiency * into_battery,
                    battery_discharge_kw=into_battery / efficiency,
                ),
            )
            site["battery_charge_kw"] = -sparse.eye(steps)
            site["battery_discharge_kw"] = sparse.eye(steps)
            power_diagonal = sparse.diags(2.0 * weights.power_eur_per_kw2h * dt)
            self._quadratic += [
                ("battery_charge_kw", power_diagonal),
                ("battery_discharge_kw", power_diagonal),
            ]
            if steps > 1:
                difference = step_difference(steps)
                smooth = 2.0 * weights.smoothness_eur_per_kw2 * (difference.T @ difference)
                self._quadratic += [
                    ("battery_charge_kw", smooth),
                    ("battery_discharge_kw", smooth),
                    (("battery_charge_kw", "battery_discharge_kw"), -smooth),
                ]
        if structure.pv_curtailable:
            site["pv_curtailment_kw"] = -sparse.eye(steps)
        equalities.add("balance", self._row(**site))

        # Grid limits with a priced overrun, and the billed peak.
        inequalities.add(
            "import_limit", self._row(grid_import_kw=sparse.eye(steps), import_overrun_kw=-sparse.eye(steps))
        )
        inequalities.add(
            "export_limit", self._row(grid_export_kw=sparse.eye(steps), export_overrun_kw=-sparse.eye(steps))
        )
        inequalities.add("peak", self._row(peak_kw=np.ones((steps, 1)), grid_import_kw=-sparse.eye(steps)))
        self._quadratic.append(("grid_import_kw", sparse.diags(2.0 * weights.grid_eur_per_kw2h * dt)))

        # Commitments: the net grid power within the promised band, every kW missing priced.
        if structure.has_commitments:
            net = {"grid_import_kw": sparse.eye(steps), "grid_export_kw": -sparse.eye(steps)}
            inequalities.add(
                "commitment_max", self._row(**net, commitment_missing_down_kw=-sparse.eye(steps))
            )
            inequalities.add("commitment_min", self._row(**net, commitment_missing_up_kw=sparse.eye(steps)))

        self.P = self._quadratic_matrix()
        self.A = equalities.matrix(self.size)
        self.G = inequalities.matrix(self.size)
        self.equality_rows = equalities.offsets()
        self.inequality_rows = inequalities.offsets()

    @property
    def size(self) -> int:
        return max((s.stop for s in self.columns.values()), default=0)

    def _variables(self) -> list[tuple[str, int]]:
        structure, n, steps = self.structure, self.n, self.steps
        names = [
            ("ev_power_kw", 2 * n * steps),
            ("ev_energy_kwh", n * steps),
            ("ev_shortfall_kwh", n),
            ("ev_optional_shortfall_kwh", n),
        ]
        if structure.has_battery:
            names += [
                ("battery_charge_kw", steps),
                ("battery_discharge_kw", steps),
                ("battery_energy_kwh", steps),
            ]
        if structure.pv_curtailable:
            names.append(("pv_curtailment_kw", steps))
        names += [
            ("grid_import_kw", steps),
            ("grid_export_kw", steps),
            ("import_overrun_kw", steps),
            ("export_overrun_kw", steps),
            ("peak_kw", 1),
        ]
        if structure.has_commitments:
            names += [("commitment_missing_up_kw", steps), ("commitment_missing_down_kw", steps)]
        return names

    def _row(self, **blocks: sparse.spmatrix | FloatArray) -> sparse.csr_matrix:
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

    def vectors(self, values: QpValues) -> QpVectors:
        """Standard-form data for one tick from the parameter values of ``qp_parameters``."""
        structure, steps, dt = self.structure, self.steps, self.dt
        size = self.size
        c, x_l, x_u = np.zeros(size), np.zeros(size), np.full(size, _INF)
        b = np.zeros(self.A.shape[0])
        h_l, h_u = np.full(self.G.shape[0], -_INF), np.full(self.G.shape[0], _INF)
        col, eq, ineq = self.columns, self.equality_rows, self.inequality_rows

        def put(target: FloatArray, span: slice, value: object) -> None:
            target[span] = np.ravel(np.asarray(value, dtype=np.float64))

        power = col["ev_power_kw"]
        cells = self.n * steps
        put(x_u, slice(power.start, power.start + cells), values["ev_charge_max_kw"])
        put(x_u, slice(power.start + cells, power.stop), values["ev_discharge_max_kw"])
        put(c, power, float(values["ev_wear_price"]) * np.tile(dt, 2 * self.n))
        energy_low = np.array(values["ev_energy_min_kwh"], dtype=np.float64)
        energy_low[:, -1] = np.maximum(energy_low[:, -1], values["ev_hard_floor_kwh"])
        put(x_l, col["ev_energy_kwh"], energy_low)
        put(x_u, col["ev_energy_kwh"], values["ev_energy_max_kwh"])
        dynamics = np.zeros((self.n, steps))
        dynamics[:, 0] = values["ev_energy_now_kwh"]
        put(b, eq["ev_dynamics"], dynamics)
        # Where the hard floor already asks for the target, the soft target row is redundant; PIQP
        # declared such sites infeasible (two bounds active on the same energy), so it is left free.
        required = np.asarray(values["ev_required_kwh"], dtype=np.float64)
        redundant = np.asarray(values["ev_hard_floor_kwh"]) >= required
        put(h_l, ineq["ev_target"], np.where(redundant, -_FREE_ROW, required))
        put(c, col["ev_shortfall_kwh"], values["ev_shortfall_price"])
        put(c, col["ev_optional_shortfall_kwh"], values["ev_optional_price"])
        put(x_u, col["ev_optional_shortfall_kwh"], values["ev_optional_kwh"])

        if structure.has_battery:
            put(x_u, col["battery_charge_kw"], values["battery_charge_max_kw"])
            put(x_u, col["battery_discharge_kw"], values["battery_discharge_max_kw"])
            wear = float(values["battery_wear_price"]) * dt
            put(c, col["battery_charge_kw"], wear)
            put(c, col["battery_discharge_kw"], wear)
            energy = col["battery_energy_kwh"]
            x_l[energy] = float(values["battery_energy_min_kwh"])
            x_u[energy] = float(values["battery_energy_max_kwh"])
            c[energy.stop - 1] = -float(values["battery_terminal_value"])
            b[eq["battery_dynamics"].start] = float(values["battery_energy_now_kwh"])
        if structure.pv_curtailable:
            put(x_u, col["pv_curtailment_kw"], values["pv_kw"])
            put(c, col["pv_curtailment_kw"], CURTAILMENT_EUR_PER_KWH * dt)

        put(b, eq["balance"], values["net_load_kw"])
        put(h_u, ineq["import_limit"], values["import_limit_kw"])
        put(h_u, ineq["export_limit"], values["export_limit_kw"])
        h_l[ineq["peak"]] = 0.0
        put(c, col["grid_import_kw"], values["import_price"] * dt)
        put(c, col["grid_export_kw"], -values["export_price"] * dt)
        overrun = float(values["overrun_price"]) * dt
        put(c, col["import_overrun_kw"], overrun)
        put(c, col["export_overrun_kw"], overrun)
        put(c, col["peak_kw"], values["peak_price"])
        put(x_l, col["peak_kw"], values["peak_already_kw"])

        if structure.has_commitments:
            put(h_u, ineq["commitment_max"], values["commitment_net_max_kw"])
            put(h_l, ineq["commitment_min"], values["commitment_net_min_kw"])
            missing = values["commitment_price"] * dt
            put(c, col["commitment_missing_up_kw"], missing)
            put(c, col["commitment_missing_down_kw"], missing)
        return QpVectors(c, b, h_l, h_u, x_l, x_u)

    def solution(self, x: FloatArray) -> dict[str, FloatArray]:
        """The decision variables the plan is made of, shaped as ``HubQp`` gives them."""
        cells = self.n * self.steps
        power = x[self.columns["ev_power_kw"]]
        out: dict[str, FloatArray] = {
            "ev_charge_kw": power[:cells].reshape(self.n, self.steps),
            "ev_discharge_kw": power[cells:].reshape(self.n, self.steps),
        }
        for name in ("battery_charge_kw", "battery_discharge_kw", "pv_curtailment_kw"):
            if name in self.columns:
                out[name] = x[self.columns[name]]
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


def _accumulation(steps: int) -> sparse.csr_matrix:
    """E with (E @ e)[k] = e[k] - e[k - 1] (e[-1] being the known present energy, moved into b)."""
    return sparse.csr_matrix(sparse.eye(steps) - sparse.eye(steps, k=-1))
