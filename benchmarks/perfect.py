"""The perfect-foresight LP: the whole scenario known in advance, solved once with HiGHS.

It is the lower bound for any controller with the same physical model: it knows every future
session, price, PV and load value exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
import time

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from benchmarks.scenario import Scenario
from benchmarks.site_state import SiteState
from custom_components.ssch.core.battery_health import wear_cost_eur_per_kwh

# The same wear price per kWh of throughput (charged plus discharged) as the planner, so both
# weigh cycling alike; unmet targets and overruns are paid dearly (10-20x the energy price).
WEAR_EUR_PER_KWH = wear_cost_eur_per_kwh()
SHORTFALL_EUR_PER_KWH = 3.0
OVERRUN_EUR_PER_KWH = 6.0
CURTAILMENT_EUR_PER_KWH = 1e-4


@dataclass(frozen=True)
class PerfectSchedule:
    """The LP's setpoints for every step."""

    session_power_kw: dict[str, NDArray[np.float64]]
    battery_power_kw: NDArray[np.float64]
    pv_curtailment_kw: NDArray[np.float64]
    solve_time_s: float
    status: str


class _Builder:
    """Collects variables, bounds, costs and sparse rows."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.eq_rows: list[int] = []
        self.eq_cols: list[int] = []
        self.eq_vals: list[float] = []
        self.eq_rhs: list[float] = []
        self.ub_rows: list[int] = []
        self.ub_cols: list[int] = []
        self.ub_vals: list[float] = []
        self.ub_rhs: list[float] = []

    def variables(self, count: int, lower: float, upper: float, cost: float) -> list[int]:
        first = len(self.cost)
        self.lower.extend([lower] * count)
        self.upper.extend([upper] * count)
        self.cost.extend([cost] * count)
        return list(range(first, first + count))

    def equal(self, terms: list[tuple[int, float]], rhs: float) -> None:
        row = len(self.eq_rhs)
        for column, value in terms:
            self.eq_rows.append(row)
            self.eq_cols.append(column)
            self.eq_vals.append(value)
        self.eq_rhs.append(rhs)

    def at_most(self, terms: list[tuple[int, float]], rhs: float) -> None:
        row = len(self.ub_rhs)
        for column, value in terms:
            self.ub_rows.append(row)
            self.ub_cols.append(column)
            self.ub_vals.append(value)
        self.ub_rhs.append(rhs)

    def solve(self) -> tuple[NDArray[np.float64], str]:
        columns = len(self.cost)
        equalities = coo_matrix(
            (self.eq_vals, (self.eq_rows, self.eq_cols)), shape=(len(self.eq_rhs), columns)
        ).tocsr()
        inequalities = coo_matrix(
            (self.ub_vals, (self.ub_rows, self.ub_cols)), shape=(len(self.ub_rhs), columns)
        ).tocsr()
        result = linprog(
            np.array(self.cost),
            A_ub=inequalities,
            b_ub=np.array(self.ub_rhs),
            A_eq=equalities,
            b_eq=np.array(self.eq_rhs),
            bounds=np.column_stack((self.lower, self.upper)),
            method="highs",
        )
        if result.x is None:
            raise RuntimeError(f"perfect-foresight LP failed: {result.message}")
        return np.asarray(result.x, dtype=np.float64), str(result.message)


def solve_perfect(
    scenario: Scenario, state: SiteState, end_battery_kwh: float | None = None
) -> PerfectSchedule:
    """Solve the whole scenario at once from the initial ``state``; the battery ends at least as
    full as it started, or as ``end_battery_kwh`` (to compare with a run that ended there)."""
    started = time.perf_counter()
    lp = _Builder()
    steps, dt = scenario.steps, scenario.step_hours
    series = scenario.series
    import_limit = scenario.site.import_limit_kw
    grid_import = lp.variables(steps, 0.0, np.inf, 0.0)
    grid_export = lp.variables(steps, 0.0, scenario.site.export_limit_kw, 0.0)
    overrun = lp.variables(steps, 0.0, np.inf, OVERRUN_EUR_PER_KWH * dt)
    curtailment = lp.variables(steps, 0.0, 0.0, CURTAILMENT_EUR_PER_KWH * dt)
    for k in range(steps):
        lp.cost[grid_import[k]] = series.price_import_eur_per_kwh[k] * dt
        lp.cost[grid_export[k]] = -series.price_export_eur_per_kwh[k] * dt
        lp.upper[curtailment[k]] = series.pv_kw[k]
        lp.at_most([(grid_import[k], 1.0), (overrun[k], -1.0)], import_limit)
    # Site balance: import - export = building - pv + curtailment + chargers + battery.
    balance: list[list[tuple[int, float]]] = [
        [(grid_import[k], 1.0), (grid_export[k], -1.0), (curtailment[k], -1.0)] for k in range(steps)
    ]
    session_columns = _add_sessions(lp, scenario, state, balance)
    battery_columns = _add_battery(lp, scenario, state, balance, end_battery_kwh)
    for k in range(steps):
        lp.equal(balance[k], series.building_kw[k] - series.pv_kw[k])
    _add_monthly_peaks(lp, scenario, grid_import)
    solution, status = lp.solve()

    session_power: dict[str, NDArray[np.float64]] = {}
    for session_id, (first_step, charge, discharge) in session_columns.items():
        power = np.zeros(steps)
        power[first_step : first_step + len(charge)] = solution[charge] - solution[discharge]
        session_power[session_id] = power
    battery_power: NDArray[np.float64] = np.zeros(steps)
    if battery_columns is not None:
        charge, discharge = battery_columns
        battery_power = solution[charge] - solution[discharge]
    return PerfectSchedule(
        session_power_kw=session_power,
        battery_power_kw=battery_power,
        pv_curtailment_kw=solution[curtailment],
        solve_time_s=time.perf_counter() - started,
        status=status,
    )


def _add_sessions(
    lp: _Builder, scenario: Scenario, state: SiteState, balance: list[list[tuple[int, float]]]
) -> dict[str, tuple[int, list[int], list[int]]]:
    """Charge, discharge and stored energy per session; power outside its window is zero."""
    dt = scenario.step_hours
    columns: dict[str, tuple[int, list[int], list[int]]] = {}
    for session in state.sessions:
        window = session.end_step - session.first_step
        efficiency = session.charger.efficiency
        spec = session.spec
        discharge_max = session.charger.max_discharge_kw if spec.v2g else 0.0
        wear = WEAR_EUR_PER_KWH * dt
        charge = lp.variables(window, 0.0, session.charger.max_charge_kw, wear)
        discharge = lp.variables(window, 0.0, discharge_max, wear)
        energy = lp.variables(window, session.floor_kwh, spec.capacity_kwh, 0.0)
        for j in range(window):
            k = session.first_step + j
            balance[k] += [(charge[j], -1.0), (discharge[j], 1.0)]
            terms = [
                (energy[j], 1.0),
                (charge[j], -efficiency * dt),
                (discharge[j], dt / efficiency),
            ]
            if j == 0:
                lp.equal(terms, session.energy_kwh)
            else:
                lp.equal([*terms, (energy[j - 1], -1.0)], 0.0)
        shortfall = lp.variables(1, 0.0, np.inf, SHORTFALL_EUR_PER_KWH)[0]
        lp.at_most([(energy[-1], -1.0), (shortfall, -1.0)], -spec.target_energy_kwh)
        columns[session.session_id] = (session.first_step, charge, discharge)
    return columns


def _add_battery(
    lp: _Builder,
    scenario: Scenario,
    state: SiteState,
    balance: list[list[tuple[int, float]]],
    end_kwh: float | None,
) -> tuple[list[int], list[int]] | None:
    """The stationary battery; it must end the scenario at least as full as ``end_kwh`` (by
    default as it started)."""
    if state.battery is None:
        return None
    spec = state.battery.spec
    steps, dt = scenario.steps, scenario.step_hours
    wear = WEAR_EUR_PER_KWH * dt
    charge = lp.variables(steps, 0.0, spec.max_charge_kw, wear)
    discharge = lp.variables(steps, 0.0, spec.max_discharge_kw, wear)
    energy = lp.variables(steps, spec.soc_min * spec.capacity_kwh, spec.soc_max * spec.capacity_kwh, 0.0)
    lowest, highest = lp.lower[energy[-1]], lp.upper[energy[-1]]
    end = state.battery.energy_kwh if end_kwh is None else end_kwh
    lp.lower[energy[-1]] = min(max(end, lowest), highest)
    for k in range(steps):
        balance[k] += [(charge[k], -1.0), (discharge[k], 1.0)]
        terms = [
            (energy[k], 1.0),
            (charge[k], -spec.efficiency * dt),
            (discharge[k], dt / spec.efficiency),
        ]
        if k == 0:
            lp.equal(terms, state.battery.energy_kwh)
        else:
            lp.equal([*terms, (energy[k - 1], -1.0)], 0.0)
    return charge, discharge


def _add_monthly_peaks(lp: _Builder, scenario: Scenario, grid_import: list[int]) -> None:
    peaks: dict[tuple[int, int], int] = {}
    for k in range(scenario.steps):
        moment = scenario.time_of(k)
        key = (moment.year, moment.month)
        if key not in peaks:
            peaks[key] = lp.variables(1, 0.0, np.inf, scenario.site.peak_price_eur_per_kw)[0]
        lp.at_most([(grid_import[k], 1.0), (peaks[key], -1.0)], 0.0)
