"""The fast dispatch loop: grid limits hold between solves, stations are spared tiny changes."""

from __future__ import annotations

from collections.abc import Mapping
import math
import random

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.ssch.core.dispatch import (
    EvseBounds,
    LiveSite,
    changed_setpoints,
    correct_setpoints,
    shift_setpoints,
    snap_setpoints,
)

BOUNDS = {"a": EvseBounds(11.0, 11.0), "b": EvseBounds(11.0, 11.0), "c": EvseBounds(22.0, 0.0)}


def _live(
    grid_kw: float, evse_kw: dict[str, float], import_kw: float = 50.0, export_kw: float = 30.0
) -> LiveSite:
    return LiveSite(grid_kw, evse_kw, import_kw, export_kw)


def test_plan_kept_when_limits_hold() -> None:
    """Nothing moves when the plan fits the measured site."""
    planned = {"a": 5.0, "b": -3.0, "c": 10.0}
    live = _live(30.0, {"a": 5.0, "b": -3.0, "c": 10.0})
    assert correct_setpoints(planned, live, BOUNDS) == planned


def test_building_spike_reduces_charging_proportionally() -> None:
    """A 10 kW spike above the limit takes 10 kW from charging, shared by how much each charges."""
    planned = {"a": 10.0, "b": 0.0, "c": 20.0}
    live = _live(60.0, {"a": 10.0, "b": 0.0, "c": 20.0})
    corrected = correct_setpoints(planned, live, BOUNDS)
    assert sum(corrected.values()) == pytest.approx(20.0)
    assert corrected["a"] == pytest.approx(10.0 - 10.0 * 10.0 / 30.0)
    assert corrected["c"] == pytest.approx(20.0 - 10.0 * 20.0 / 30.0)
    assert corrected["b"] == 0.0


def test_discharge_added_when_cutting_charging_is_not_enough() -> None:
    """With all charging gone, bidirectional EVSEs discharge to hold the import limit."""
    planned = {"a": 2.0, "b": 0.0, "c": 0.0}
    live = _live(70.0, {"a": 2.0, "b": 0.0, "c": 0.0})
    corrected = correct_setpoints(planned, live, BOUNDS)
    rest = 70.0 - 2.0
    assert rest + sum(corrected.values()) == pytest.approx(50.0)
    assert corrected["c"] == 0.0
    assert corrected["a"] == pytest.approx(-9.0)
    assert corrected["b"] == pytest.approx(-9.0)


def test_export_limit_lowers_discharge_then_adds_charging() -> None:
    """Too much export (PV peak) first stops discharging, then charges."""
    planned = {"a": -5.0, "b": 0.0, "c": 0.0}
    live = _live(-40.0, {"a": -5.0, "b": 0.0, "c": 0.0})
    corrected = correct_setpoints(planned, live, BOUNDS)
    assert -35.0 + sum(corrected.values()) == pytest.approx(-30.0)
    assert corrected["a"] >= 0.0


def test_a_promised_net_floor_raises_charging_but_never_above_the_import_limit() -> None:
    """An up commitment keeps the site at or above its floor: a PV surge goes into the cars."""
    planned = {"a": 2.0, "b": -1.0, "c": 4.0}
    live = LiveSite(10.0, {"a": 2.0, "b": -1.0, "c": 4.0}, 50.0, 30.0, net_floor_kw=18.0)
    corrected = correct_setpoints(planned, live, BOUNDS)
    assert 10.0 - 5.0 + sum(corrected.values()) == pytest.approx(18.0)
    assert corrected["b"] >= -1.0
    # A floor above the import limit is held only up to the limit.
    above = LiveSite(10.0, {"a": 2.0, "b": -1.0, "c": 4.0}, 12.0, 30.0, net_floor_kw=18.0)
    assert 5.0 + sum(correct_setpoints(planned, above, BOUNDS).values()) == pytest.approx(12.0)
    # Met already: nothing moves.
    met = LiveSite(20.0, {"a": 2.0, "b": -1.0, "c": 4.0}, 50.0, 30.0, net_floor_kw=18.0)
    assert correct_setpoints(planned, met, BOUNDS) == planned


def test_setpoints_clamped_and_unknown_evses_dropped() -> None:
    """A plan outside an EVSE's bounds is clamped; EVSEs without bounds are not controlled."""
    corrected = correct_setpoints({"a": 30.0, "c": -5.0, "zz": 3.0}, _live(0.0, {}), BOUNDS)
    assert corrected == {"a": 11.0, "c": 0.0}


def test_impossible_limit_uses_everything_and_no_more() -> None:
    """When even full discharge cannot hold the limit, every EVSE gives all it can."""
    corrected = correct_setpoints(
        {"a": 5.0, "b": 5.0, "c": 5.0}, _live(200.0, {"a": 5, "b": 5, "c": 5}), BOUNDS
    )
    assert corrected == {"a": -11.0, "b": -11.0, "c": 0.0}


def test_random_cases_never_break_bounds_or_a_feasible_limit() -> None:
    """Property check over random sites: bounds always hold; the limit holds whenever it can."""
    rng = random.Random(7)
    for _ in range(500):
        bounds = {
            f"e{i}": EvseBounds(rng.uniform(0, 22), rng.choice([0.0, rng.uniform(0, 11)])) for i in range(6)
        }
        planned = {evse: rng.uniform(-15, 25) for evse in bounds}
        rest = rng.uniform(-80, 120)
        live = _live(rest + sum(planned.values()), planned, rng.uniform(20, 100), rng.uniform(10, 60))
        corrected = correct_setpoints(planned, live, bounds)
        for evse, power in corrected.items():
            assert -bounds[evse].discharge_kw - 1e-9 <= power <= bounds[evse].charge_kw + 1e-9
        net = rest + sum(corrected.values())
        lowest = rest - sum(b.discharge_kw for b in bounds.values())
        highest = rest + sum(b.charge_kw for b in bounds.values())
        if lowest <= live.import_limit_kw:
            assert net <= live.import_limit_kw + 1e-6
        if highest >= -live.export_limit_kw:
            assert net >= -live.export_limit_kw - 1e-6


def test_deadband() -> None:
    """Only new, large or direction-changing setpoints are sent."""
    sent = {"a": 5.0, "b": 0.2, "c": 3.0, "d": -1.0}
    wanted = {"a": 5.3, "b": 0.0, "c": 4.0, "d": 0.1, "e": 2.0}
    assert changed_setpoints(wanted, sent) == {"b": 0.0, "c": 4.0, "d": 0.1, "e": 2.0}


def test_a_setpoint_the_evse_may_no_longer_take_is_replaced_within_the_deadband() -> None:
    """A cap lowered from 5.0 to 4.8 kW: the 5.0 kW sent is out of bounds, 4.8 goes out although close."""
    bounds = {"a": EvseBounds(4.8, 0.0), "b": EvseBounds(11.0, 0.0)}
    sent = {"a": 5.0, "b": 5.0}
    wanted = {"a": 4.8, "b": 5.2}
    assert changed_setpoints(wanted, sent) == {}
    assert changed_setpoints(wanted, sent, bounds=bounds) == {"a": 4.8}


# Six amperes per phase at 230 V: three phases and one.
THREE_PHASE_KW = 6 * 3 * 230 / 1000
ONE_PHASE_KW = 6 * 230 / 1000


def _ac(charge_kw: float = 11.0, discharge_kw: float = 0.0, least_kw: float = THREE_PHASE_KW) -> EvseBounds:
    return EvseBounds(charge_kw, discharge_kw, least_kw, least_kw if discharge_kw else 0.0)


def test_minimums_must_not_be_negative() -> None:
    """A negative minimum is a configuration error, not "no minimum"."""
    assert EvseBounds(11.0, 11.0) == EvseBounds(11.0, 11.0, 0.0, 0.0)
    with pytest.raises(ValueError, match=">= 0"):
        EvseBounds(11.0, 11.0, min_charge_kw=-1.0)
    with pytest.raises(ValueError, match=">= 0"):
        EvseBounds(11.0, 11.0, min_discharge_kw=math.nan)


def test_a_side_whose_maximum_is_below_its_minimum_is_closed() -> None:
    """A 3 kW cap on a car that needs 4.14 kW leaves it nothing but 0."""
    capped = EvseBounds(3.0, 2.0, THREE_PHASE_KW, ONE_PHASE_KW)
    assert capped.clamp(5.0) == 0.0
    assert capped.clamp(-5.0) == -2.0
    assert not capped.allows(3.0)
    assert capped.allows(-2.0)
    assert not capped.allows(-1.0)
    corrected = correct_setpoints({"a": 3.0}, _live(0.0, {}), {"a": capped})
    assert corrected == {"a": 0.0}


def test_a_setpoint_below_the_minimum_goes_to_the_nearer_of_zero_and_the_minimum() -> None:
    """Half the minimum or more rounds up, less rounds down; in both directions."""
    bounds = {
        "up": _ac(),
        "down": _ac(),
        "v2g_up": _ac(11.0, 11.0, ONE_PHASE_KW),
        "v2g_down": _ac(11.0, 11.0, ONE_PHASE_KW),
        "kept": _ac(),
    }
    planned = {"up": 2.07, "down": 2.06, "v2g_up": -0.7, "v2g_down": -0.6, "kept": 7.0}
    corrected = correct_setpoints(planned, _live(20.0, dict(planned)), bounds)
    assert corrected == {
        "up": THREE_PHASE_KW,
        "down": 0.0,
        "v2g_up": -ONE_PHASE_KW,
        "v2g_down": 0.0,
        "kept": 7.0,
    }


def test_rounding_up_never_breaks_the_import_limit() -> None:
    """With room for one minimum only, the setpoint nearest its minimum gets it; the other goes to 0."""
    bounds = {"a": _ac(), "b": _ac()}
    planned = {"a": 3.0, "b": 4.0}
    # Rest of the site 40 kW: 47 kW planned, 43 kW with both at 0, room for one minimum below 50 kW.
    live = _live(47.0, dict(planned), import_kw=48.0)
    corrected = correct_setpoints(planned, live, bounds)
    assert corrected == {"a": 0.0, "b": THREE_PHASE_KW}
    # No room at all: both round down, and nobody else is cut to make room.
    tight = correct_setpoints(
        {**planned, "c": 8.0},
        _live(55.0, {**planned, "c": 8.0}, import_kw=48.0),
        {
            **bounds,
            "c": _ac(),
        },
    )
    assert tight == {"a": 0.0, "b": 0.0, "c": 8.0}


def test_rounding_up_stays_below_the_billed_peak_unless_the_plan_goes_above_it() -> None:
    """Under a demand charge a rounding up may not set a new peak: it uses the room below the billed
    peak, or what the plan itself asked for when that is higher, never more than the import limit."""
    bounds = {"a": _ac(), "b": _ac()}
    planned = {"a": 3.0, "b": 3.0}
    # Rest 20 kW, plan 26 kW, billed 24 kW: both at 0 is 20 kW, room for one minimum below 26 kW.
    live = LiveSite(26.0, dict(planned), 50.0, 30.0, billed_peak_kw=24.0)
    assert correct_setpoints(planned, live, bounds) == {"a": THREE_PHASE_KW, "b": 0.0}
    # Billed 29 kW: room for both.
    live = LiveSite(26.0, dict(planned), 50.0, 30.0, billed_peak_kw=29.0)
    assert correct_setpoints(planned, live, bounds) == {"a": THREE_PHASE_KW, "b": THREE_PHASE_KW}
    # One car at 3 kW, billed 21 kW: the plan's 23 kW leave no room for 4.14 kW.
    live = LiveSite(23.0, {"a": 3.0}, 50.0, 30.0, billed_peak_kw=21.0)
    assert correct_setpoints({"a": 3.0}, live, bounds) == {"a": 0.0}


def test_reducing_charging_keeps_each_evse_at_its_minimum_or_stops_it() -> None:
    """Reductions come from the room above the minimums; when that is not enough, the EVSE planned
    lowest stops and the others give only what is still missing."""
    bounds = {"a": _ac(), "b": _ac(), "c": _ac()}
    planned = {"a": 5.0, "b": 11.0, "c": 6.0}
    # 8 kW too much: 1.86 + 0.86 + 6.86 = 9.58 kW of room above the minimums is enough.
    corrected = correct_setpoints(planned, _live(58.0, dict(planned)), bounds)
    assert sum(corrected.values()) == pytest.approx(14.0)
    assert all(power >= THREE_PHASE_KW for power in corrected.values())
    # 12 kW too much: "a" (5 kW) stops, "b" and "c" give the other 7 kW above their minimums.
    corrected = correct_setpoints(planned, _live(62.0, dict(planned)), bounds)
    assert corrected["a"] == 0.0
    assert corrected["b"] + corrected["c"] == pytest.approx(10.0)
    assert min(corrected["b"], corrected["c"]) >= THREE_PHASE_KW


def test_a_stop_that_takes_too_much_is_evened_out_by_the_others() -> None:
    """Three cars at 5 kW, 3 kW too much: one car stops and the two others take 1 kW more each, so
    the site ends at its limit with no value below a minimum."""
    bounds = {"a": _ac(), "b": _ac(), "c": _ac()}
    planned = {"b": 5.0, "a": 5.0, "c": 5.0}
    corrected = correct_setpoints(planned, _live(53.0, dict(planned)), bounds)
    assert corrected == pytest.approx({"a": 0.0, "b": 6.0, "c": 6.0})
    # The others are full: the stop takes 2 kW more than needed.
    full = {"a": _ac(), "b": _ac(5.0), "c": _ac(5.0)}
    assert correct_setpoints(planned, _live(53.0, dict(planned)), full) == {"a": 0.0, "b": 5.0, "c": 5.0}


def test_a_start_that_gives_too_much_is_evened_out_by_the_others() -> None:
    """A floor at the import limit: 15 kW of discharge are needed exactly; a car at 8 kW without a
    minimum and two with an 8 kW minimum reach it (8 + 7), not 16 kW."""
    bounds = {
        "free": EvseBounds(0.0, 11.0),
        "b": EvseBounds(0.0, 11.0, 0.0, 8.0),
        "c": EvseBounds(0.0, 11.0, 0.0, 8.0),
    }
    planned = {"free": -8.0, "b": 0.0, "c": 0.0}
    live = LiveSite(38.0, dict(planned), 23.0, 10.0, net_floor_kw=30.0)
    corrected = correct_setpoints(planned, live, bounds)
    assert 46.0 + sum(corrected.values()) == pytest.approx(23.0)
    assert all(bounds[evse].allows(power) for evse, power in corrected.items())


def test_discharge_starts_at_its_minimum() -> None:
    """With the charging gone, a V2G car that must help starts at its minimum discharge."""
    bounds = {"a": _ac(11.0, 11.0), "b": _ac(11.0, 11.0)}
    planned = {"a": 2.0 + THREE_PHASE_KW, "b": 0.0}
    corrected = correct_setpoints(planned, _live(51.0 + planned["a"], dict(planned)), bounds)
    # 51 kW of rest: 6.14 kW of charging and 1 kW of discharge must go; one V2G car starts.
    assert corrected == {"a": -THREE_PHASE_KW, "b": 0.0}
    # More than one minimum of discharge: both run, in proportion to their room.
    corrected = correct_setpoints({"a": 0.0, "b": 0.0}, _live(60.0, {}), bounds)
    assert sum(corrected.values()) == pytest.approx(-10.0)
    assert all(bounds[evse].allows(power) for evse, power in corrected.items())


def test_export_correction_starts_charging_at_the_minimum_but_not_past_the_import_limit() -> None:
    """Too much export starts a car at its minimum; a start that would break the import limit
    (a floor just below it) is not made."""
    bounds = {"a": _ac(), "b": _ac(7.0)}
    corrected = correct_setpoints({"a": 0.0, "b": 0.0}, _live(-31.0, {}), bounds)
    assert corrected == {"a": THREE_PHASE_KW, "b": 0.0}
    narrow = LiveSite(47.0, {}, 50.0, 30.0, net_floor_kw=49.0)
    assert correct_setpoints({"a": 0.0, "b": 0.0}, narrow, bounds) == {"a": 0.0, "b": 0.0}


def test_shift_can_stop_at_zero() -> None:
    """``beyond_zero=False`` only takes charging back; a caller can use other means before V2G."""
    bounds = {"a": _ac(11.0, 11.0), "b": _ac(11.0, 11.0)}
    moved = shift_setpoints({"a": 6.0, "b": -2.0}, bounds, -20.0, beyond_zero=False)
    assert moved == {"a": 0.0, "b": -2.0}
    moved = shift_setpoints({"a": 6.0, "b": -2.0}, bounds, -10.0)
    assert moved["a"] == 0.0
    assert moved["b"] == pytest.approx(-6.0)


def test_snap_without_room_arguments_rounds_to_the_nearer() -> None:
    """Without grid rooms the snap is plain rounding; setpoints of EVSEs without a minimum stay."""
    bounds = {"a": _ac(), "b": _ac(), "c": EvseBounds(11.0, 11.0)}
    snapped = snap_setpoints({"a": 2.5, "b": 1.0, "c": 0.3}, bounds)
    assert snapped == {"a": THREE_PHASE_KW, "b": 0.0, "c": 0.3}


def _previous_correct_setpoints(
    planned_kw: Mapping[str, float], live: LiveSite, bounds: Mapping[str, EvseBounds]
) -> dict[str, float]:
    """The correction as it was before minimums existed: the reference for EVSEs without one."""
    setpoints = {evse: bounds[evse].clamp(power) for evse, power in planned_kw.items() if evse in bounds}
    predicted = live.grid_power_kw - sum(live.evse_power_kw.values()) + sum(setpoints.values())
    lowest = max(-live.export_limit_kw, min(live.net_floor_kw, live.import_limit_kw))
    delta = 0.0
    if predicted > live.import_limit_kw:
        delta = -(predicted - live.import_limit_kw)
    elif predicted < lowest:
        delta = lowest - predicted
    if delta == 0.0:
        return setpoints
    direction = 1.0 if delta > 0 else -1.0
    stages = (
        {evse: max(0.0, -direction * power) for evse, power in setpoints.items()},
        {
            evse: (bounds[evse].charge_kw if delta > 0 else bounds[evse].discharge_kw)
            - max(0.0, direction * setpoints[evse])
            for evse in setpoints
        },
    )
    remaining = abs(delta)
    for room in stages:
        total = sum(room.values())
        if remaining <= 1e-9 or total <= 1e-9:
            continue
        share = min(1.0, remaining / total)
        for evse, available in room.items():
            setpoints[evse] += direction * available * share
        remaining -= min(remaining, total)
    return setpoints


@st.composite
def _sites(
    draw: st.DrawFn, minimums: bool = True
) -> tuple[dict[str, float], LiveSite, dict[str, EvseBounds], float]:
    """Up to six EVSEs with AC minimums (or none), a plan, and a site around them."""
    size = draw(st.integers(1, 6))
    kw = st.floats(0.0, 22.0, allow_nan=False)
    least = st.sampled_from([0.0, ONE_PHASE_KW, THREE_PHASE_KW, 8.0]) if minimums else st.just(0.0)
    bounds = {
        f"e{i}": EvseBounds(
            draw(kw), draw(st.sampled_from([0.0, 11.0]) | st.floats(0.0, 11.0)), draw(least), draw(least)
        )
        for i in range(size)
    }
    planned = {evse: draw(st.floats(-15.0, 25.0)) for evse in bounds}
    rest = draw(st.floats(-80.0, 120.0))
    floor = draw(st.sampled_from([-math.inf, 0.0, 30.0]))
    billed = draw(st.just(math.inf) | st.floats(0.0, 120.0))
    live = LiveSite(
        rest + sum(planned.values()),
        planned,
        draw(st.floats(20.0, 100.0)),
        draw(st.floats(10.0, 60.0)),
        floor,
        billed,
    )
    return planned, live, bounds, rest


@settings(max_examples=400, deadline=None)
@given(_sites())
def test_random_sites_keep_the_minimums_and_the_limits(
    site: tuple[dict[str, float], LiveSite, dict[str, EvseBounds], float],
) -> None:
    """Every setpoint is 0 or within its EVSE's minimum and maximum; the import limit holds whenever
    full discharge can hold it, the lower limit whenever full charging can reach it and the band between
    the limits is wider than any discharge; the mapping's order does not matter."""
    planned, live, bounds, rest = site
    corrected = correct_setpoints(planned, live, bounds)
    assert all(bounds[evse].allows(power) for evse, power in corrected.items()), corrected
    net = rest + sum(corrected.values())
    lowest = max(-live.export_limit_kw, min(live.net_floor_kw, live.import_limit_kw))
    if rest - sum(b.highest(-1.0) for b in bounds.values()) <= live.import_limit_kw:
        assert net <= live.import_limit_kw + 1e-6
    # A stop or start in a band narrower than a minimum may overshoot: the import limit wins.
    wide = live.import_limit_kw - lowest >= 11.0
    if wide and rest + sum(b.highest(1.0) for b in bounds.values()) >= lowest:
        assert net >= lowest - 1e-6
    reverse = dict(reversed(planned.items()))
    backwards = correct_setpoints(reverse, LiveSite(live.grid_power_kw, reverse, *_limits(live)), bounds)
    assert backwards == pytest.approx(corrected, abs=1e-9)


def _limits(live: LiveSite) -> tuple[float, float, float, float]:
    return live.import_limit_kw, live.export_limit_kw, live.net_floor_kw, live.billed_peak_kw


@settings(max_examples=400, deadline=None)
@given(_sites())
def test_rounding_up_only_takes_room_the_grid_has(
    site: tuple[dict[str, float], LiveSite, dict[str, EvseBounds], float],
) -> None:
    """When the plan fits the site's limits with every in-between value at 0, the possible setpoints
    stay exactly as planned: a rounding up never costs another EVSE, nor raises the net import above
    the billed peak or the plan's own import. When the plan does not fit the import limit even then,
    no in-between charging value rounds up."""
    planned, live, bounds, rest = site
    clamped = {evse: bounds[evse].clamp(power) for evse, power in planned.items()}
    zeroed = {evse: power if bounds[evse].allows(power) else 0.0 for evse, power in clamped.items()}
    lowest = max(-live.export_limit_kw, min(live.net_floor_kw, live.import_limit_kw))
    corrected = correct_setpoints(planned, live, bounds)
    if lowest <= rest + sum(zeroed.values()) <= live.import_limit_kw:
        net = rest + sum(corrected.values())
        assert lowest - 1e-9 <= net <= live.import_limit_kw + 1e-9
        ceiling = min(live.import_limit_kw, max(live.billed_peak_kw, rest + sum(clamped.values())))
        assert net <= max(ceiling, rest + sum(zeroed.values())) + 1e-9
        for evse, power in zeroed.items():
            if power != 0.0 or clamped[evse] == 0.0:
                assert corrected[evse] == power
    elif rest + sum(zeroed.values()) > live.import_limit_kw:
        for evse, power in clamped.items():
            if power > 0.0 and not bounds[evse].allows(power):
                assert corrected[evse] <= 0.0


@settings(max_examples=300, deadline=None)
@given(_sites(minimums=False))
def test_without_minimums_the_correction_is_unchanged(
    site: tuple[dict[str, float], LiveSite, dict[str, EvseBounds], float],
) -> None:
    """EVSEs without a minimum are corrected exactly as before minimums existed."""
    planned, live, bounds, _ = site
    expected = _previous_correct_setpoints(planned, live, bounds)
    assert correct_setpoints(planned, live, bounds) == pytest.approx(expected, abs=1e-6)
