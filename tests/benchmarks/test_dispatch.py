"""Applying setpoints to the simulated devices, with and without the limit guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from benchmarks.dispatch import dispatch_step
from benchmarks.scenario import BatterySpec, ChargerSpec, SessionSpec
from benchmarks.site_state import BatteryState, SessionState

CHARGER = ChargerSpec("c1", 11.0, 11.0, 0.95)
START = datetime(2023, 7, 3, tzinfo=UTC)


def _session(energy: float = 20.0, v2g: bool = True, capacity: float = 60.0) -> SessionState:
    spec = SessionSpec(
        charger="c1",
        arrival=START,
        departure=START + timedelta(hours=4),
        energy_initial_kwh=energy,
        capacity_kwh=capacity,
        target_energy_kwh=min(capacity, energy + 10.0),
        min_energy_kwh=10.0,
        v2g=v2g,
    )
    return SessionState("s1", spec, CHARGER, 0, 16, energy)


def _battery(energy: float = 5.0) -> BatteryState:
    return BatteryState(BatterySpec(10.0, 5.0, 5.0, 0.1, 0.9, 0.5, 0.95), energy)


def _dispatch(
    sessions: dict[str, SessionState],
    battery: BatteryState | None,
    power: float,
    battery_kw: float = 0.0,
    curtailment: float = 0.0,
    pv: float = 0.0,
    building: float = 5.0,
    guard: bool = True,
) -> tuple[float, float, float, float]:
    flows = dispatch_step(
        sessions,
        battery,
        session_power_kw={"s1": power},
        battery_power_kw=battery_kw,
        pv_curtailment_kw=curtailment,
        pv_kw=pv,
        building_kw=building,
        import_limit_kw=10.0,
        export_limit_kw=3.0,
        step_hours=0.25,
        guard=guard,
    )
    return flows.grid_import_kw, flows.grid_export_kw, flows.ev_charge_kw, flows.pv_used_kw


def test_powers_are_clipped_to_device_limits() -> None:
    session = _session()
    grid_import, _, charge, _ = _dispatch({"s1": session}, None, 50.0, building=0.0, guard=False)
    assert charge == 11.0
    assert grid_import == 11.0
    assert session.energy_kwh == pytest.approx(20.0 + 11.0 * 0.95 * 0.25)


def test_a_full_car_cannot_take_more_and_without_consent_cannot_discharge() -> None:
    full = _session(energy=60.0, v2g=False)
    assert full.power_bounds_kw(0.25) == (0.0, 0.0)
    nearly = _session(energy=59.0)
    low, high = nearly.power_bounds_kw(0.25)
    assert high == pytest.approx(1.0 / (0.95 * 0.25))
    assert low == -11.0
    at_floor = _session(energy=10.0)
    assert at_floor.power_bounds_kw(0.25)[0] == 0.0


def test_guard_trims_charging_to_the_import_limit() -> None:
    session = _session()
    grid_import, _, charge, _ = _dispatch({"s1": session}, None, 11.0, building=5.0)
    assert grid_import == pytest.approx(10.0)
    assert charge == pytest.approx(5.0)


def test_guard_uses_curtailed_pv_then_the_battery_then_v2g() -> None:
    session = _session()
    battery = _battery()
    grid_import, _, charge, pv_used = _dispatch(
        {"s1": session}, battery, -2.0, curtailment=2.0, pv=2.0, building=20.0
    )
    assert pv_used == 2.0
    assert charge == 0.0
    assert grid_import == pytest.approx(10.0)
    # 20 kW load - 2 kW PV - 10 kW limit: the battery gives 5 kW, the car 3 kW.
    assert battery.energy_kwh == pytest.approx(5.0 - 5.0 * 0.25 / 0.95)
    assert session.energy_kwh == pytest.approx(20.0 - 3.0 * 0.25 / 0.95)


def test_guard_curtails_pv_against_the_export_limit() -> None:
    battery = _battery()
    grid_import, export, _, pv_used = _dispatch({}, battery, 0.0, pv=20.0, building=5.0, battery_kw=-5.0)
    assert grid_import == 0.0
    assert export == pytest.approx(3.0)
    assert pv_used == pytest.approx(3.0)


def test_without_guard_the_limit_can_be_broken() -> None:
    grid_import, _, _, _ = _dispatch({"s1": _session()}, None, 11.0, building=5.0, guard=False)
    assert grid_import == pytest.approx(16.0)
