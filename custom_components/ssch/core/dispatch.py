"""The fast loop between solves: correct the plan's current step from live measurements.

The plan was made minutes ago from forecasts. When PV dips, a building load spikes or a station
draws more than it was told, the planned EV setpoints would break the grid limit until the next solve.
``correct_setpoints`` moves them just enough to hold the limit again, and ``changed_setpoints`` keeps
stations from being flooded with tiny changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math

# Below this, a new setpoint is not worth a message to the station.
DEFAULT_DEADBAND_KW = 0.5


@dataclass(frozen=True, slots=True)
class EvseBounds:
    """What one EVSE can do right now (kW, positive = into the EV); discharge_kw >= 0."""

    charge_kw: float
    discharge_kw: float

    def clamp(self, power_kw: float) -> float:
        """The nearest feasible power."""
        return min(self.charge_kw, max(-self.discharge_kw, power_kw))


@dataclass(frozen=True, slots=True)
class LiveSite:
    """Measurements now: net grid power (import positive) and each EVSE's actual power."""

    grid_power_kw: float
    evse_power_kw: Mapping[str, float]
    import_limit_kw: float
    export_limit_kw: float
    # The lowest net power the site has promised (an "up" flexibility commitment); the import
    # limit wins when the two conflict.
    net_floor_kw: float = -math.inf


def _rest_of_site_kw(live: LiveSite) -> float:
    """Grid power without the EVs: buildings, PV and battery as measured."""
    return live.grid_power_kw - sum(live.evse_power_kw.values())


def correct_setpoints(
    planned_kw: Mapping[str, float], live: LiveSite, bounds: Mapping[str, EvseBounds]
) -> dict[str, float]:
    """Planned EV setpoints, clamped to each EVSE's bounds and moved so the site keeps its grid limits
    and its promised net floor.

    Too much import: charging is reduced in proportion to each EVSE's charging, then discharge is raised
    where allowed. Too much export or too little import for the floor: the reverse. Setpoints are never
    moved beyond what is needed.
    """
    setpoints = {evse: bounds[evse].clamp(power) for evse, power in planned_kw.items() if evse in bounds}
    predicted = _rest_of_site_kw(live) + sum(setpoints.values())
    lowest = max(-live.export_limit_kw, min(live.net_floor_kw, live.import_limit_kw))
    if predicted > live.import_limit_kw:
        _shift(setpoints, bounds, -(predicted - live.import_limit_kw))
    elif predicted < lowest:
        _shift(setpoints, bounds, lowest - predicted)
    return setpoints


def _shift(setpoints: dict[str, float], bounds: Mapping[str, EvseBounds], delta_kw: float) -> None:
    """Move the sum of ``setpoints`` by ``delta_kw`` (negative = less into the EVs), spreading it in
    proportion to each EVSE's room in that direction."""
    if delta_kw < 0:
        # First take back charging, then add discharge.
        stages = (
            {evse: max(0.0, power) for evse, power in setpoints.items()},
            {evse: bounds[evse].discharge_kw + min(0.0, setpoints[evse]) for evse in setpoints},
        )
    else:
        stages = (
            {evse: max(0.0, -power) for evse, power in setpoints.items()},
            {evse: bounds[evse].charge_kw - max(0.0, setpoints[evse]) for evse in setpoints},
        )
    remaining = abs(delta_kw)
    direction = 1.0 if delta_kw > 0 else -1.0
    for room in stages:
        total = sum(room.values())
        if remaining <= 1e-9 or total <= 1e-9:
            continue
        share = min(1.0, remaining / total)
        for evse, available in room.items():
            setpoints[evse] += direction * available * share
        remaining -= min(remaining, total)


def changed_setpoints(
    wanted_kw: Mapping[str, float],
    sent_kw: Mapping[str, float | None],
    deadband_kw: float = DEFAULT_DEADBAND_KW,
) -> dict[str, float]:
    """The setpoints worth sending: never sent, moved beyond the deadband, or a change of direction."""
    changes: dict[str, float] = {}
    for evse, power in wanted_kw.items():
        previous = sent_kw.get(evse)
        if (
            previous is None
            or abs(power - previous) >= deadband_kw
            or (power < 0) != (previous < 0)
            or (power == 0.0) != (previous == 0.0)
        ):
            changes[evse] = power
    return changes
