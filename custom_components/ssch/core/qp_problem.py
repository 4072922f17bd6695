"""The hub's convex QP, built once per structure with cvxpy Parameters (DPP).

Only this module imports cvxpy; the optimizer loads it lazily so the rest of the brain works without.
Time-varying data lives in parameters that appear in costs and bounds, so a re-solve only updates
vectors and OSQP keeps its factorisation. Efficiencies are constants of the structure: a parameter
multiplied with a variable (n x steps) took 7.6 s and 2.9 GB to compile at 100 x 192 instead of
0.15 s and 150 MB; the optimizer maps each car's own efficiency into the energy bounds instead.
"""

from __future__ import annotations

from typing import Any

import cvxpy
import numpy as np

from .qp_matrices import ev_quadratic
from .qp_structure import CURTAILMENT_EUR_PER_KWH, QpStructure

# cvxpy's atoms (sum, sum_squares, diff, ...) are invisible to type checkers.
cp: Any = cvxpy


class HubQp:
    """Variables, parameters and the compiled problem for one ``QpStructure``."""

    def __init__(self, structure: QpStructure) -> None:
        self.structure = structure
        self.params: dict[str, Any] = {}
        self.vars: dict[str, Any] = {}
        n, steps = structure.ev_slots, len(structure.block_hours)
        dt = np.array(structure.block_hours)
        weights = structure.weights
        net_load = self._param("net_load_kw", steps)

        constraints, site, objective = self._ev_part(n, steps, dt)
        site = site + net_load
        if structure.has_battery:
            battery_constraints, battery_site, battery_objective = self._battery_part(steps, dt)
            constraints += battery_constraints
            site = site + battery_site
            objective = objective + battery_objective
        if structure.pv_curtailable:
            curtailment = self._var("pv_curtailment_kw", steps)
            constraints += [curtailment >= 0, curtailment <= self._param("pv_kw", steps)]
            site = site + curtailment
            objective = objective + CURTAILMENT_EUR_PER_KWH * (dt @ curtailment)

        grid_import = self._var("grid_import_kw", steps)
        grid_export = self._var("grid_export_kw", steps)
        import_overrun = self._var("import_overrun_kw", steps)
        export_overrun = self._var("export_overrun_kw", steps)
        peak = self._var("peak_kw")
        constraints += [
            grid_import - grid_export == site,
            grid_import >= 0,
            grid_export >= 0,
            import_overrun >= 0,
            export_overrun >= 0,
            grid_import <= self._param("import_limit_kw", steps) + import_overrun,
            grid_export <= self._param("export_limit_kw", steps) + export_overrun,
            peak >= grid_import,
            peak >= self._param("peak_already_kw"),
        ]
        objective = (
            objective
            + self._param("import_price", steps) @ cp.multiply(dt, grid_import)
            - self._param("export_price", steps) @ cp.multiply(dt, grid_export)
            + self._param("peak_price") * peak
            + self._param("overrun_price") * (dt @ (import_overrun + export_overrun))
            + weights.grid_eur_per_kw2h * cp.sum_squares(cp.multiply(np.sqrt(dt), grid_import))
        )
        if structure.has_commitments:
            commitment_constraints, commitment_cost = self._commitment_part(
                grid_import - grid_export, steps, dt
            )
            constraints += commitment_constraints
            objective = objective + commitment_cost
        self.problem: Any = cp.Problem(cp.Minimize(objective), constraints)

    def _param(self, name: str, *shape: int) -> Any:
        param = cp.Parameter(shape, name=name)
        param.value = np.zeros(shape)
        self.params[name] = param
        return param

    def _var(self, name: str, *shape: int) -> Any:
        variable = cp.Variable(shape, name=name)
        self.vars[name] = variable
        return variable

    def _ev_part(self, n: int, steps: int, dt: Any) -> tuple[list[Any], Any, Any]:
        weights = self.structure.weights
        # Charge and discharge of every slot live in ONE vector variable whose quadratic terms are a
        # single constant quad_form: cvxpy hands a variable's quad_form to the solver as is, while
        # sum_squares of an expression (scaled powers, step differences) adds an auxiliary variable
        # and an equality per element, which doubled the problem Clarabel factorises every iteration.
        cells = n * steps
        power = self._var("ev_power_kw", 2 * cells)
        charge = cp.reshape(power[:cells], (n, steps), order="C")
        discharge = cp.reshape(power[cells:], (n, steps), order="C")
        self.vars["ev_charge_kw"] = charge
        self.vars["ev_discharge_kw"] = discharge
        energy = self._var("ev_energy_kwh", n, steps + 1)
        shortfall = self._var("ev_shortfall_kwh", n)
        optional_shortfall = self._var("ev_optional_shortfall_kwh", n)
        # One scalar carries all EV wear: a per-EV cost vector in the objective makes cvxpy build a
        # dense (variables x parameters) map that runs into gigabytes at hub scale.
        throughput = self._var("ev_throughput_kwh")
        constraints = [
            charge >= 0,
            charge <= self._param("ev_charge_max_kw", n, steps),
            discharge >= 0,
            discharge <= self._param("ev_discharge_max_kw", n, steps),
            energy[:, 0] == self._param("ev_energy_now_kwh", n),
            energy[:, 1:]
            == energy[:, :-1]
            + cp.multiply(
                np.tile(dt, (n, 1)),
                self.structure.ev_charge_efficiency * charge
                - discharge / self.structure.ev_discharge_efficiency,
            ),
            energy[:, 1:] >= self._param("ev_energy_min_kwh", n, steps),
            energy[:, 1:] <= self._param("ev_energy_max_kwh", n, steps),
            energy[:, steps] + shortfall + optional_shortfall >= self._param("ev_required_kwh", n),
            energy[:, steps] >= self._param("ev_hard_floor_kwh", n),
            shortfall >= 0,
            optional_shortfall >= 0,
            optional_shortfall <= self._param("ev_optional_kwh", n),
            throughput == cp.sum((charge + discharge) @ dt),
        ]
        site = cp.sum(charge - discharge, axis=0)
        objective = (
            self._param("ev_wear_price") * throughput
            + self._param("ev_shortfall_price", n) @ shortfall
            + self._param("ev_optional_price", n) @ optional_shortfall
            + cp.quad_form(
                power,
                ev_quadratic(n, dt, weights.power_eur_per_kw2h, weights.smoothness_eur_per_kw2),
                assume_PSD=True,
            )
        )
        return constraints, site, objective

    def _battery_part(self, steps: int, dt: Any) -> tuple[list[Any], Any, Any]:
        weights = self.structure.weights
        charge = self._var("battery_charge_kw", steps)
        discharge = self._var("battery_discharge_kw", steps)
        energy = self._var("battery_energy_kwh", steps + 1)
        throughput = self._var("battery_throughput_kwh")
        constraints = [
            charge >= 0,
            charge <= self._param("battery_charge_max_kw", steps),
            discharge >= 0,
            discharge <= self._param("battery_discharge_max_kw", steps),
            energy[0] == self._param("battery_energy_now_kwh"),
            energy[1:]
            == energy[:-1]
            + cp.multiply(
                dt,
                self.structure.battery_efficiency * charge - discharge / self.structure.battery_efficiency,
            ),
            energy[1:] >= self._param("battery_energy_min_kwh"),
            energy[1:] <= self._param("battery_energy_max_kwh"),
            throughput == dt @ (charge + discharge),
        ]
        objective = (
            self._param("battery_wear_price") * throughput
            - self._param("battery_terminal_value") * energy[steps]
            + weights.power_eur_per_kw2h
            * (
                cp.sum_squares(cp.multiply(np.sqrt(dt), charge))
                + cp.sum_squares(cp.multiply(np.sqrt(dt), discharge))
            )
        )
        if steps > 1:
            objective = objective + weights.smoothness_eur_per_kw2 * cp.sum_squares(
                cp.diff(charge - discharge)
            )
        return constraints, charge - discharge, objective

    def _commitment_part(self, net: Any, steps: int, dt: Any) -> tuple[list[Any], Any]:
        missing_up = self._var("commitment_missing_up_kw", steps)
        missing_down = self._var("commitment_missing_down_kw", steps)
        constraints = [
            missing_up >= 0,
            missing_down >= 0,
            net <= self._param("commitment_net_max_kw", steps) + missing_down,
            net >= self._param("commitment_net_min_kw", steps) - missing_up,
        ]
        cost = self._param("commitment_price", steps) @ cp.multiply(dt, missing_up + missing_down)
        return constraints, cost

    def set_values(self, values: dict[str, Any]) -> None:
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
