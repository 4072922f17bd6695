"""Project a plan's setpoints for "now" onto what the site can safely do right now.

Applied before anything is sent: charger and car limits, V2G consent and floor, SoC bounds over the
step, and the grid import/export limits (charging is scaled down and, within consent, discharging
is used; export is cut back the other way round). Works for any plan, however it was made.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import SiteSnapshot, StepSetpoints
from .windows import session_windows

_EPS = 1e-9


@dataclass(slots=True)
class _Device:
    """A setpoint with its feasible interval [low, high] (kW, charging positive)."""

    power: float
    low: float
    high: float

    def clamp(self) -> None:
        self.power = min(max(self.power, self.low), self.high)


def setpoint_bounds(snapshot: SiteSnapshot) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """Feasible (low, high) kW for every controllable charger and for the battery, for now."""
    empty = StepSetpoints(snapshot.now, {}, 0.0, 0.0, 0.0, 0.0)
    evses = {key: (d.low, d.high) for key, d in _evse_devices(snapshot, empty).items()}
    battery = _battery_device(snapshot, empty)
    return evses, (battery.low, battery.high)


def _evse_devices(snapshot: SiteSnapshot, setpoints: StepSetpoints) -> dict[str, _Device]:
    dt = snapshot.grid.step_hours
    devices = {evse.evse_id: _Device(0.0, 0.0, 0.0) for evse in snapshot.evses if evse.controllable}
    for window in session_windows(snapshot):
        if window.availability[0] <= 0.0:
            continue
        session = window.session
        room = max(0.0, window.energy_max_kwh - session.energy_kwh)
        high = min(window.charge_limit_kw, room / (session.charge_efficiency * dt))
        low = 0.0
        if window.discharge_max_kw[0] > 0.0:
            stock = max(0.0, session.energy_kwh - session.min_energy_kwh)
            discharge_limit = min(session.max_discharge_kw, window.evse.max_discharge_kw)
            low = -min(discharge_limit, stock * session.discharge_efficiency / dt)
        device = devices[window.evse.evse_id]
        device.low = min(device.low, low)
        device.high = max(device.high, high)
    for evse_id, device in devices.items():
        device.power = setpoints.evse_power_kw.get(evse_id, 0.0)
        device.clamp()
    return devices


def _battery_device(snapshot: SiteSnapshot, setpoints: StepSetpoints) -> _Device:
    battery = snapshot.battery
    if battery is None:
        return _Device(0.0, 0.0, 0.0)
    dt = snapshot.grid.step_hours
    room = max(0.0, battery.energy_max_kwh - battery.energy_kwh)
    stock = max(0.0, battery.energy_kwh - battery.energy_min_kwh)
    device = _Device(
        setpoints.battery_power_kw,
        -min(battery.max_discharge_kw, stock * battery.efficiency / dt),
        min(battery.max_charge_kw, room / (battery.efficiency * dt)),
    )
    device.clamp()
    return device


def _reduce(devices: list[_Device], amount: float, *, charging: bool) -> float:
    """Lower the site's consumption by up to ``amount`` kW using ``devices``; returns what is left.

    With ``charging`` the devices' charging is scaled down proportionally; otherwise they discharge
    more (proportionally to their remaining discharge range)."""
    if charging:
        ranges = [max(0.0, d.power) for d in devices]
    else:
        ranges = [max(0.0, d.power - d.low) for d in devices]
    total = sum(ranges)
    if amount <= _EPS or total <= _EPS:
        return amount
    share = min(1.0, amount / total)
    for device, movable in zip(devices, ranges, strict=True):
        device.power -= movable * share
    return amount - total * share


def project_setpoints(snapshot: SiteSnapshot, setpoints: StepSetpoints) -> StepSetpoints:
    """Feasible setpoints for the step starting at ``snapshot.now``."""
    limits, forecasts = snapshot.limits, snapshot.forecasts
    evses = _evse_devices(snapshot, setpoints)
    battery = _battery_device(snapshot, setpoints)
    pv_kw = float(forecasts.pv_kw[0])
    curtailment = _Device(setpoints.pv_curtailment_kw, 0.0, pv_kw if snapshot.pv_curtailable else 0.0)
    curtailment.clamp()
    fixed_kw = sum(
        setpoints.evse_power_kw.get(evse.evse_id, 0.0) for evse in snapshot.evses if not evse.controllable
    )
    base_kw = float(forecasts.building_kw[0]) - pv_kw + fixed_kw
    cars = list(evses.values())

    def net() -> float:
        return base_kw + curtailment.power + battery.power + sum(d.power for d in cars)

    excess = net() - float(limits.import_limit_kw[0])
    if excess > _EPS:
        cut = min(excess, curtailment.power)
        curtailment.power -= cut
        excess -= cut
        excess = _reduce([battery], excess, charging=True)
        excess = _reduce(cars, excess, charging=True)
        excess = _reduce([battery], excess, charging=False)
        _reduce(cars, excess, charging=False)
    surplus = -net() - float(limits.export_limit_kw[0])
    if surplus > _EPS:
        surplus = _raise(([battery], cars), surplus, discharging=True)
        added = min(surplus, curtailment.high - curtailment.power)
        curtailment.power += added
        surplus -= added
        _raise(([battery], cars), surplus, discharging=False)
    final_net = net()
    return StepSetpoints(
        start=snapshot.now,
        evse_power_kw={evse_id: device.power for evse_id, device in evses.items()}
        | {
            evse.evse_id: setpoints.evse_power_kw.get(evse.evse_id, 0.0)
            for evse in snapshot.evses
            if not evse.controllable
        },
        battery_power_kw=battery.power,
        grid_import_kw=max(final_net, 0.0),
        grid_export_kw=max(-final_net, 0.0),
        pv_curtailment_kw=max(curtailment.power, 0.0),
    )


def _raise(groups: tuple[list[_Device], list[_Device]], amount: float, *, discharging: bool) -> float:
    """Raise the site's consumption by up to ``amount`` kW: first discharge less, then charge more."""
    for devices in groups:
        if discharging:
            ranges = [max(0.0, -d.power) for d in devices]
        else:
            ranges = [max(0.0, d.high - max(d.power, 0.0)) for d in devices]
        total = sum(ranges)
        if amount <= _EPS or total <= _EPS:
            continue
        share = min(1.0, amount / total)
        for device, movable in zip(devices, ranges, strict=True):
            device.power += movable * share
        amount -= total * share
    return amount
