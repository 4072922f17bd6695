"""The per-EVSE control records: who may steer an EVSE, and what survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.core.evse_control import (
    ChargeMode,
    EvseControl,
    EvseControls,
    EvseGoal,
    ManualOverride,
)

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_an_untouched_evse_is_steered_with_its_full_power() -> None:
    controls = EvseControls()
    assert controls.steerable("CS01:1", NOW)
    assert controls.cap_kw("CS01:1", 11.0) == 11.0
    assert controls.car_capacity_kwh("CS01:1", 60.0) == 60.0
    assert "CS01:1" not in controls


def test_exclusion_override_and_not_following_each_stop_the_hub() -> None:
    controls = EvseControls()
    controls["A:1"].excluded = True
    controls["B:1"].manual = ManualOverride(None)
    controls["C:1"].not_following = True
    assert [controls.held_by_user(key, NOW) for key in ("A:1", "B:1", "C:1")] == [True, True, False]
    assert not any(controls.steerable(key, NOW) for key in ("A:1", "B:1", "C:1"))


def test_a_manual_override_ends_at_its_time() -> None:
    controls = EvseControls()
    controls["A:1"].manual = ManualOverride(NOW + timedelta(minutes=30))
    assert controls.overridden("A:1", NOW)
    assert not controls.overridden("A:1", NOW + timedelta(minutes=30))
    assert controls["A:1"].manual is None


def test_the_cap_never_exceeds_what_the_evse_can_do() -> None:
    controls = EvseControls()
    controls["A:1"].cap_kw = 7.0
    assert controls.cap_kw("A:1", 11.0) == 7.0
    assert controls.cap_kw("A:1", 3.7) == 3.7


def test_recognised_cars_replace_the_previous_ones() -> None:
    controls = EvseControls()
    controls.set_car_capacities({"A:1": 52.0, "B:1": 77.0})
    controls.set_car_capacities({"B:1": 40.0})
    assert controls.car_capacity_kwh("A:1", 60.0) == 60.0
    assert controls.car_capacity_kwh("B:1", 60.0) == 40.0


def test_records_round_trip_without_what_is_learned_at_run_time() -> None:
    controls = EvseControls()
    controls.replace_with(
        EvseControls(
            {
                "A:1": EvseControl(
                    goal=EvseGoal(NOW, 90.0, 40.0, False, ChargeMode.FAST),
                    cap_kw=6.5,
                    excluded=True,
                    manual=ManualOverride(NOW + timedelta(hours=1)),
                    car_capacity_kwh=52.0,
                    not_following=True,
                )
            }
        )
    )
    controls["B:1"].manual = ManualOverride(None)
    restored = EvseControls.from_dict(controls.to_dict())
    record = restored["A:1"]
    assert record.goal == EvseGoal(NOW, 90.0, 40.0, False, ChargeMode.FAST)
    assert (record.cap_kw, record.excluded, record.car_capacity_kwh) == (6.5, True, 52.0)
    assert record.manual == ManualOverride(NOW + timedelta(hours=1))
    assert not record.not_following
    assert restored["B:1"].manual == ManualOverride(None)
    assert list(restored) == ["A:1", "B:1"]


def test_a_record_that_cannot_be_read_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    restored = EvseControls.from_dict(
        {"A:1": {"goal": {"mode": "turbo"}}, "B:1": {"cap_kw": 5.0}, "C:1": "garbage"}
    )
    assert "A:1" not in restored
    assert "C:1" not in restored
    assert restored["B:1"].cap_kw == 5.0
    assert restored["B:1"].goal == EvseGoal()
    assert caplog.text.count("cannot be read") == 2


def test_replacing_keeps_the_object_everyone_reads() -> None:
    controls = EvseControls()
    reader = controls
    controls.replace_with(EvseControls.from_dict({"A:1": {"excluded": True}}))
    assert reader["A:1"].excluded
