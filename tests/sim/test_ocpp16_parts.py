"""The 1.6 firmware's parts on their own: profiles, composite schedule, configuration, meter values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from custom_components.ssch.sim import StationConfig
from custom_components.ssch.sim.clock import ocpp_timestamp
from custom_components.ssch.sim.meter_timer import MeterTimer
from custom_components.ssch.sim.ocpp16.composite import composite_schedule
from custom_components.ssch.sim.ocpp16.configuration import Configuration
from custom_components.ssch.sim.ocpp16.current import AcSupply, CurrentLimit
from custom_components.ssch.sim.ocpp16.messages import MeterReading, meter_value
from custom_components.ssch.sim.ocpp16.profiles import ProfileRules, SmartChargingProfiles, plain_numbers
from custom_components.ssch.sim.outbox import Outbox
from custom_components.ssch.sim.profile_timing import change_times
from tests.sim.ocpp16_helpers import profile16

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SUPPLY = AcSupply(3, 230.0)
HARDWARE = CurrentLimit(16.0, 3)


@pytest.fixture
def profiles() -> SmartChargingProfiles:
    return SmartChargingProfiles(ProfileRules(frozenset({"A", "W"}), 10, 4), SUPPLY)


def limit_at(store: SmartChargingProfiles, moment: datetime, running: bool = True) -> CurrentLimit | None:
    return store.limit_at(moment, running, NOW)


def test_highest_stack_level_whose_schedule_runs_wins(profiles: SmartChargingProfiles) -> None:
    short = profile16(6, profile_id=1, stack_level=2, duration=600)
    long = profile16(10, profile_id=2, stack_level=1)
    for profile in (short, long):
        assert profiles.install(1, profile, NOW, True, 7) == "Accepted"
    assert limit_at(profiles, NOW + timedelta(seconds=60)) == CurrentLimit(6, 3)
    assert limit_at(profiles, NOW + timedelta(seconds=900)) == CurrentLimit(10, 3)
    assert limit_at(profiles, NOW, running=False) is None  # TxProfiles need a transaction
    profiles.end_transaction()
    assert len(profiles) == 0


def test_watts_and_phases_become_current_per_phase(profiles: SmartChargingProfiles) -> None:
    profiles.install(0, profile16(6900, purpose="TxDefaultProfile", unit="W"), NOW, False, None)
    watts_limit = limit_at(profiles, NOW)
    assert watts_limit is not None
    assert watts_limit.amperes == pytest.approx(10.0)
    assert watts_limit.phases == 3
    one_phase = profile16(20, purpose="TxDefaultProfile", number_phases=1, profile_id=2)
    profiles.install(1, one_phase, NOW, False, None)
    assert limit_at(profiles, NOW) == CurrentLimit(20, 1)
    assert SUPPLY.limit(32, "A", number_phases=5) == CurrentLimit(32, 3)  # not more phases than wired


def test_same_id_or_same_slot_replaces(profiles: SmartChargingProfiles) -> None:
    profiles.install(0, profile16(8, purpose="TxDefaultProfile", profile_id=1), NOW, False, None)
    profiles.install(0, profile16(9, purpose="TxDefaultProfile", profile_id=2), NOW, False, None)
    profiles.install(1, profile16(10, purpose="TxDefaultProfile", profile_id=2), NOW, False, None)
    assert len(profiles) == 1
    assert limit_at(profiles, NOW) == CurrentLimit(10, 3)


def test_period_count_and_decimal_limits(profiles: SmartChargingProfiles) -> None:
    five = [{"start_period": n * 60, "limit": 10} for n in range(5)]
    assert profiles.install(0, profile16(0, purpose="TxDefaultProfile", periods=five), NOW, False, None) == (
        "Rejected"
    )
    decimal = profile16(Decimal("7.5"), purpose="TxDefaultProfile")  # as the library parses 1.6 profiles
    assert profiles.install(0, decimal, NOW, False, None) == "Accepted"
    assert limit_at(profiles, NOW) == CurrentLimit(7.5, 3)
    assert plain_numbers([Decimal("16.0"), Decimal("0.1")]) == [16, 0.1]


def test_clear_by_criteria(profiles: SmartChargingProfiles) -> None:
    profiles.install(0, profile16(8, purpose="TxDefaultProfile", profile_id=1), NOW, False, None)
    profiles.install(0, profile16(9, purpose="ChargePointMaxProfile", profile_id=2), NOW, False, None)
    assert not profiles.clear(connector_id=1)
    assert profiles.clear(purpose="ChargePointMaxProfile")
    assert profiles.clear()
    assert len(profiles) == 0


def test_composite_follows_a_daily_profile() -> None:
    store = SmartChargingProfiles(ProfileRules(frozenset({"A"}), 10, 24), SUPPLY)
    daily = profile16(
        0,
        purpose="TxDefaultProfile",
        kind="Recurring",
        recurrency_kind="Daily",
        periods=[{"start_period": 0, "limit": 6}, {"start_period": 6 * 3600, "limit": 16}],
        start_schedule=ocpp_timestamp(NOW.replace(hour=0)),
    )
    daily["recurrency_kind"] = daily["charging_schedule"].pop("recurrency_kind")
    assert store.install(0, daily, NOW, False, None) == "Accepted"

    schedule = composite_schedule(
        store,
        hardware=CurrentLimit(13.0, 3),
        supply=SUPPLY,
        start=NOW,
        duration_s=24 * 3600,
        unit="A",
        transaction_running=False,
        relative_start=NOW,
    )

    periods = [(p["start_period"], p["limit"]) for p in schedule["charging_schedule_period"]]
    assert periods == [(0, 13.0), (12 * 3600, 6.0), (18 * 3600, 13.0)]  # midnight, then 06:00
    assert schedule["start_schedule"] == ocpp_timestamp(NOW)


def test_change_times_stay_inside_the_window() -> None:
    profile = profile16(6, kind="Absolute", periods=[{"start_period": 0, "limit": 6}], duration=600)
    moments = change_times(
        profile, profile["charging_schedule"], NOW, NOW, (NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    )
    assert moments == {NOW, NOW + timedelta(seconds=600)}


def test_configuration_get_and_change() -> None:
    changes: list[tuple[str, str]] = []
    config = StationConfig("S", "ws://x", meter_interval_s=60, charging_rate_units="Power")
    keys = Configuration(config, lambda key, value: changes.append((key, value)))
    assert keys.rate_units == frozenset({"W"})
    known, unknown = keys.get(["MeterValueSampleInterval", "Bogus"])
    assert known == [{"key": "MeterValueSampleInterval", "readonly": False, "value": "60"}]
    assert unknown == ["Bogus"]
    assert keys.change("MeterValueSampleInterval", "0") == "Accepted"  # 0: no periodic values
    assert keys.change("HeartbeatInterval", "0") == "Rejected"
    assert keys.change("AuthorizeRemoteTxRequests", "True") == "Accepted"
    assert keys.change("AuthorizeRemoteTxRequests", "maybe") == "Rejected"
    assert keys.flag("AuthorizeRemoteTxRequests")
    assert keys.change("MeterValuesSampledData", "Current.Offered,Power.Offered") == "Accepted"
    assert keys.measurands == ("Current.Offered", "Power.Offered")
    assert changes[0] == ("MeterValueSampleInterval", "0")
    with pytest.raises(ValueError, match="charging_rate_units"):
        StationConfig("S", "ws://x", charging_rate_units="Amps")
    with pytest.raises(ValueError, match="phases"):
        StationConfig("S", "ws://x", phases=4)


def test_meter_value_of_a_single_phase_wallbox() -> None:
    reading = MeterReading(
        energy_wh=1234.5678,
        power_w=2300.0,
        current_a=10.0,
        phases_in_use=1,
        supply_phases=1,
        voltage_v=230.0,
        soc_percent=None,
        offered_current_a=10.0,
        offered_power_w=2300.0,
    )
    wanted = ("Energy.Active.Import.Register", "Current.Import", "Voltage", "SoC")
    value = meter_value(NOW, reading, wanted, "Trigger")
    assert [(s["measurand"], s.get("phase"), s["value"]) for s in value["sampled_value"]] == [
        ("Energy.Active.Import.Register", None, "1234.568"),
        ("Current.Import", "L1", "10"),
        ("Voltage", "L1-N", "230"),
    ]


def test_requests_built_when_sent_and_meter_timer() -> None:
    outbox = Outbox()
    answer: dict[str, int] = {}
    outbox.put_built_later(lambda: answer.get("id"))
    answer["id"] = 7
    item = outbox._items[0]
    assert item.request() == 7
    timer = MeterTimer(0)
    timer.start(NOW)
    assert timer.next_at is None  # interval 0: no periodic values
    timer.set_interval(60, NOW)
    assert timer.fire_if_due(NOW + timedelta(seconds=61))
    assert not timer.fire_if_due(NOW + timedelta(seconds=62))
    timer.stop()
    assert timer.next_at is None
