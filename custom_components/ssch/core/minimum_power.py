"""Re-time a plan's EV power so that every step is 0 or at least the car's minimum.

An AC car cannot charge (or discharge) below its minimum current (6 A per phase by IEC 61851). The
planner does not know that minimum: it may spread a car's last kWh over several steps below it,
each of which the dispatch layer (``core/dispatch.py``) rounds to 0, and plan the same again the
next step, until the car leaves short of its target. ``consolidate`` moves such energy into blocks
of at least the minimum on the steps the plan filled most and keeps the series' energy, so the step
applied now is either a real block or a real 0 that a later block makes up for;
``consolidated_setpoints`` does so for the step applied now without raising the site's import
above a ceiling, except for a car that cannot wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
import math

import numpy as np
from numpy.typing import ArrayLike

from .dispatch import EvseBounds, shift_setpoints
from .model import FloatArray, Plan

# Planned power below this is solver noise, not energy to deliver.
NOISE_KW = 1e-3
# Plan values that differ by less than this (1 W) are equally preferred; the earlier step goes first.
_PREFERENCE_DECIMALS = 3
_TOLERANCE_KW = 1e-9


def consolidate(power_kw: ArrayLike, bounds: EvseBounds) -> FloatArray:
    """One car's planned power (kW per step, charging positive) re-timed so that every step is 0
    or within ``bounds`` (at least the minimum, at most the maximum of its side), with the same
    charged energy and the same or less discharged energy.

    Each side is re-timed alone, on the steps the plan uses for it. Its steps are ranked by planned
    magnitude, highest first (the earlier of two equal ones first). The energy goes to the first
    ``n`` of them, where ``n`` is the largest count whose planned magnitudes, each raised to the
    minimum, still fit in the energy; when those ``n`` steps cannot take it all within the maximum
    (or ``n`` is 0), the next step is added. On the chosen steps each magnitude becomes
    ``clip(planned + c, minimum, maximum)`` with the one common ``c`` that keeps the energy: the
    closest such series to the plan on those steps. So steps planned at or above the minimum keep
    at least their power, steps below it form blocks at the minimum, and what is left over (less
    than one block) is shared by all of them. Charged energy is only added when no count of steps
    can hold it between the minimum and the maximum: less than one step at the minimum is left (one
    short block at the minimum, on the step the plan filled most: the target comes first), or, with
    a maximum below twice the minimum, it lies between ``n`` steps at the maximum and ``n + 1`` at
    the minimum. It is only lost when the plan asks for more than the maximum allows on its steps.
    Discharged energy is never added (it would come out of the target): what cannot form blocks is
    not discharged.

    Values below ``NOISE_KW`` are dropped. A side without a minimum, or whose maximum is below its
    minimum, is left as it is.
    """
    series = np.array(power_kw, dtype=np.float64)
    if series.ndim != 1:
        raise ValueError("power_kw must be one series")
    for side, least, most in (
        (1.0, bounds.min_charge_kw, bounds.charge_kw),
        (-1.0, bounds.min_discharge_kw, bounds.discharge_kw),
    ):
        if least > 0.0 and most >= least:
            magnitude = np.maximum(side * series, 0.0)
            steps = np.flatnonzero(magnitude > 0.0)
            series[steps] = side * _consolidate_side(magnitude[steps], least, most, round_up=side > 0)
    return series


def _consolidate_side(planned: FloatArray, least: float, most: float, *, round_up: bool) -> FloatArray:
    """``consolidate`` for the magnitudes of one side's steps (all > 0), in step order; with
    ``round_up`` energy short of one more block is rounded up to it, else left out."""
    planned = np.where(planned < NOISE_KW, 0.0, planned)
    energy = float(planned.sum())
    result = np.zeros_like(planned)
    if energy <= 0.0:
        return result
    # np.lexsort sorts by its last key first: planned magnitude descending, then step ascending.
    order = np.lexsort((np.arange(planned.size), -np.round(planned, _PREFERENCE_DECIMALS)))
    order = order[planned[order] > 0.0]
    raised = np.cumsum(np.clip(planned[order], least, most))
    count = int(np.searchsorted(raised, energy + _TOLERANCE_KW, side="right"))
    if (
        count < order.size
        and (count == 0 or energy > count * most + _TOLERANCE_KW)
        and (round_up or energy >= (count + 1) * least - _TOLERANCE_KW)
    ):
        count += 1
    if count == 0:
        return result
    chosen = order[:count]
    goal = min(max(energy, count * least), count * most)
    result[chosen] = _level(planned[chosen], goal, least, most)
    return result


def _level(planned: FloatArray, goal: float, low: float, high: float) -> FloatArray:
    """``clip(planned + c, low, high)`` with the ``c`` whose sum is ``goal`` (``goal`` between
    ``len(planned)`` times ``low`` and times ``high``)."""
    # The sum is piecewise linear in c with its corners where a step reaches a bound.
    corners = np.unique(np.concatenate((low - planned, high - planned)))
    sums = np.clip(planned[None, :] + corners[:, None], low, high).sum(axis=1)
    after = int(np.searchsorted(sums, goal, side="left"))
    if after == 0:
        shift = float(corners[0])
    elif after == corners.size:
        shift = float(corners[-1])
    else:
        before = after - 1
        slope = (sums[after] - sums[before]) / (corners[after] - corners[before])
        shift = float(corners[before] + (goal - sums[before]) / slope)
    return np.asarray(np.clip(planned + shift, low, high), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class CarStep:
    """One EVSE with a minimum in the step being shared (``share_first_step``)."""

    planned_kw: float
    # The first value of its consolidated series: 0 or within ``bounds``.
    wanted_kw: float
    bounds: EvseBounds
    # Its charging does not fit in the steps the plan gives it later, even at its maximum.
    needed: bool = False
    # The step is the last before its car leaves: it cannot make up for discharging more than planned.
    last: bool = False
    # What its consolidated series charges after this step (kW-steps): the most it can take earlier.
    later_kw: float = 0.0


def consolidated_setpoints(
    plan: Plan,
    moment: datetime,
    bounds: Mapping[str, EvseBounds],
    departures: Mapping[str, datetime] | None = None,
    ceiling_kw: float | None = None,
) -> dict[str, float]:
    """The plan's EV setpoints for the step containing ``moment`` (as ``Plan.setpoints_at``), with
    every EVSE that has a minimum at 0 or at least that minimum.

    Each such EVSE's series from that step on is consolidated (``consolidate``); its first value is
    what the car wants now. The cars together should not raise the site's net import above
    ``ceiling_kw`` (default: the plan's highest import, the ceiling of the hub's dispatch layer), or
    above the plan's own net import in the step if that is higher: under a demand charge every block
    that does becomes a new peak. So the step is shared as ``share_first_step`` says.

    ``departures`` cuts an EVSE's series where its car leaves, so that the energy of one car never
    moves to the next car's steps (default: the plan's end). EVSEs without bounds or without a
    minimum keep the plan's value. ``ValueError`` when ``moment`` is outside the plan.
    """
    grid = plan.grid
    first = grid.index_of(moment)
    setpoints = {evse: float(series[first]) for evse, series in plan.evse_power_kw.items()}
    cars: dict[str, CarStep] = {}
    for evse, series in plan.evse_power_kw.items():
        limits = bounds.get(evse)
        if limits is None or (limits.min_charge_kw <= 0.0 and limits.min_discharge_kw <= 0.0):
            continue
        end = grid.steps
        if departures is not None and evse in departures:
            end = min(end, max(first + 1, math.ceil(grid.offset_steps(departures[evse]) - 1e-9)))
        window = series[first:end]
        charged = float(window[window >= NOISE_KW].sum())
        later = int(np.count_nonzero(window[1:] >= NOISE_KW))
        consolidated = consolidate(window, limits)
        cars[evse] = CarStep(
            planned_kw=setpoints[evse],
            wanted_kw=float(consolidated[0]),
            bounds=limits,
            needed=charged > later * limits.charge_kw + _TOLERANCE_KW,
            last=window.size == 1,
            later_kw=float(np.maximum(consolidated[1:], 0.0).sum()),
        )
    ceiling = float(np.max(plan.grid_import_kw)) if ceiling_kw is None else ceiling_kw
    net = float(plan.grid_import_kw[first] - plan.grid_export_kw[first])
    return setpoints | share_first_step(cars, max(0.0, ceiling - net))


def share_first_step(cars: Mapping[str, CarStep], room_kw: float) -> dict[str, float]:
    """Setpoints of ``cars`` for one step, each 0 or within its bounds, which together take at
    most ``room_kw`` more than planned (``room_kw`` >= 0) unless needed cars take more, and charge
    no less than planned where the room allows.

    1. Every car takes what it wants, except a car that wants to charge more than planned and is
       not needed: these start at 0, then, smallest rise first, each takes what it wants if the
       room allows, else the most the room allows if that is at least its minimum.
    2. When the cars take more than the room (needed cars; discharge moved to a later step), the
       other charging cars give it back (``shift_setpoints``: down to their minimum, then they
       stop). If that is not enough, cars planned to discharge in this step that now do not
       discharge as much of their planned discharge as holds the ceiling, at least their minimum,
       the plan's largest discharge first, unless the step is their last.
    3. When the cars charge less than planned, the cars the plan charges in this step take the
       difference within the room, each only what its series charges later (it charges that
       earlier, nothing more): those that charge, in proportion to their room below their maximum,
       then stopped ones at their minimum (the plan's highest first) while at least half of a
       minimum is left.
    """
    setpoints = {evse: car.wanted_kw for evse, car in cars.items()}
    room_kw -= sum(car.wanted_kw - car.planned_kw for car in cars.values())
    room_kw = _take_rises(setpoints, cars, room_kw)
    if room_kw < -_TOLERANCE_KW:
        _give_back(setpoints, cars, -room_kw)
    else:
        _fill_charging(setpoints, cars, room_kw)
    return setpoints


def _take_rises(setpoints: dict[str, float], cars: Mapping[str, CarStep], room_kw: float) -> float:
    """Step 1 of ``share_first_step``; the room left."""
    rising = sorted(
        (car.wanted_kw - car.planned_kw, evse)
        for evse, car in cars.items()
        if not car.needed and car.wanted_kw > max(car.planned_kw, 0.0) + _TOLERANCE_KW
    )
    for _, evse in rising:
        room_kw += setpoints[evse]
        setpoints[evse] = 0.0
    for _, evse in rising:
        value = min(cars[evse].wanted_kw, room_kw)
        if value > 0.0 and cars[evse].bounds.allows(value):
            setpoints[evse] = value
            room_kw -= value
    return room_kw


def _give_back(setpoints: dict[str, float], cars: Mapping[str, CarStep], excess_kw: float) -> None:
    """Step 2 of ``share_first_step``."""
    bounds = {evse: car.bounds for evse, car in cars.items()}
    others = {evse: setpoints[evse] for evse, car in cars.items() if not car.needed}
    lowered = shift_setpoints(others, bounds, -excess_kw, beyond_zero=False)
    excess_kw += sum(lowered.values()) - sum(others.values())
    setpoints |= lowered
    for evse in sorted(cars, key=lambda key: (cars[key].planned_kw, key)):
        car = cars[evse]
        if excess_kw <= _TOLERANCE_KW:
            break
        value = -max(car.bounds.min_discharge_kw, min(-car.planned_kw, excess_kw))
        if car.planned_kw < 0.0 and setpoints[evse] == 0.0 and not car.last and car.bounds.allows(value):
            setpoints[evse] = value
            excess_kw += value


def _fill_charging(setpoints: dict[str, float], cars: Mapping[str, CarStep], room_kw: float) -> None:
    """Step 3 of ``share_first_step``."""
    short = sum(max(car.planned_kw, 0.0) - max(setpoints[evse], 0.0) for evse, car in cars.items())
    short = min(short, room_kw)
    if short <= _TOLERANCE_KW:
        return
    charged = [evse for evse, car in cars.items() if car.planned_kw > 0.0]
    headroom = {
        evse: max(0.0, min(cars[evse].bounds.highest(1.0) - setpoints[evse], cars[evse].later_kw))
        for evse in charged
        if setpoints[evse] > 0.0
    }
    total = sum(headroom.values())
    if total > 0.0:
        share = min(1.0, short / total)
        for evse, free in headroom.items():
            setpoints[evse] += free * share
        raised = min(short, total)
        short -= raised
        room_kw -= raised
    for evse in sorted(charged, key=lambda key: (-cars[key].planned_kw, key)):
        least = cars[evse].bounds.min_charge_kw
        if (
            setpoints[evse] == 0.0
            and least / 2 <= short
            and least <= min(room_kw, cars[evse].later_kw)
            and cars[evse].bounds.allows(least)
        ):
            setpoints[evse] = least
            short -= least
            room_kw -= least
