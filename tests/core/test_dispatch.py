"""The fast dispatch loop: grid limits hold between solves, stations are spared tiny changes."""

from __future__ import annotations

import random

import pytest

from custom_components.ssch.core.dispatch import EvseBounds, LiveSite, changed_setpoints, correct_setpoints

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
