"""Applying setpoints to the simulated devices, with and without the limit guard."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import math

import pytest

from benchmarks.dispatch import MinimumPower, dispatch_step
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


# Six amperes on three phases at 230 V.
MIN_KW = 6 * 3 * 230 / 1000


def _car(key: str, energy: float = 20.0, v2g: bool = True, capacity: float = 60.0) -> SessionState:
    return replace(_session(energy, v2g, capacity), session_id=key)


def _with_minimum(
    cars: list[SessionState],
    power: dict[str, float],
    *,
    building: float = 0.0,
    import_kw: float = 50.0,
    guard: bool = True,
    billed_peak_kw: float = math.inf,
    below_billed_peak: bool = True,
) -> dict[str, float]:
    """The power each car took (grid side) in one dispatched step with a 6 A minimum."""
    before = {car.session_id: car.energy_kwh for car in cars}
    flows = dispatch_step(
        {car.session_id: car for car in cars},
        None,
        session_power_kw=power,
        battery_power_kw=0.0,
        pv_curtailment_kw=0.0,
        pv_kw=0.0,
        building_kw=building,
        import_limit_kw=import_kw,
        export_limit_kw=30.0,
        step_hours=0.25,
        guard=guard,
        minimum=MinimumPower(MIN_KW, below_billed_peak),
        billed_peak_kw=billed_peak_kw,
    )
    taken = {}
    for car in cars:
        stored = (car.energy_kwh - before[car.session_id]) / 0.25
        taken[car.session_id] = stored / 0.95 if stored >= 0 else stored * 0.95
    assert flows.ev_charge_kw - flows.ev_discharge_kw == pytest.approx(sum(taken.values()))
    return taken


def test_minimum_current_rounds_each_car_to_zero_or_the_minimum() -> None:
    """Below the minimum, half of it or more rounds up, less rounds down, in both directions."""
    cars = [_car("a"), _car("b"), _car("c"), _car("d")]
    taken = _with_minimum(cars, {"a": 3.0, "b": 1.0, "c": -1.0, "d": -2.5, "e": 5.0})
    assert taken == pytest.approx({"a": MIN_KW, "b": 0.0, "c": 0.0, "d": -MIN_KW})


def test_rounding_up_waits_for_room_below_the_import_limit() -> None:
    """Guarded, a car rounds down when its minimum would break the limit; unguarded it rounds up."""
    assert _with_minimum([_car("a")], {"a": 3.0}, building=8.0, import_kw=10.0) == {"a": 0.0}
    taken = _with_minimum([_car("a")], {"a": 3.0}, building=8.0, import_kw=10.0, guard=False)
    assert taken["a"] == pytest.approx(MIN_KW)


def test_rounding_up_stays_below_the_billed_peak_unless_the_plan_goes_above_it() -> None:
    """With a billed peak of 10 kW and 8 kW of building, 3 kW planned round down; at 11 kW billed,
    or with the import limit as the only ceiling, they round up; a plan above the billed peak may
    round up to its own import."""
    car = [_car("a")]
    assert _with_minimum(car, {"a": 3.0}, building=8.0, billed_peak_kw=10.0) == {"a": 0.0}
    assert _with_minimum(car, {"a": 3.0}, building=8.0, billed_peak_kw=12.2)["a"] == pytest.approx(MIN_KW)
    taken = _with_minimum(car, {"a": 3.0}, building=8.0, billed_peak_kw=10.0, below_billed_peak=False)
    assert taken["a"] == pytest.approx(MIN_KW)
    two = [_car("a"), _car("b")]
    # Planned 8 + 2.5 + 2.5 = 13 kW against 10 kW billed: one car rounds up within the plan's import.
    taken = _with_minimum(two, {"a": 2.5, "b": 2.5}, building=8.0, billed_peak_kw=10.0)
    assert taken == pytest.approx({"a": MIN_KW, "b": 0.0})


def test_a_car_that_fills_within_the_step_takes_what_is_left() -> None:
    """A car that is full within the step at the minimum takes what it still has room for."""
    left = 0.5 / (0.95 * 0.25)
    assert _with_minimum([_car("a", energy=59.5)], {"a": 1.5})["a"] == pytest.approx(left)
    assert _with_minimum([_car("a", energy=59.5)], {"a": 0.5})["a"] == 0.0


def test_guard_stops_a_car_instead_of_trimming_below_the_minimum() -> None:
    """2 kW too much with two cars at 5 kW: one stops and the other takes what the limit leaves."""
    taken = _with_minimum([_car("a"), _car("b")], {"a": 5.0, "b": 5.0}, building=12.0, import_kw=20.0)
    assert taken == pytest.approx({"a": 0.0, "b": 8.0})


def test_guard_starts_v2g_at_the_minimum() -> None:
    """With no charging left to cut, a V2G car discharges at least its minimum."""
    taken = _with_minimum([_car("a"), _car("b")], {"a": 0.0, "b": 0.0}, building=11.0, import_kw=10.0)
    assert taken == pytest.approx({"a": -MIN_KW, "b": 0.0})
    taken = _with_minimum([_car("a"), _car("b")], {"a": 0.0, "b": 0.0}, building=15.0, import_kw=10.0)
    assert taken == pytest.approx({"a": -5.0, "b": 0.0})
