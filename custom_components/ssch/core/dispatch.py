"""The fast loop between solves: correct the plan's current step from live measurements.

The plan was made minutes ago from forecasts. When PV dips, a building load spikes or a station
draws more than it was told, the planned EV setpoints would break the grid limit until the next solve.
``correct_setpoints`` moves them just enough to hold the limit again, and ``changed_setpoints`` keeps
stations from being flooded with tiny changes.

An AC car cannot charge below its minimum current (6 A per phase by IEC 61851, more for some cars),
so an EVSE may have a minimum power in each direction: every setpoint is then either 0 or at least
that minimum. ``snap_setpoints`` settles planned values that fall in between; ``shift_setpoints``
moves a set of setpoints without creating such values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math

# Below this, a new setpoint is not worth a message to the station.
DEFAULT_DEADBAND_KW = 0.5
_TOLERANCE_KW = 1e-9


@dataclass(frozen=True, slots=True)
class EvseBounds:
    """What one EVSE can do right now (kW, positive = into the EV); discharge_kw >= 0.

    ``min_charge_kw`` and ``min_discharge_kw`` (>= 0, 0 = none) are the lowest powers the car can take
    or give: a setpoint is 0 or at least the minimum. A side whose maximum is below its minimum is closed.
    """

    charge_kw: float
    discharge_kw: float
    min_charge_kw: float = 0.0
    min_discharge_kw: float = 0.0

    def __post_init__(self) -> None:
        if not (self.min_charge_kw >= 0.0 and self.min_discharge_kw >= 0.0):
            raise ValueError("minimum powers must be >= 0")

    def highest(self, side: float) -> float:
        """The largest magnitude on ``side`` (1 = charging, -1 = discharging); 0 when it is closed."""
        most = self.charge_kw if side > 0 else self.discharge_kw
        return most if most >= self.least(side) else 0.0

    def least(self, side: float) -> float:
        """The smallest magnitude other than 0 on ``side`` (1 = charging, -1 = discharging)."""
        return self.min_charge_kw if side > 0 else self.min_discharge_kw

    def clamp(self, power_kw: float) -> float:
        """The nearest power within the maximums (a closed side clamps to 0)."""
        return min(self.highest(1.0), max(-self.highest(-1.0), power_kw))

    def allows(self, power_kw: float) -> bool:
        """Whether the car can take ``power_kw``: 0, or between a side's minimum and maximum."""
        side = 1.0 if power_kw > 0 else -1.0
        magnitude = abs(power_kw)
        return magnitude == 0.0 or (
            self.least(side) - _TOLERANCE_KW <= magnitude <= self.highest(side) + _TOLERANCE_KW
        )


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
    # The highest net import already billed this month under a demand charge (inf: none). Rounding a
    # setpoint up to its minimum raises the net import only up to it, or up to what the plan itself
    # asks for if that is higher: otherwise every rounding up at the peak becomes the new peak, and
    # the next plan builds on it.
    billed_peak_kw: float = math.inf


def _rest_of_site_kw(live: LiveSite) -> float:
    """Grid power without the EVs: buildings, PV and battery as measured."""
    return live.grid_power_kw - sum(live.evse_power_kw.values())


def correct_setpoints(
    planned_kw: Mapping[str, float], live: LiveSite, bounds: Mapping[str, EvseBounds]
) -> dict[str, float]:
    """Planned EV setpoints, clamped to each EVSE's bounds and moved so the site keeps its grid limits
    and its promised net floor.

    A setpoint below an EVSE's minimum goes to the nearer of 0 and the minimum, up only while the net
    import stays within the import limit and the billed peak (``snap_setpoints``). Too much import:
    charging is reduced in proportion to each EVSE's room above its minimum, EVSEs stop (lowest
    setpoint first) when that is not enough, then discharge is raised where allowed
    (``shift_setpoints``). Too much export or too little import for the floor: the reverse. Setpoints
    are never moved beyond what is needed, except by an EVSE's minimum; the import limit wins.
    """
    setpoints = {evse: bounds[evse].clamp(power) for evse, power in planned_kw.items() if evse in bounds}
    rest = _rest_of_site_kw(live)
    lowest = max(-live.export_limit_kw, min(live.net_floor_kw, live.import_limit_kw))
    predicted = rest + sum(setpoints.values())
    ceiling = min(live.import_limit_kw, max(live.billed_peak_kw, predicted))
    setpoints = snap_setpoints(setpoints, bounds, ceiling - predicted, predicted - lowest)
    predicted = rest + sum(setpoints.values())
    if predicted > live.import_limit_kw:
        setpoints = shift_setpoints(setpoints, bounds, -(predicted - live.import_limit_kw))
    elif predicted < lowest:
        setpoints = shift_setpoints(
            setpoints, bounds, lowest - predicted, slack_kw=live.import_limit_kw - lowest
        )
    return setpoints


def snap_setpoints(
    setpoints_kw: Mapping[str, float],
    bounds: Mapping[str, EvseBounds],
    import_room_kw: float = math.inf,
    export_room_kw: float = math.inf,
) -> dict[str, float]:
    """Setpoints with every value between 0 and its EVSE's minimum moved to 0 or to the minimum.

    A value goes to the minimum when it is at least half of it and the grid has room for the whole
    minimum: ``import_room_kw`` for charging (how far the site's net power may rise above what it is
    with ``setpoints_kw``), ``export_room_kw`` for discharging (how far it may fall). Values closest to
    their minimum get the room first, then by EVSE id. ``bounds`` holds every EVSE of ``setpoints_kw``;
    setpoints outside their maximums are left to the caller (``EvseBounds.clamp``).
    """
    snapped = dict(setpoints_kw)
    candidates: list[tuple[float, str, float]] = []
    for evse, power in setpoints_kw.items():
        side = 1.0 if power > 0 else -1.0
        least = bounds[evse].least(side)
        if 0.0 < abs(power) < least:
            snapped[evse] = 0.0
            import_room_kw += power
            export_room_kw -= power
            if abs(power) >= least / 2 and bounds[evse].highest(side) > 0.0:
                candidates.append((least - abs(power), evse, side * least))
    for _, evse, value in sorted(candidates):
        room = import_room_kw if value > 0 else export_room_kw
        if abs(value) <= room + _TOLERANCE_KW:
            snapped[evse] = value
            import_room_kw -= value
            export_room_kw += value
    return snapped


def shift_setpoints(
    setpoints_kw: Mapping[str, float],
    bounds: Mapping[str, EvseBounds],
    delta_kw: float,
    *,
    slack_kw: float = math.inf,
    beyond_zero: bool = True,
) -> dict[str, float]:
    """Setpoints whose sum moved by ``delta_kw`` (negative = less into the EVs), or as far as they can.

    First the EVSEs on the other side move towards 0: in proportion to their room above their minimum,
    and when that room is not enough, EVSEs stop, lowest magnitude first. Then, with ``beyond_zero``,
    the EVSEs on the side of the move take the rest in proportion to their room, starting stopped ones
    at their minimum (largest room first) when the running ones cannot take it. When a stop or a start
    moves the sum too far, the EVSEs still running even it out within their bounds; what they cannot
    even out may leave the sum past ``delta_kw`` by at most ``slack_kw``. Setpoints that keep the
    minimums stay so.
    """
    moved = dict(setpoints_kw)
    direction = 1.0 if delta_kw > 0 else -1.0
    left = _towards_zero(moved, bounds, -direction, abs(delta_kw), slack_kw)
    if beyond_zero and left > _TOLERANCE_KW:
        _away_from_zero(moved, bounds, direction, left, slack_kw)
    return moved


def _towards_zero(
    setpoints: dict[str, float], bounds: Mapping[str, EvseBounds], side: float, amount: float, slack: float
) -> float:
    """Lower the magnitude of the setpoints on ``side`` by ``amount`` in total; what is left to move
    (negative: moved that much too far)."""
    magnitudes = {evse: side * power for evse, power in setpoints.items() if side * power > 0}
    lows = {evse: side * bounds[evse].least(side) for evse in magnitudes}
    highs = {evse: side * bounds[evse].highest(side) for evse in magnitudes}
    room = sum(magnitudes[evse] - side * low for evse, low in lows.items())
    spare = sum(side * high - magnitudes[evse] for evse, high in highs.items())
    left = amount
    for evse in sorted(magnitudes, key=lambda key: (magnitudes[key], key)):
        if room >= left - _TOLERANCE_KW:
            break
        own_spare = side * highs[evse] - magnitudes[evse]
        if magnitudes[evse] - left - (spare - own_spare) > slack:
            continue
        spare -= own_spare
        room -= magnitudes[evse] - side * lows.pop(evse)
        del highs[evse]
        left -= magnitudes[evse]
        setpoints[evse] = 0.0
    if left < 0:
        return -_spread(setpoints, highs, -left)
    return _spread(setpoints, lows, left)


def _away_from_zero(
    setpoints: dict[str, float], bounds: Mapping[str, EvseBounds], side: float, amount: float, slack: float
) -> float:
    """Raise the magnitude of the setpoints on ``side`` (and of stopped EVSEs) by ``amount`` in total;
    what is left to move (negative: moved that much too far)."""
    highs: dict[str, float] = {}
    stopped: list[str] = []
    for evse, power in setpoints.items():
        limits = bounds[evse]
        if side * power > 0 or (power == 0.0 and limits.least(side) == 0.0):
            highs[evse] = side * limits.highest(side)
        elif power == 0.0 and limits.highest(side) > 0.0:
            stopped.append(evse)
    room = sum(side * (high - setpoints[evse]) for evse, high in highs.items())
    spare = sum(side * setpoints[evse] - bounds[evse].least(side) for evse in highs)
    left = amount
    for evse in sorted(stopped, key=lambda key: (-bounds[key].highest(side), key)):
        if room >= left - _TOLERANCE_KW:
            break
        least = bounds[evse].least(side)
        if least - left - spare > slack:
            continue
        setpoints[evse] = side * least
        highs[evse] = side * bounds[evse].highest(side)
        room += bounds[evse].highest(side) - least
        left -= least
    if left < 0:
        return -_spread(setpoints, {evse: side * bounds[evse].least(side) for evse in highs}, -left)
    return _spread(setpoints, highs, left)


def _spread(setpoints: dict[str, float], ends: Mapping[str, float], amount: float) -> float:
    """Move each setpoint towards its end, all by the same share of their distance, by ``amount`` in
    total; what is left to move."""
    total = sum(abs(end - setpoints[evse]) for evse, end in ends.items())
    if amount <= _TOLERANCE_KW or total <= _TOLERANCE_KW:
        return amount
    share = min(1.0, amount / total)
    for evse, end in ends.items():
        power = setpoints[evse]
        # Rounding must not carry a setpoint past its end, which may be a minimum.
        step = power + (end - power) * share
        setpoints[evse] = min(step, end) if end >= power else max(step, end)
    return amount - min(amount, total)


def changed_setpoints(
    wanted_kw: Mapping[str, float],
    sent_kw: Mapping[str, float | None],
    deadband_kw: float = DEFAULT_DEADBAND_KW,
    bounds: Mapping[str, EvseBounds] | None = None,
) -> dict[str, float]:
    """The setpoints worth sending: never sent, moved beyond the deadband, a change of direction, or
    (with ``bounds``) a setpoint the EVSE may no longer take (a lowered cap, a car's minimum), whatever
    the deadband."""
    changes: dict[str, float] = {}
    for evse, power in wanted_kw.items():
        previous = sent_kw.get(evse)
        if (
            previous is None
            or abs(power - previous) >= deadband_kw
            or (power < 0) != (previous < 0)
            or (power == 0.0) != (previous == 0.0)
            or (
                bounds is not None
                and evse in bounds
                and power != previous
                and not bounds[evse].allows(previous)
            )
        ):
            changes[evse] = power
    return changes
