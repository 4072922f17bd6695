"""Flexibility envelope: how many kW the site could move per step without breaking a user target.

Each step is assessed on its own (a deviation in one step, the rest of the plan unchanged, except
that a car may catch up later within its window). "Up" is more consumption (or less export), "down"
is less consumption (or more export). Both are limited by the grid connection.
"""

from __future__ import annotations

import numpy as np

from .model import FlexibilityEnvelope, FloatArray, SiteSnapshot
from .windows import (
    SessionWindow,
    battery_trajectory,
    energy_trajectory,
    session_share,
    session_windows,
    site_balance,
)


def _suffix_max(values: FloatArray) -> FloatArray:
    """result[k] = max(values[k:])."""
    out: FloatArray = np.maximum.accumulate(values[::-1])[::-1]
    return out


def _suffix_min(values: FloatArray) -> FloatArray:
    out: FloatArray = np.minimum.accumulate(values[::-1])[::-1]
    return out


def _session_flex(
    window: SessionWindow, power: FloatArray, step_hours: float
) -> tuple[FloatArray, FloatArray]:
    session = window.session
    eta_c, eta_d = session.charge_efficiency, session.discharge_efficiency
    energy = energy_trajectory(window, power, step_hours)
    charging = np.maximum(power, 0.0)
    discharging = np.maximum(-power, 0.0)
    # Up: charge more now, as long as the energy fits in the battery for the rest of the window.
    room_kwh = np.maximum(window.energy_max_kwh - _suffix_max(energy[1:]), 0.0)
    up = np.minimum(window.charge_max_kw - charging + discharging, room_kwh / (eta_c * step_hours))
    # Down: give up energy now that the car can still recover later, or that it has spare.
    spare_now = max(0.0, energy[-1] - window.required_energy_kwh)
    catch_up_kw = window.charge_max_kw - charging
    later = np.concatenate((np.cumsum(catch_up_kw[::-1])[::-1][1:], [0.0]))
    recoverable_kwh = spare_now + eta_c * step_hours * later
    above_floor_kwh = np.maximum(_suffix_min(energy[1:]) - window.energy_min_kwh, 0.0)
    less_charging = np.minimum(charging, recoverable_kwh / (eta_c * step_hours))
    left_kwh = np.maximum(recoverable_kwh - less_charging * eta_c * step_hours, 0.0)
    left_kwh = np.minimum(left_kwh, above_floor_kwh)
    more_discharge = np.minimum(
        np.maximum(window.discharge_max_kw - discharging, 0.0), left_kwh * eta_d / step_hours
    )
    return np.maximum(up, 0.0), np.maximum(less_charging + more_discharge, 0.0)


def flexibility_envelope(
    snapshot: SiteSnapshot,
    evse_power_kw: dict[str, FloatArray],
    battery_power_kw: FloatArray,
    pv_curtailment_kw: FloatArray,
) -> FlexibilityEnvelope:
    grid = snapshot.grid
    dt = grid.step_hours
    up = np.zeros(grid.steps)
    down = np.zeros(grid.steps)
    windows = session_windows(snapshot)
    for window in windows:
        power = evse_power_kw.get(window.evse.evse_id, np.zeros(grid.steps))
        session_up, session_down = _session_flex(window, power * session_share(windows, window), dt)
        up += session_up
        down += session_down
    battery = snapshot.battery
    if battery is not None:
        energy = battery_trajectory(battery, battery_power_kw, dt)
        energy_min = min(battery.energy_min_kwh, battery.energy_kwh)
        energy_max = max(battery.energy_max_kwh, battery.energy_kwh)
        room = np.maximum(energy_max - _suffix_max(energy[1:]), 0.0)
        stock = np.maximum(_suffix_min(energy[1:]) - energy_min, 0.0)
        up += np.clip(
            np.minimum(battery.max_charge_kw - battery_power_kw, room / (battery.efficiency * dt)),
            0.0,
            None,
        )
        down += np.clip(
            np.minimum(battery.max_discharge_kw + battery_power_kw, stock * battery.efficiency / dt),
            0.0,
            None,
        )
    if snapshot.pv_curtailable:
        up += np.maximum(snapshot.forecasts.pv_kw - pv_curtailment_kw, 0.0)
        down += np.maximum(pv_curtailment_kw, 0.0)
    grid_import, grid_export = site_balance(snapshot, evse_power_kw, battery_power_kw, pv_curtailment_kw)
    net = grid_import - grid_export
    up = np.minimum(up, np.maximum(snapshot.limits.import_limit_kw - net, 0.0))
    down = np.minimum(down, np.maximum(snapshot.limits.export_limit_kw + net, 0.0))
    return FlexibilityEnvelope(up, down)
