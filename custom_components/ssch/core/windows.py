"""Sessions seen on the step grid: availability, power bounds, energy bounds and outcomes.

Every planner stage (optimizer, rule-based fallback, shifted plan, projection, flexibility) derives
its per-step bounds from here, so all of them agree on what a feasible schedule is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import (
    Evse,
    EvSession,
    FloatArray,
    SessionOutcome,
    SiteSnapshot,
    StationaryBattery,
    StepGrid,
)

ENERGY_TOLERANCE_KWH = 0.05

REASON_WINDOW = "window too short"
REASON_CHARGER = "charger limit"
REASON_GRID = "grid limit"
REASON_FLOOR = "below floor"


@dataclass(frozen=True, slots=True, eq=False)
class SessionWindow:
    """One session's bounds on the grid; power bounds are step averages (availability applied)."""

    session: EvSession
    evse: Evse
    availability: FloatArray
    charge_max_kw: FloatArray
    discharge_max_kw: FloatArray
    energy_min_kwh: float
    energy_max_kwh: float
    required_energy_kwh: float
    reachable_energy_kwh: float

    @property
    def charge_limit_kw(self) -> float:
        """Instantaneous charge limit of car and charger together."""
        return min(self.session.max_charge_kw, self.evse.max_charge_kw)

    @property
    def hard_floor_kwh(self) -> float:
        """Energy the plan must reach when the target is hard (clipped to what is reachable)."""
        if not self.session.hard_target:
            return self.energy_min_kwh
        return max(self.energy_min_kwh, min(self.required_energy_kwh, self.reachable_energy_kwh))


def availability(grid: StepGrid, start_offset: float, end_offset: float) -> FloatArray:
    """Fraction of each step inside [start_offset, end_offset), offsets in steps from the start."""
    lower = np.arange(grid.steps, dtype=np.float64)
    overlap = np.minimum(lower + 1.0, end_offset) - np.maximum(lower, start_offset)
    clipped: FloatArray = np.clip(overlap, 0.0, 1.0)
    return clipped


def session_availability(grid: StepGrid, session: EvSession) -> FloatArray:
    # A car that is not plugged in yet cannot take power before the next step.
    earliest = 0.0 if session.plugged_in else 1.0
    start = max(grid.offset_steps(session.arrival), earliest)
    return availability(grid, start, grid.offset_steps(session.departure))


def session_window(grid: StepGrid, session: EvSession, evse: Evse) -> SessionWindow:
    available = session_availability(grid, session)
    charge_limit = max(0.0, min(session.max_charge_kw, evse.max_charge_kw))
    energy_now = session.energy_kwh
    floor = session.min_energy_kwh
    may_discharge = session.v2g_allowed and energy_now >= floor - 1e-9
    discharge_limit = max(0.0, min(session.max_discharge_kw, evse.max_discharge_kw))
    energy_max = max(session.capacity_kwh, energy_now)
    target = min(session.target_energy_kwh, session.capacity_kwh)
    hours_after_horizon = max(0.0, (session.departure - grid.end).total_seconds() / 3600.0)
    charge_after_horizon = charge_limit * session.charge_efficiency * hours_after_horizon
    charge_max = charge_limit * available
    reachable = energy_now + session.charge_efficiency * float(charge_max.sum()) * grid.step_hours
    return SessionWindow(
        session=session,
        evse=evse,
        availability=available,
        charge_max_kw=charge_max,
        discharge_max_kw=discharge_limit * available * (1.0 if may_discharge else 0.0),
        energy_min_kwh=min(floor, energy_now),
        energy_max_kwh=energy_max,
        required_energy_kwh=max(0.0, target - charge_after_horizon),
        reachable_energy_kwh=min(energy_max, reachable),
    )


def session_windows(snapshot: SiteSnapshot, *, controllable: bool = True) -> list[SessionWindow]:
    """Windows of the sessions that overlap the grid, on controllable (or on fixed) chargers."""
    windows = []
    for session in snapshot.sessions:
        evse = snapshot.evse(session.evse_id)
        if evse.controllable != controllable:
            continue
        window = session_window(snapshot.grid, session, evse)
        if window.availability.any():
            windows.append(window)
    return windows


def uncontrolled_power(window: SessionWindow, step_hours: float) -> FloatArray:
    """Charging at full power from arrival until the target (or full) is reached."""
    power = np.zeros_like(window.charge_max_kw)
    session = window.session
    goal = min(max(session.target_energy_kwh, session.energy_kwh), window.energy_max_kwh)
    missing_kwh = goal - session.energy_kwh
    for k in np.flatnonzero(window.charge_max_kw > 0.0):
        if missing_kwh <= 1e-9:
            break
        stored = min(window.charge_max_kw[k] * session.charge_efficiency * step_hours, missing_kwh)
        power[k] = stored / (session.charge_efficiency * step_hours)
        missing_kwh -= stored
    return power


def base_evse_power(snapshot: SiteSnapshot) -> dict[str, FloatArray]:
    """Zero power for every charger, except chargers that cannot be controlled: they charge their
    cars uncontrolled, which every plan has to take as given."""
    power: dict[str, FloatArray] = {evse.evse_id: np.zeros(snapshot.grid.steps) for evse in snapshot.evses}
    for window in session_windows(snapshot, controllable=False):
        power[window.evse.evse_id] += uncontrolled_power(window, snapshot.grid.step_hours)
    return power


def fixed_ev_load_kw(snapshot: SiteSnapshot) -> FloatArray:
    """Site load of the chargers that cannot be controlled."""
    power = base_evse_power(snapshot)
    load = np.zeros(snapshot.grid.steps)
    for evse in snapshot.evses:
        if not evse.controllable:
            load += power[evse.evse_id]
    return load


def energy_trajectory(window: SessionWindow, power_kw: FloatArray, step_hours: float) -> FloatArray:
    """Stored energy at every step boundary (steps + 1 values) for a signed power series."""
    session = window.session
    stored = np.where(
        power_kw > 0.0,
        power_kw * session.charge_efficiency,
        power_kw / session.discharge_efficiency,
    )
    return session.energy_kwh + np.concatenate(([0.0], np.cumsum(stored * step_hours)))


def session_share(windows: list[SessionWindow], window: SessionWindow) -> FloatArray:
    """Share of its charger's power that belongs to ``window`` in each step."""
    total = np.zeros_like(window.availability)
    for other in windows:
        if other.evse.evse_id == window.evse.evse_id:
            total += other.availability
    return np.divide(window.availability, total, out=np.zeros_like(total), where=total > 0)


def assess(window: SessionWindow, expected_kwh: float) -> SessionOutcome:
    """Compare the expected energy at departure with the target and name the limiting factor."""
    target = window.session.target_energy_kwh
    required = window.required_energy_kwh
    if expected_kwh >= required - ENERGY_TOLERANCE_KWH:
        return SessionOutcome(expected_kwh, target, at_risk=False)
    if window.reachable_energy_kwh < required - ENERGY_TOLERANCE_KWH:
        car_is_faster = window.session.max_charge_kw > window.evse.max_charge_kw
        reason = REASON_CHARGER if car_is_faster else REASON_WINDOW
    else:
        reason = REASON_GRID
    if expected_kwh < window.session.min_energy_kwh - ENERGY_TOLERANCE_KWH:
        reason = f"{REASON_FLOOR}, {reason}"
    return SessionOutcome(expected_kwh, target, at_risk=True, reason=reason)


def session_outcomes(
    snapshot: SiteSnapshot, evse_power_kw: dict[str, FloatArray]
) -> dict[str, SessionOutcome]:
    """Outcome of every session on a controllable charger for a plan's charger powers."""
    windows = session_windows(snapshot)
    outcomes = {}
    for window in windows:
        power = evse_power_kw.get(window.evse.evse_id)
        if power is None:
            power = np.zeros(snapshot.grid.steps)
        own_power = power * session_share(windows, window)
        final = energy_trajectory(window, own_power, snapshot.grid.step_hours)[-1]
        outcomes[window.session.session_id] = assess(window, float(final))
    return outcomes


def site_balance(
    snapshot: SiteSnapshot,
    evse_power_kw: dict[str, FloatArray],
    battery_power_kw: FloatArray,
    pv_curtailment_kw: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Grid import and export (both >= 0) implied by the setpoints of all chargers."""
    net = snapshot.forecasts.building_kw - snapshot.forecasts.pv_kw + pv_curtailment_kw + battery_power_kw
    for power in evse_power_kw.values():
        net = net + power
    return np.maximum(net, 0.0), np.maximum(-net, 0.0)


def battery_trajectory(battery: StationaryBattery, power_kw: FloatArray, step_hours: float) -> FloatArray:
    """Stored energy of the stationary battery at every step boundary (steps + 1 values)."""
    stored = np.where(power_kw > 0.0, power_kw * battery.efficiency, power_kw / battery.efficiency)
    return battery.energy_kwh + np.concatenate(([0.0], np.cumsum(stored * step_hours)))
