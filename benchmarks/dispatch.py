"""Turning a controller's setpoints into what physically happens during one step."""

from __future__ import annotations

from dataclasses import dataclass
import math

from benchmarks.site_state import BatteryState, SessionState
from custom_components.ssch.core.dispatch import EvseBounds, shift_setpoints, snap_setpoints


@dataclass(frozen=True)
class MinimumPower:
    """The cars' minimum power in both directions (AC minimum current), applied as the hub's dispatch
    layer does (``core/dispatch.py``)."""

    power_kw: float
    # Rounding a car up to the minimum may raise the net import up to the month's billed peak (or the
    # plan's own net import, if higher); without, up to the import limit.
    below_billed_peak: bool = True


@dataclass(frozen=True)
class StepFlows:
    """Realised step means (kW); charge and discharge are magnitudes."""

    grid_import_kw: float
    grid_export_kw: float
    pv_used_kw: float
    ev_charge_kw: float
    ev_discharge_kw: float
    battery_charge_kw: float
    battery_discharge_kw: float


def dispatch_step(
    sessions: dict[str, SessionState],
    battery: BatteryState | None,
    *,
    session_power_kw: dict[str, float],
    battery_power_kw: float,
    pv_curtailment_kw: float,
    pv_kw: float,
    building_kw: float,
    import_limit_kw: float,
    export_limit_kw: float,
    step_hours: float,
    guard: bool,
    minimum: MinimumPower | None = None,
    billed_peak_kw: float = math.inf,
) -> StepFlows:
    """Clip setpoints to what the devices can do, apply them and return the realised flows.

    With ``guard`` the site's fast dispatch layer keeps the grid connection within its limits
    against forecast errors: it first uses curtailed PV, then trims charging, then discharges
    the battery and the V2G cars.

    With a ``minimum`` every car's power is 0 or at least the minimum: a value below it goes to the
    nearer; when guarded, up only within the import limit (and ``billed_peak_kw`` if the rule says so),
    and the guard stops cars rather than trimming them below it.
    """
    bounds = {key: s.power_bounds_kw(step_hours) for key, s in sessions.items()}
    power = {key: min(max(session_power_kw.get(key, 0.0), low), high) for key, (low, high) in bounds.items()}
    battery_low, battery_high = (0.0, 0.0)
    if battery is not None:
        battery_low, battery_high = battery.power_bounds_kw(step_hours)
    battery_power = min(max(battery_power_kw, battery_low), battery_high)
    curtailment = min(max(pv_curtailment_kw, 0.0), pv_kw)
    minimums = None
    if minimum is not None:
        minimums = _minimum_bounds(bounds, minimum.power_kw)
        net = building_kw - pv_kw + curtailment + battery_power + sum(power.values())
        peak = billed_peak_kw if minimum.below_billed_peak else math.inf
        ceiling = min(import_limit_kw, max(peak, net)) if guard else math.inf
        export_room = net + export_limit_kw if guard else math.inf
        power = snap_setpoints(power, minimums, ceiling - net, export_room)

    if guard:
        excess = building_kw - pv_kw + curtailment + battery_power + sum(power.values())
        excess -= import_limit_kw
        if excess > 0:
            excess, curtailment = _reduce(excess, curtailment, 0.0)
            excess, power = _trim_charging(excess, power, minimums)
            excess, battery_power = _reduce(excess, battery_power, battery_low)
            if minimums is None:
                for key in power:
                    excess, power[key] = _reduce(excess, power[key], bounds[key][0])
            elif excess > 0:
                power = shift_setpoints(power, minimums, -excess)
        shortfall = pv_kw - curtailment - building_kw - battery_power - sum(power.values())
        shortfall -= export_limit_kw
        if shortfall > 0:
            added = min(shortfall, pv_kw - curtailment)
            curtailment += added
            shortfall -= added
            shortfall, battery_power = _raise(shortfall, battery_power, battery_high)

    for key, session in sessions.items():
        session.apply(power[key], step_hours)
    if battery is not None:
        battery.apply(battery_power, step_hours)
    pv_used = pv_kw - curtailment
    net = building_kw - pv_used + battery_power + sum(power.values())
    return StepFlows(
        grid_import_kw=max(net, 0.0),
        grid_export_kw=max(-net, 0.0),
        pv_used_kw=pv_used,
        ev_charge_kw=sum(max(p, 0.0) for p in power.values()),
        ev_discharge_kw=sum(max(-p, 0.0) for p in power.values()),
        battery_charge_kw=max(battery_power, 0.0),
        battery_discharge_kw=max(-battery_power, 0.0),
    )


def _reduce(excess: float, value: float, lowest: float) -> tuple[float, float]:
    """Lower ``value`` towards ``lowest`` by up to ``excess``."""
    cut = min(excess, max(0.0, value - lowest))
    return excess - cut, value - cut


def _raise(shortfall: float, value: float, highest: float) -> tuple[float, float]:
    """Raise ``value`` towards ``highest`` by up to ``shortfall``."""
    added = min(shortfall, max(0.0, highest - value))
    return shortfall - added, value + added


def _minimum_bounds(bounds: dict[str, tuple[float, float]], min_power_kw: float) -> dict[str, EvseBounds]:
    """Each car's bounds with the minimum power. A car that fills (or reaches its V2G floor) within
    the step at the minimum takes only what is left, so its minimum is that."""
    return {
        key: EvseBounds(high, -low, min(min_power_kw, high), min(min_power_kw, -low))
        for key, (low, high) in bounds.items()
    }


def _trim_charging(
    excess: float, power: dict[str, float], minimums: dict[str, EvseBounds] | None = None
) -> tuple[float, dict[str, float]]:
    """Scale every charging car down by the same share; with minimums, as the hub's dispatch layer
    does (down to the minimums, then cars stop)."""
    if minimums is not None:
        trimmed = shift_setpoints(power, minimums, -excess, beyond_zero=False)
        return max(0.0, excess - sum(power.values()) + sum(trimmed.values())), trimmed
    charging = sum(max(p, 0.0) for p in power.values())
    if charging <= 0:
        return excess, power
    share = min(1.0, excess / charging)
    trimmed = {k: p * (1 - share) if p > 0 else p for k, p in power.items()}
    return excess - share * charging, trimmed
