"""Battery degradation estimate: cycle ageing (rainflow-counted depth and SoC stress) plus
calendar ageing (time and SoC), for EV batteries and the stationary battery.

Losses are fractions of the nominal capacity. The model is deliberately simple and monotone: a
deeper cycle or a higher SoC never costs less, which is what the wear price and the "incremental
degradation" KPI need.
"""

from __future__ import annotations

from dataclasses import dataclass
import itertools
import math

import numpy as np

from .model import FloatArray

_HOURS_PER_YEAR = 8766.0


@dataclass(frozen=True, slots=True)
class CellAgeingModel:
    """Parameters of a lithium-ion pack (defaults: a generic NMC traction battery at 25 degC)."""

    cycles_to_end_of_life: float = 3000.0  # full (100 % depth) cycles until end of life
    end_of_life_loss: float = 0.2  # capacity lost at end of life
    depth_exponent: float = 1.3  # cycles to end of life scale with depth ** -exponent
    high_soc_cycle_stress: float = 0.5  # extra cycle ageing for a cycle centred at 100 % SoC
    calendar_loss_per_year: float = 0.02  # at 50 % SoC
    calendar_soc_sensitivity: float = 1.5  # calendar rate multiplies by e ** (s * (soc - 0.5))
    replacement_cost_eur_per_kwh: float = 150.0


DEFAULT_CELL_MODEL = CellAgeingModel()


@dataclass(frozen=True, slots=True)
class DegradationEstimate:
    cycle_loss: float
    calendar_loss: float

    @property
    def total_loss(self) -> float:
        return self.cycle_loss + self.calendar_loss


def wear_cost_eur_per_kwh(model: CellAgeingModel = DEFAULT_CELL_MODEL) -> float:
    """Replacement value consumed per kWh of throughput (charged plus discharged) in full cycles."""
    return model.replacement_cost_eur_per_kwh / (2.0 * model.cycles_to_end_of_life)


def _turning_points(soc: FloatArray) -> list[float]:
    points: list[float] = []
    for value in (float(v) for v in soc):
        if points and math.isclose(value, points[-1], abs_tol=1e-9):
            continue
        if len(points) >= 2 and (points[-1] - points[-2]) * (value - points[-1]) > 0:
            points[-1] = value  # still moving in the same direction
        else:
            points.append(value)
    return points


def rainflow_cycles(soc: FloatArray) -> list[tuple[float, float, float]]:
    """Rainflow counting of a SoC series: (depth, mean SoC, count) with count 1 or 0.5."""
    cycles: list[tuple[float, float, float]] = []
    stack: list[float] = []
    for point in _turning_points(soc):
        stack.append(point)
        while len(stack) >= 3:
            outer = abs(stack[-2] - stack[-3])
            inner = abs(stack[-1] - stack[-2])
            if inner < outer:
                break
            mean = (stack[-2] + stack[-3]) / 2.0
            if len(stack) == 3:
                cycles.append((outer, mean, 0.5))
                stack.pop(0)
            else:
                cycles.append((outer, mean, 1.0))
                last = stack.pop()
                stack.pop()
                stack.pop()
                stack.append(last)
    cycles.extend((abs(b - a), (a + b) / 2.0, 0.5) for a, b in itertools.pairwise(stack))
    return [cycle for cycle in cycles if cycle[0] > 0.0]


def cycle_loss(soc: FloatArray, model: CellAgeingModel = DEFAULT_CELL_MODEL) -> float:
    loss = 0.0
    for depth, mean, count in rainflow_cycles(soc):
        stress = 1.0 + model.high_soc_cycle_stress * max(0.0, mean - 0.5) / 0.5
        loss += count * stress * depth**model.depth_exponent
    return loss * model.end_of_life_loss / model.cycles_to_end_of_life


def calendar_loss(soc: FloatArray, step_hours: float, model: CellAgeingModel = DEFAULT_CELL_MODEL) -> float:
    """Calendar ageing over the series (one SoC value per step boundary)."""
    if soc.size < 2:
        return 0.0
    mid = (soc[1:] + soc[:-1]) / 2.0
    rate = model.calendar_loss_per_year * np.exp(model.calendar_soc_sensitivity * (mid - 0.5))
    return float(np.sum(rate) * step_hours / _HOURS_PER_YEAR)


def estimate_degradation(
    energy_kwh: FloatArray,
    capacity_kwh: float,
    step_hours: float,
    model: CellAgeingModel = DEFAULT_CELL_MODEL,
) -> DegradationEstimate:
    """Capacity loss caused by a stored-energy series (one value per step boundary)."""
    soc = np.clip(np.asarray(energy_kwh, dtype=np.float64) / capacity_kwh, 0.0, 1.0)
    return DegradationEstimate(cycle_loss(soc, model), calendar_loss(soc, step_hours, model))


def incremental_degradation(
    controlled_energy_kwh: FloatArray,
    baseline_energy_kwh: FloatArray,
    capacity_kwh: float,
    step_hours: float,
    model: CellAgeingModel = DEFAULT_CELL_MODEL,
) -> float:
    """Relative extra capacity loss of a controlled series versus a baseline (e.g. the same car
    charged uncontrolled over the same time): 0.04 means 4 % more degradation."""
    controlled = estimate_degradation(controlled_energy_kwh, capacity_kwh, step_hours, model)
    baseline = estimate_degradation(baseline_energy_kwh, capacity_kwh, step_hours, model)
    if baseline.total_loss <= 0.0:
        return 0.0 if controlled.total_loss <= 0.0 else math.inf
    return controlled.total_loss / baseline.total_loss - 1.0
