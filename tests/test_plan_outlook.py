"""The outlook the plan card shows: the car's and the battery's charge under the plan, when a car is ready."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from custom_components.ssch.core.model import EvSession, StationaryBattery, StepGrid
from custom_components.ssch.ems.plan_api import battery_soc_pct
from custom_components.ssch.ems.plan_evses import projected_energy_kwh, ready_at

START = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
GRID = StepGrid(START, 15, 8)


def _session(energy_kwh: float, target_kwh: float, departure_h: float = 2.0) -> EvSession:
    return EvSession(
        session_id="CS01:1:tx",
        evse_id="CS01:1",
        max_charge_kw=11.0,
        max_discharge_kw=0.0,
        arrival=START,
        departure=START + timedelta(hours=departure_h),
        energy_kwh=energy_kwh,
        capacity_kwh=60.0,
        target_energy_kwh=target_kwh,
        charge_efficiency=0.9,
        discharge_efficiency=0.9,
    )


def test_the_cars_energy_follows_the_plan_until_departure() -> None:
    session = _session(20.0, 30.0, departure_h=1.0)
    power = np.array([10.0, 10.0, -9.0, 0.0, 10.0, 10.0, 10.0, 10.0])
    energy = projected_energy_kwh(session, power, GRID)
    # 10 kW for 15 min is 2.5 kWh at the plug, 2.25 kWh in the car; discharging 9 kW takes 2.5 kWh out.
    np.testing.assert_allclose(energy[:4], [22.25, 24.5, 22.0, 22.0])
    # Nothing counts after departure (steps from 19:00 on).
    np.testing.assert_allclose(energy[4:], [22.0] * 4)


def test_ready_when_the_plan_reaches_the_target() -> None:
    session = _session(20.0, 24.0)
    energy = projected_energy_kwh(session, np.full(8, 10.0), GRID)
    assert ready_at(session, energy, GRID) == START + timedelta(minutes=30)


def test_not_ready_when_the_target_comes_after_departure() -> None:
    session = _session(20.0, 40.0, departure_h=1.0)
    energy = projected_energy_kwh(session, np.full(8, 10.0), GRID)
    assert ready_at(session, energy, GRID) is None


def test_ready_at_departure_when_it_falls_within_a_step() -> None:
    session = _session(20.0, 26.7, departure_h=0.7)
    energy = projected_energy_kwh(session, np.full(8, 10.0), GRID)
    assert ready_at(session, energy, GRID) == START + timedelta(hours=0.7)


def test_a_car_at_its_target_is_ready_now() -> None:
    session = _session(30.0, 30.0)
    assert ready_at(session, projected_energy_kwh(session, np.zeros(8), GRID), GRID) == START


def test_the_batterys_charge_under_the_plan() -> None:
    battery = StationaryBattery(
        capacity_kwh=100.0,
        max_charge_kw=50.0,
        max_discharge_kw=50.0,
        soc_min=0.1,
        soc_max=0.9,
        efficiency=0.8,
        energy_kwh=50.0,
    )
    soc = battery_soc_pct(battery, np.array([40.0, -40.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]), 15)
    # 40 kW for 15 min: +8 kWh stored, then -12.5 kWh drawn from the cells.
    assert soc[:3] == [58.0, 45.5, 45.5]
    assert len(soc) == 8
