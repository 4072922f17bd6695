"""Several stationary batteries planned as one pool and driven each with its share.

The planner sees one battery whose capacity, power and energy are the sums of the members'. The pool's
power is then split in proportion to what each member can still take (charging) or give (discharging) in
one step, so members at different states of charge meet their limits together rather than one after
the other. One battery is the special case that gets all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .model import FloatArray, StationaryBattery


def pooled(batteries: Sequence[StationaryBattery]) -> StationaryBattery | None:
    """One battery with the members' summed capacity, power and energy; None without any."""
    if not batteries:
        return None
    if len(batteries) == 1:
        return batteries[0]
    capacity = sum(b.capacity_kwh for b in batteries)
    weights = [b.capacity_kwh / capacity if capacity > 0 else 1.0 / len(batteries) for b in batteries]
    return StationaryBattery(
        capacity_kwh=capacity,
        max_charge_kw=sum(b.max_charge_kw for b in batteries),
        max_discharge_kw=sum(b.max_discharge_kw for b in batteries),
        soc_min=sum(b.energy_min_kwh for b in batteries) / capacity if capacity > 0 else 0.0,
        soc_max=sum(b.energy_max_kwh for b in batteries) / capacity if capacity > 0 else 1.0,
        efficiency=sum(w * b.efficiency for w, b in zip(weights, batteries, strict=True)),
        energy_kwh=sum(b.energy_kwh for b in batteries),
    )


def _headroom_kw(battery: StationaryBattery, charging: bool, step_hours: float) -> float:
    """What the battery can take (charging) or give (discharging) at the grid side over one step."""
    if charging:
        room_kwh = max(0.0, battery.energy_max_kwh - battery.energy_kwh) / battery.efficiency
        return min(battery.max_charge_kw, room_kwh / step_hours)
    stored_kwh = max(0.0, battery.energy_kwh - battery.energy_min_kwh) * battery.efficiency
    return min(battery.max_discharge_kw, stored_kwh / step_hours)


def split_kw(power_kw: float, batteries: Sequence[StationaryBattery], step_hours: float) -> list[float]:
    """Each member's part of the pool's ``power_kw`` (positive = charging); the parts add up to it."""
    if not batteries:
        return []
    if len(batteries) == 1 or power_kw == 0.0:
        return [power_kw if len(batteries) == 1 else 0.0 for _ in batteries]
    headroom = [_headroom_kw(b, power_kw > 0, step_hours) for b in batteries]
    total = sum(headroom)
    if total <= 0.0:
        # Nobody can move energy this step: by capacity, and each member's own limits stop it.
        headroom = [b.capacity_kwh for b in batteries]
        total = sum(headroom)
    return [power_kw * part / total for part in headroom]


def split_series_kw(
    series_kw: FloatArray, batteries: Sequence[StationaryBattery], step_hours: float
) -> list[FloatArray]:
    """Each member's part of the pool's planned series, following each member's energy along it."""
    parts = np.zeros((len(batteries), len(series_kw)))
    members = list(batteries)
    for step, power_kw in enumerate(np.asarray(series_kw, dtype=float)):
        shares = split_kw(float(power_kw), members, step_hours)
        for index, (member, share) in enumerate(zip(members, shares, strict=True)):
            parts[index, step] = share
            stored = share * member.efficiency if share > 0 else share / member.efficiency
            energy = min(max(member.energy_kwh + stored * step_hours, 0.0), member.capacity_kwh)
            members[index] = replace(member, energy_kwh=energy)
    return [parts[index] for index in range(len(batteries))]
