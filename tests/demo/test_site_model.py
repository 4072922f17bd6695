"""The demo's simulated battery and PV inverter."""

from __future__ import annotations

import pytest

from demo.site_model import SimulatedBattery, pv_output_kw


def test_battery_integrates_its_setpoint_with_losses() -> None:
    battery = SimulatedBattery(energy_kwh=50.0)
    battery.step(20.0, 1.0)
    assert battery.power_kw == 20.0
    assert battery.energy_kwh == pytest.approx(50.0 + 20.0 * 0.95)
    battery.step(-19.0, 1.0)
    assert battery.energy_kwh == pytest.approx(69.0 - 19.0 / 0.95)
    assert battery.soc_percent == pytest.approx(battery.energy_kwh)


def test_battery_keeps_to_its_power_and_stops_when_full_or_empty() -> None:
    battery = SimulatedBattery(energy_kwh=99.0)
    battery.step(80.0, 1.0)
    assert battery.energy_kwh == pytest.approx(100.0)
    assert battery.power_kw == pytest.approx(1.0 / 0.95)
    battery.step(-80.0, 0.1)
    assert battery.power_kw == -50.0
    empty = SimulatedBattery(energy_kwh=0.95)
    empty.step(-50.0, 1.0)
    assert empty.energy_kwh == 0.0
    assert empty.power_kw == pytest.approx(-0.95 * 0.95)
    idle = SimulatedBattery(energy_kwh=100.0)
    idle.step(10.0, 0.0)
    assert idle.power_kw == 0.0
    drained = SimulatedBattery(energy_kwh=0.0)
    drained.step(-10.0, 0.0)
    assert drained.power_kw == 0.0


def test_pv_feeds_in_at_most_its_curtailment_limit() -> None:
    assert pv_output_kw(30.0, None) == 30.0
    assert pv_output_kw(30.0, 12.5) == 12.5
    assert pv_output_kw(10.0, 60.0) == 10.0
    assert pv_output_kw(10.0, -1.0) == 0.0
