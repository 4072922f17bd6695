"""Plans re-timed for the cars' minimum power: blocks of at least the minimum, the same energy."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from custom_components.ssch.core.dispatch import EvseBounds
from custom_components.ssch.core.minimum_power import (
    NOISE_KW,
    CarStep,
    consolidate,
    consolidated_setpoints,
    share_first_step,
)
from custom_components.ssch.core.model import FlexibilityEnvelope, Plan, StepGrid
from tests.core.conftest import NOW

MIN_KW = 4.14  # 6 A on three phases of 230 V
CHARGER = EvseBounds(11.0, 0.0, MIN_KW)
V2G = EvseBounds(11.0, 11.0, MIN_KW, MIN_KW)


def _consolidated(values: list[float], bounds: EvseBounds = CHARGER) -> list[float]:
    return [round(value, 6) for value in consolidate(values, bounds)]


def test_energy_below_the_minimum_forms_blocks_at_the_steps_the_plan_filled_most() -> None:
    """8 kW-steps spread below the minimum make one block (two would need 8.28) on the fullest
    step; the steps planned at or above the minimum keep their power and take the rest."""
    assert _consolidated([1.0, 1.0, 3.0, 1.0, 0.0, 2.0]) == [0.0, 0.0, 8.0, 0.0, 0.0, 0.0]
    assert _consolidated([6.0, 1.0, 1.0, 1.0, 1.0, 0.5]) == [6.36, 4.14, 0.0, 0.0, 0.0, 0.0]
    # A flat plan: the earlier steps first, each block as large as the energy allows.
    assert _consolidated([2.0] * 5) == [5.0, 5.0, 0.0, 0.0, 0.0]
    # Already at least the minimum everywhere: nothing moves.
    assert _consolidated([0.0, 5.0, 11.0, 4.2]) == [0.0, 5.0, 11.0, 4.2]


def test_blocks_follow_the_plans_timing() -> None:
    """The car the plan charges late is charged late, the one it charges early, early."""
    late = [0.2, 0.4, 0.8, 1.6, 3.2]
    assert _consolidated(late) == [0.0, 0.0, 0.0, 0.0, 6.2]
    assert _consolidated(late[::-1]) == [6.2, 0.0, 0.0, 0.0, 0.0]


def test_maximum_is_kept() -> None:
    """Steps at the maximum give way so that the rest still forms a block; nothing exceeds 11 kW."""
    assert _consolidated([11.0, 11.0, 1.0]) == [9.43, 9.43, 4.14]
    assert _consolidated([10.0, 3.0, 3.0], EvseBounds(10.0, 0.0, MIN_KW)) == [10.0, 6.0, 0.0]
    # A plan above the maximum is cut to it.
    assert _consolidated([12.0, 12.0]) == [11.0, 11.0]


def test_less_than_one_step_at_the_minimum_left_gets_one_short_block() -> None:
    """0.8 kW-steps left before the car leaves: one step at the minimum, on the fullest step (the
    target comes first), even when it is the only step left."""
    assert _consolidated([0.5, 0.3, 0.0]) == [MIN_KW, 0.0, 0.0]
    assert _consolidated([0.1, 0.3, 0.4]) == [0.0, 0.0, MIN_KW]
    assert _consolidated([0.2]) == [MIN_KW]


def test_discharge_forms_blocks_but_is_never_rounded_up() -> None:
    """Discharged energy comes out of the car's target: it is kept or, below one block, dropped."""
    assert _consolidated([-1.0] * 5, V2G) == [-5.0, 0.0, 0.0, 0.0, 0.0]
    assert _consolidated([-1.0, -1.0, 0.0], V2G) == [0.0, 0.0, 0.0]
    # Each side on its own steps; without a discharge minimum discharge is left as it is.
    assert _consolidated([-2.0, 1.0, -3.0, 1.0, 2.0], V2G) == [0.0, 0.0, -5.0, 0.0, MIN_KW]
    assert _consolidated([-2.0, 1.0, -3.0, 1.0, 2.0]) == [-2.0, 0.0, -3.0, 0.0, MIN_KW]


def test_no_minimum_no_change_and_solver_noise_is_dropped() -> None:
    values = [0.5, 1.0, -0.3]
    assert _consolidated(values, EvseBounds(11.0, 11.0)) == values
    # A charger that cannot reach the minimum is left to the dispatch layer.
    assert _consolidated(values, EvseBounds(3.0, 0.0, MIN_KW)) == values
    assert _consolidated([NOISE_KW / 2] * 96) == [0.0] * 96
    with pytest.raises(ValueError, match="one series"):
        consolidate([[1.0]], CHARGER)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.just(0.0), st.floats(0.0, 12.0), st.floats(-11.0, 0.0)), min_size=1, max_size=96
    ),
    least=st.floats(0.5, 6.0),
    spread=st.floats(1.0, 4.0),
    v2g=st.booleans(),
)
def test_every_step_is_zero_or_within_the_bounds_and_energy_is_kept(
    values: list[float], least: float, spread: float, v2g: bool
) -> None:
    most = least * spread
    bounds = EvseBounds(most, most if v2g else 0.0, least, least if v2g else 0.0)
    planned = np.array(values)
    result = consolidate(planned, bounds)
    charge = np.where(planned >= NOISE_KW, planned, 0.0)
    energy = float(charge.sum())
    # Every step is 0 or within the bounds, and only steps the plan used on that side are used.
    for before, after in zip(planned, result, strict=True):
        if after > 0:
            assert least - 1e-9 <= after <= most + 1e-9
            assert before >= NOISE_KW
        elif after < 0:
            assert before < 0
            if v2g:
                assert least - 1e-9 <= -after <= most + 1e-9
            else:
                assert after == before
    charged = float(result[result > 0].sum())
    used = np.count_nonzero(charge)
    if _fits(energy, used, least, most):
        assert charged == pytest.approx(energy, abs=1e-6)
    elif energy > used * most:
        assert charged == pytest.approx(used * most, abs=1e-6)
    elif energy > 0.0:
        # No count of steps holds it (less than one step at the minimum, or between k steps at the
        # maximum and k + 1 at the minimum): rounded up by less than one step at the minimum.
        assert energy < charged < energy + least
    if energy < least:
        assert np.count_nonzero(result > 0) == (1 if energy > 0.0 else 0)
    if v2g:
        steps_out = planned <= -NOISE_KW
        planned_out = float(-planned[steps_out].sum())
        discharged = float(-result[result < 0].sum())
        assert discharged <= planned_out + 1e-6
        if _fits(planned_out, np.count_nonzero(steps_out), least, most):
            assert discharged == pytest.approx(planned_out, abs=1e-6)


def _fits(energy: float, steps: int, least: float, most: float) -> bool:
    """Whether some count of ``steps`` steps, each between ``least`` and ``most``, holds ``energy``."""
    return any(
        count * least <= energy + 1e-9 and energy <= count * most + 1e-9 for count in range(1, steps + 1)
    )


def _car(
    planned: float,
    wanted: float,
    bounds: EvseBounds = CHARGER,
    *,
    needed: bool = False,
    last: bool = False,
    later: float = 20.0,
) -> CarStep:
    return CarStep(planned, wanted, bounds, needed=needed, last=last, later_kw=later)


def test_cars_share_the_planned_power_when_the_site_is_at_its_ceiling() -> None:
    """Two cars planned at 2.5 kW each with no room: the one that wants a block now takes the whole
    5 kW; the other, whose block comes later, waits. The site imports what the plan imports."""
    shared = share_first_step({"a": _car(2.5, 4.5), "b": _car(2.5, 0.0)}, room_kw=0.0)
    assert shared == pytest.approx({"a": 5.0, "b": 0.0})


def test_a_block_that_would_raise_the_import_waits() -> None:
    """Alone at its ceiling a car planned below the minimum waits; with room it takes its block."""
    assert share_first_step({"a": _car(2.5, 4.5)}, room_kw=1.0) == {"a": 0.0}
    assert share_first_step({"a": _car(2.5, 4.5)}, room_kw=2.0) == pytest.approx({"a": 4.5})
    # Two cars rising: the smaller rise first; the other gets what is left if that is a block.
    shared = share_first_step({"a": _car(2.0, 6.0), "b": _car(3.0, 4.14)}, room_kw=4.0)
    assert shared == pytest.approx({"a": 4.86, "b": 4.14})


def test_a_car_that_cannot_wait_takes_its_block_and_the_others_make_room() -> None:
    """A car whose energy does not fit in its later steps charges now; another car gives way (down to
    its minimum, then it stops), and only what nobody can give raises the import."""
    shared = share_first_step({"a": _car(2.0, 4.14, needed=True), "b": _car(8.0, 8.0)}, room_kw=0.0)
    assert shared == pytest.approx({"a": 4.14, "b": 5.86})
    shared = share_first_step({"a": _car(2.0, 4.14, needed=True), "b": _car(4.5, 4.5)}, room_kw=0.0)
    assert shared == pytest.approx({"a": 4.14, "b": 0.0})
    assert share_first_step({"a": _car(0.3, 4.14, needed=True)}, room_kw=0.0) == {"a": 4.14}


def test_discharge_that_moves_later_is_replaced_by_the_minimum_when_nothing_else_holds_the_ceiling() -> None:
    """A V2G car planned at -1.5 kW whose discharge moved later would raise the import by 1.5 kW:
    charging gives way first, then the car discharges at its minimum, except in its last step."""
    cars = {"v": _car(-1.5, 0.0, V2G), "a": _car(6.0, 6.0)}
    assert share_first_step(cars, room_kw=0.0) == pytest.approx({"v": 0.0, "a": 4.5})
    assert share_first_step({"v": _car(-1.5, 0.0, V2G)}, room_kw=0.0) == {"v": -MIN_KW}
    assert share_first_step({"v": _car(-1.5, 0.0, V2G, last=True)}, room_kw=0.0) == {"v": 0.0}
    assert share_first_step({"v": _car(-1.5, 0.0, V2G)}, room_kw=2.0) == {"v": 0.0}


def test_charging_moved_later_is_taken_by_the_cars_charging_now() -> None:
    """Three cars planned at 2 kW: the one whose block is now takes all 6 kW (within its maximum);
    with no car charging, one starts at its minimum when at least half of it is planned."""
    cars = {"a": _car(2.0, 4.14), "b": _car(2.0, 0.0), "c": _car(2.0, 0.0)}
    assert share_first_step(cars, room_kw=0.0) == pytest.approx({"a": 6.0, "b": 0.0, "c": 0.0})
    cars = {"a": _car(1.0, 0.0), "b": _car(1.5, 0.0)}
    assert share_first_step(cars, room_kw=2.0) == pytest.approx({"a": 0.0, "b": MIN_KW})
    assert share_first_step(cars, room_kw=0.0) == {"a": 0.0, "b": 0.0}


def test_a_car_takes_earlier_only_what_its_series_charges_later() -> None:
    """Taking another car's planned power must not charge a car beyond its own energy: after its
    block "a" has 0.5 kW-steps left, so it takes 0.5 of the 0.86 kW left; "b" itself is not
    started at the minimum while that would break the ceiling."""
    cars = {"a": _car(2.5, 4.14, later=0.5), "b": _car(2.5, 0.0, later=3.0)}
    assert share_first_step(cars, room_kw=0.0) == pytest.approx({"a": 4.64, "b": 0.0})


@settings(max_examples=200, deadline=None)
@given(
    cars=st.dictionaries(
        st.sampled_from("abcdef"),
        st.tuples(st.floats(-11.0, 11.0), st.floats(0.0, 1.0), st.booleans(), st.booleans()),
        max_size=6,
    ),
    room=st.floats(0.0, 20.0),
)
def test_shared_setpoints_keep_the_minimums_and_the_ceiling(
    cars: dict[str, tuple[float, float, bool, bool]], room: float
) -> None:
    """Every setpoint is 0 or within its bounds, a car that cannot wait takes at least its block, and
    the total rises above the planned one by more than the room only as far as cars that cannot wait
    and cars whose discharge moved to a later step rise."""
    steps = {}
    for evse, (value, pick, needed, v2g) in cars.items():
        bounds = V2G if v2g else CHARGER
        planned = value if v2g else abs(value)
        if planned >= 0:
            # A car that cannot wait wants a block now; the others now or later.
            wanted = 0.0 if pick < 0.3 and not needed else max(MIN_KW, min(11.0, planned + pick * 5))
        else:
            wanted = 0.0 if pick < 0.5 else min(-MIN_KW, planned)
        steps[evse] = _car(planned, wanted, bounds, needed=needed and planned >= 0)
    shared = share_first_step(steps, room)
    for evse, value in shared.items():
        assert steps[evse].bounds.allows(value)
        if steps[evse].needed:
            assert value >= steps[evse].wanted_kw
    rise = sum(shared[evse] - car.planned_kw for evse, car in steps.items())
    forced = sum(
        max(0.0, shared[evse] - car.planned_kw)
        for evse, car in steps.items()
        if car.needed or car.planned_kw < 0
    )
    assert rise <= room + forced + 1e-6


def _plan(evse_kw: dict[str, list[float]], import_kw: list[float]) -> Plan:
    steps = len(import_kw)
    return Plan(
        grid=StepGrid(NOW, 15, steps),
        evse_power_kw={key: np.array(values) for key, values in evse_kw.items()},
        battery_power_kw=np.zeros(steps),
        grid_import_kw=np.array(import_kw),
        grid_export_kw=np.zeros(steps),
        pv_curtailment_kw=np.zeros(steps),
        flexibility=FlexibilityEnvelope.zeros(steps),
    )


def test_setpoints_of_a_plan_keep_each_cars_energy_within_its_stay() -> None:
    """The car on "a" leaves after two steps; the next car on "a" is planned at 6 kW later: the
    first car's 0.5 kW-steps do not move to it, they form the first car's short block now. "b" has
    no bounds and keeps the plan."""
    plan = _plan({"a": [0.5, 0.5, 0.0, 6.0], "b": [2.0, 2.0, 2.0, 2.0]}, [10.0, 10.0, 10.0, 20.0])
    bounds = {"a": CHARGER}
    departures = {"a": NOW + timedelta(minutes=30)}
    assert consolidated_setpoints(plan, NOW, bounds, departures) == {"a": MIN_KW, "b": 2.0}
    # Without the departure the energy would go to the fullest step, the next car's.
    assert consolidated_setpoints(plan, NOW, bounds)["a"] == 0.0


def test_setpoints_of_a_plan_hold_the_plans_import_at_its_ceiling() -> None:
    """Two cars planned at 2 and 2.5 kW while the site imports at its peak: they take the 4.5 kW
    together as one block, on the car that asks for the smaller rise; the other waits. With 5 kW
    of room below a higher ceiling both charge."""
    plan = _plan({"a": [2.0] * 4, "b": [2.5] * 4}, [20.0] * 4)
    bounds = {"a": CHARGER, "b": CHARGER}
    assert consolidated_setpoints(plan, NOW, bounds) == pytest.approx({"a": 0.0, "b": 4.5})
    assert consolidated_setpoints(plan, NOW, bounds, ceiling_kw=25.0) == pytest.approx({"a": 4.5, "b": 5.0})
    # In the last step both must charge whatever the import: their energy fits nowhere else.
    last = NOW + timedelta(minutes=50)
    assert consolidated_setpoints(plan, last, bounds) == pytest.approx({"a": MIN_KW, "b": MIN_KW})
    with pytest.raises(ValueError, match="outside"):
        consolidated_setpoints(plan, NOW - timedelta(minutes=1), bounds)
