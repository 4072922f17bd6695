"""Rule-based schedule for when no solver is available or none succeeded.

Cars are served earliest deadline first (least laxity breaks ties); each car takes its cheapest
steps, where PV surplus counts at the export price, so surplus is used first, and of steps that cost
the same those with fewer cars plugged in, which leaves the busy ones to the others. A car that
would end short of its target is served last, with what all others leave: when power is short, one
car goes short instead of every car after it. Charging never pushes the site above the import
limit, nor above what a committed reduction of consumption allows (a committed increase is left to
the optimizer). No car discharges. The stationary battery soaks up PV surplus and shaves import
above the limit, within its SoC bounds. Needs numpy only.
"""

from __future__ import annotations

import numpy as np

from .model import FloatArray, Plan, SiteSnapshot, SolverDiagnostics
from .plan_assembly import assemble_plan
from .windows import ENERGY_TOLERANCE_KWH, SessionWindow, base_evse_power, session_windows

BACKEND = "rule_based"


def import_cap_kw(snapshot: SiteSnapshot) -> FloatArray:
    """Per step, the import limit or the net power a committed reduction allows, whichever is lower."""
    cap = np.asarray(snapshot.limits.import_limit_kw, dtype=np.float64).copy()
    step = snapshot.grid.step_delta
    for commitment in snapshot.commitments:
        if commitment.requested_kw >= 0.0:
            continue
        for k, start in enumerate(snapshot.grid.times()):
            if start < commitment.end and commitment.start < start + step:
                cap[k] = min(cap[k], max(commitment.target_net_kw, 0.0))
    return cap


def _laxity_hours(window: SessionWindow, step_hours: float) -> float:
    """Time to spare: window length minus the time needed at full power."""
    session = window.session
    needed_kwh = max(0.0, window.required_energy_kwh - session.energy_kwh)
    full_power = window.charge_limit_kw * session.charge_efficiency
    needed_hours = needed_kwh / full_power if full_power > 0 else float("inf")
    return float(window.availability.sum()) * step_hours - needed_hours


def _charge_cars(
    snapshot: SiteSnapshot, windows: list[SessionWindow], headroom_kw: FloatArray
) -> dict[str, FloatArray]:
    """Every car's power within ``headroom_kw`` (used up as cars take it)."""
    dt = snapshot.grid.step_hours
    step_price = _step_price(snapshot)
    cars_present = np.zeros(snapshot.grid.steps)
    for window in windows:
        cars_present += window.charge_max_kw > 0.0
    evse_power = base_evse_power(snapshot)
    order = sorted(windows, key=lambda w: (w.session.departure, _laxity_hours(w, dt)))
    short: list[SessionWindow] = []
    for window in order:
        power, missing_kwh = _cheapest_charge(window, headroom_kw, step_price, cars_present, dt)
        if missing_kwh > ENERGY_TOLERANCE_KWH:
            short.append(window)
            continue
        evse_power[window.evse.evse_id] += power
        headroom_kw -= power
    for window in short:
        power, _ = _cheapest_charge(window, headroom_kw, step_price, cars_present, dt)
        evse_power[window.evse.evse_id] += power
        headroom_kw -= power
    return evse_power


def _step_price(snapshot: SiteSnapshot) -> FloatArray:
    """What a kWh costs per step: the export price while PV covers the building, else the import price."""
    net_base = snapshot.forecasts.building_kw - snapshot.forecasts.pv_kw
    price: FloatArray = np.where(
        net_base < 0.0, snapshot.prices.export_eur_per_kwh, snapshot.prices.import_eur_per_kwh
    )
    return price


def _cheapest_charge(
    window: SessionWindow,
    headroom_kw: FloatArray,
    step_price: FloatArray,
    cars_present: FloatArray,
    dt: float,
) -> tuple[FloatArray, float]:
    """The car's power in its cheapest steps within ``headroom_kw`` (of equal price, those with fewer
    ``cars_present`` first), and the kWh it still misses."""
    session = window.session
    missing_kwh = max(0.0, window.required_energy_kwh - session.energy_kwh)
    missing_kwh = min(missing_kwh, window.energy_max_kwh - session.energy_kwh)
    power = np.zeros_like(headroom_kw)
    candidates = np.flatnonzero(window.charge_max_kw > 0.0)
    for k in candidates[np.lexsort((cars_present[candidates], step_price[candidates]))]:
        if missing_kwh <= 1e-9:
            break
        power[k] = min(
            window.charge_max_kw[k],
            max(0.0, headroom_kw[k]),
            missing_kwh / (session.charge_efficiency * dt),
        )
        missing_kwh -= power[k] * session.charge_efficiency * dt
    return power, missing_kwh


def _run_battery(snapshot: SiteSnapshot, site_net_kw: FloatArray, cap_kw: FloatArray) -> FloatArray:
    battery = snapshot.battery
    power = np.zeros(snapshot.grid.steps)
    if battery is None:
        return power
    dt = snapshot.grid.step_hours
    energy = battery.energy_kwh
    energy_min = min(battery.energy_min_kwh, energy)
    energy_max = max(battery.energy_max_kwh, energy)
    for k, net in enumerate(site_net_kw):
        if net < 0.0:
            room = (energy_max - energy) / (battery.efficiency * dt)
            power[k] = max(0.0, min(-net, battery.max_charge_kw, room))
            energy += power[k] * battery.efficiency * dt
        elif net > cap_kw[k]:
            stock = (energy - energy_min) * battery.efficiency / dt
            excess = net - cap_kw[k]
            power[k] = -max(0.0, min(excess, battery.max_discharge_kw, stock))
            energy += power[k] / battery.efficiency * dt
    return power


def rule_based_plan(snapshot: SiteSnapshot, reason: str | None = None) -> Plan:
    """A plan that respects the grid limits, the SoC bounds and every car's floor without a solver."""
    forecasts, limits = snapshot.forecasts, snapshot.limits
    fixed = base_evse_power(snapshot)
    fixed_load = np.zeros(snapshot.grid.steps)
    for power in fixed.values():
        fixed_load += power
    net_base = forecasts.building_kw - forecasts.pv_kw + fixed_load
    cap = import_cap_kw(snapshot)
    headroom = cap - net_base
    evse_power = _charge_cars(snapshot, session_windows(snapshot), headroom)
    site_net = forecasts.building_kw - forecasts.pv_kw
    for power in evse_power.values():
        site_net = site_net + power
    battery_power = _run_battery(snapshot, site_net, cap)
    export = np.maximum(-(site_net + battery_power), 0.0)
    curtailment = np.zeros(snapshot.grid.steps)
    if snapshot.pv_curtailable:
        curtailment = np.minimum(np.maximum(export - limits.export_limit_kw, 0.0), forecasts.pv_kw)
    diagnostics = SolverDiagnostics(BACKEND, "heuristic", 0.0, fallback_used=True, reason=reason)
    return assemble_plan(snapshot, evse_power, battery_power, curtailment, diagnostics)
