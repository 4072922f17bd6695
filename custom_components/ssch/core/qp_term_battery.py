"""The stationary battery's term: charge and discharge powers, the stored energy they move, wear
per kWh moved, a value for the energy left at the end, and small quadratic terms on the powers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .model import FloatArray
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .qp_term import CvxpyModel, FillContext, Parameter, SparseData, SparseModel, output_columns, put

CHARGE_MAX = Parameter("battery_charge_max_kw", per_step=BlockLayout.mean)
DISCHARGE_MAX = Parameter("battery_discharge_max_kw", per_step=BlockLayout.mean)
ENERGY_NOW = Parameter("battery_energy_now_kwh")
ENERGY_MIN = Parameter("battery_energy_min_kwh")
ENERGY_MAX = Parameter("battery_energy_max_kwh")
WEAR_PRICE = Parameter("battery_wear_price")
TERMINAL_VALUE = Parameter("battery_terminal_value")

CHARGE = "battery_charge_kw"
DISCHARGE = "battery_discharge_kw"
ENERGY = "battery_energy_kwh"
THROUGHPUT = "battery_throughput_kwh"
DYNAMICS_ROWS = "battery_dynamics"


class BatteryTerm:
    """The site's stationary battery, when it has one."""

    name = "stationary battery"
    parameters: tuple[Parameter, ...] = (
        CHARGE_MAX,
        DISCHARGE_MAX,
        ENERGY_NOW,
        ENERGY_MIN,
        ENERGY_MAX,
        WEAR_PRICE,
        TERMINAL_VALUE,
    )
    outputs: tuple[str, ...] = (CHARGE, DISCHARGE)

    def applies(self, structure: QpStructure) -> bool:
        return structure.has_battery

    def fill(self, context: FillContext) -> dict[Parameter, ArrayLike]:
        battery = context.snapshot.battery
        if battery is None:
            raise ValueError("a structure with a battery for a snapshot without one")
        steps = context.snapshot.grid.steps
        return {
            CHARGE_MAX: np.full(steps, battery.max_charge_kw),
            DISCHARGE_MAX: np.full(steps, battery.max_discharge_kw),
            ENERGY_NOW: battery.energy_kwh,
            ENERGY_MIN: min(battery.energy_min_kwh, battery.energy_kwh),
            ENERGY_MAX: max(battery.energy_max_kwh, battery.energy_kwh),
            WEAR_PRICE: context.config.battery_wear_eur_per_kwh,
            # Energy left at the end is worth what it would cost to buy back, so the battery is not
            # emptied at the horizon's end for a small spread.
            TERMINAL_VALUE: battery.efficiency * float(np.mean(context.import_price)),
        }

    def cvxpy_part(self, model: CvxpyModel) -> None:
        cp, dt = model.cp, model.dt
        steps = len(dt)
        weights, efficiency = model.structure.weights, model.structure.battery_efficiency
        charge = model.variable(CHARGE, steps)
        discharge = model.variable(DISCHARGE, steps)
        energy = model.variable(ENERGY, steps + 1)
        throughput = model.variable(THROUGHPUT)
        model.constrain(
            charge >= 0,
            charge <= model.parameter(CHARGE_MAX),
            discharge >= 0,
            discharge <= model.parameter(DISCHARGE_MAX),
            energy[0] == model.parameter(ENERGY_NOW),
            energy[1:] == energy[:-1] + cp.multiply(dt, efficiency * charge - discharge / efficiency),
            energy[1:] >= model.parameter(ENERGY_MIN),
            energy[1:] <= model.parameter(ENERGY_MAX),
            throughput == dt @ (charge + discharge),
        )
        model.draw(charge - discharge)
        objective = (
            model.parameter(WEAR_PRICE) * throughput
            - model.parameter(TERMINAL_VALUE) * energy[steps]
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
        model.cost(objective)

    def sparse_variables(self, structure: QpStructure) -> list[tuple[str, int]]:
        steps = len(structure.block_hours)
        return [(CHARGE, steps), (DISCHARGE, steps), (ENERGY, steps)]

    def sparse_part(self, model: SparseModel) -> None:
        from scipy import sparse

        from .qp_matrices import accumulation, step_difference

        dt, weights = model.dt, model.structure.weights
        steps, efficiency = len(dt), model.structure.battery_efficiency
        into_battery = sparse.diags(dt)
        model.equality(
            DYNAMICS_ROWS,
            {
                ENERGY: accumulation(steps),
                CHARGE: -efficiency * into_battery,
                DISCHARGE: into_battery / efficiency,
            },
        )
        model.draw({CHARGE: sparse.eye(steps), DISCHARGE: -sparse.eye(steps)})
        power_diagonal = sparse.diags(2.0 * weights.power_eur_per_kw2h * dt)
        model.quadratic(CHARGE, power_diagonal)
        model.quadratic(DISCHARGE, power_diagonal)
        if steps > 1:
            difference = step_difference(steps)
            smooth = 2.0 * weights.smoothness_eur_per_kw2 * (difference.T @ difference)
            model.quadratic(CHARGE, smooth)
            model.quadratic(DISCHARGE, smooth)
            model.quadratic((CHARGE, DISCHARGE), -smooth)

    def sparse_data(self, data: SparseData, values: Mapping[str, Any]) -> None:
        col = data.columns
        put(data.x_u, col[CHARGE], CHARGE_MAX.of(values))
        put(data.x_u, col[DISCHARGE], DISCHARGE_MAX.of(values))
        # Wear is priced per kW here, not through cvxpy's scalar throughput variable.
        wear = float(WEAR_PRICE.of(values)) * data.dt
        put(data.c, col[CHARGE], wear)
        put(data.c, col[DISCHARGE], wear)
        energy = col[ENERGY]
        data.x_l[energy] = float(ENERGY_MIN.of(values))
        data.x_u[energy] = float(ENERGY_MAX.of(values))
        data.c[energy.stop - 1] = -float(TERMINAL_VALUE.of(values))
        data.b[data.equality_rows[DYNAMICS_ROWS].start] = float(ENERGY_NOW.of(values))

    def sparse_solution(
        self, structure: QpStructure, columns: Mapping[str, slice], x: FloatArray
    ) -> dict[str, FloatArray]:
        return output_columns(self.outputs, columns, x)
