"""Turning a controller's setpoints into what physically happens during one step."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.site_state import BatteryState, SessionState


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
) -> StepFlows:
    """Clip setpoints to what the devices can do, apply them and return the realised flows.

    With ``guard`` the site's fast dispatch layer keeps the grid connection within its limits
    against forecast errors: it first uses curtailed PV, then trims charging, then discharges
    the battery and the V2G cars.
    """
    bounds = {key: s.power_bounds_kw(step_hours) for key, s in sessions.items()}
    power = {key: min(max(session_power_kw.get(key, 0.0), low), high) for key, (low, high) in bounds.items()}
    battery_low, battery_high = (0.0, 0.0)
    if battery is not None:
        battery_low, battery_high = battery.power_bounds_kw(step_hours)
    battery_power = min(max(battery_power_kw, battery_low), battery_high)
    curtailment = min(max(pv_curtailment_kw, 0.0), pv_kw)

    if guard:
        excess = building_kw - pv_kw + curtailment + battery_power + sum(power.values())
        excess -= import_limit_kw
        if excess > 0:
            excess, curtailment = _reduce(excess, curtailment, 0.0)
            excess, power = _trim_charging(excess, power)
            excess, battery_power = _reduce(excess, battery_power, battery_low)
            for key in power:
                excess, power[key] = _reduce(excess, power[key], bounds[key][0])
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


def _trim_charging(excess: float, power: dict[str, float]) -> tuple[float, dict[str, float]]:
    """Scale every charging car down by the same share."""
    charging = sum(max(p, 0.0) for p in power.values())
    if charging <= 0:
        return excess, power
    share = min(1.0, excess / charging)
    trimmed = {k: p * (1 - share) if p > 0 else p for k, p in power.items()}
    return excess - share * charging, trimmed
