"""Which profile wins, and what its active period asks for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.sim.clock import ocpp_timestamp
from custom_components.ssch.sim.ocpp2.profiles import ProfileStore
from tests.sim.builders import charging_profile, period

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TX = "tx-1"


@pytest.fixture
def store() -> ProfileStore:
    return ProfileStore(phases=3)


def test_nothing_installed_means_no_command(store: ProfileStore) -> None:
    assert store.command_at(NOW, NOW, None) is None
    assert store.station_limit_w(NOW, None) is None
    assert len(store) == 0


@pytest.mark.parametrize(
    ("evse_id", "profile", "transaction_id"),
    [
        (1, charging_profile([period(limit=1)], purpose="PriorityCharging"), TX),
        (1, {**charging_profile([period(limit=1)]), "charging_schedule": []}, TX),
        (0, charging_profile([period(limit=1)], purpose="ChargingStationMaxProfile", kind="Relative"), TX),
        (2, charging_profile([period(limit=1)], purpose="TxDefaultProfile"), TX),
        (1, charging_profile([period(limit=1)]), None),
        (1, charging_profile([period(limit=1)], transaction_id="other"), TX),
    ],
    ids=["purpose", "empty", "relative-max", "evse", "no-tx", "other-tx"],
)
def test_invalid_profiles_are_rejected(
    store: ProfileStore, evse_id: int, profile: dict[str, object], transaction_id: str | None
) -> None:
    assert store.install(evse_id, profile, NOW, transaction_id) == "Rejected"
    assert len(store) == 0


def test_tx_profile_beats_default_and_higher_stack_wins(store: ProfileStore) -> None:
    default = charging_profile([period(limit=7000)], purpose="TxDefaultProfile", profile_id=1)
    low = charging_profile([period(limit=5000)], profile_id=2, transaction_id=TX)
    high = charging_profile([period(limit=3000)], profile_id=3, stack_level=2)
    for profile in (default, low, high):
        assert store.install(1, profile, NOW, TX) == "Accepted"

    command = store.command_at(NOW, NOW, None)

    assert command is not None
    assert (command.profile_id, command.limit_w) == (3, 3000)
    store.end_transaction()
    command = store.command_at(NOW, NOW, None)
    assert command is not None
    assert (command.profile_id, command.limit_w) == (1, 7000)


def test_same_purpose_and_stack_level_replaces(store: ProfileStore) -> None:
    store.install(1, charging_profile([period(limit=1000)], profile_id=1), NOW, TX)
    store.install(1, charging_profile([period(limit=2000)], profile_id=2), NOW, TX)
    command = store.command_at(NOW, NOW, None)
    assert len(store) == 1
    assert command is not None
    assert command.limit_w == 2000


def test_periods_follow_time_and_units(store: ProfileStore) -> None:
    profile = charging_profile(
        [period(0, limit=16), period(3600, limit=10, number_phases=1)],
        unit="A",
        transaction_id=TX,
        kind="Relative",
    )
    profile["charging_schedule"][0]["duration"] = 7200
    store.install(1, profile, NOW, TX)

    def limit_at(offset_s: int) -> float | None:
        command = store.command_at(NOW + timedelta(seconds=offset_s), NOW, None)
        return None if command is None else command.limit_w

    assert limit_at(10) == pytest.approx(16 * 230 * 3)
    assert limit_at(4000) == pytest.approx(10 * 230)
    assert limit_at(8000) is None


def test_absolute_start_and_validity_window(store: ProfileStore) -> None:
    profile = charging_profile(
        [period(600, limit=2000)],
        purpose="TxDefaultProfile",
        valid_from=ocpp_timestamp(NOW),
        valid_to=ocpp_timestamp(NOW + timedelta(hours=2)),
    )
    profile["charging_schedule"][0]["start_schedule"] = ocpp_timestamp(NOW)
    store.install(0, profile, NOW, None)

    assert store.command_at(NOW - timedelta(minutes=1), None, None) is None  # not valid yet
    assert store.command_at(NOW + timedelta(minutes=5), None, None) is None  # before first period
    assert store.command_at(NOW + timedelta(minutes=15), None, None) is not None
    assert store.command_at(NOW + timedelta(hours=3), None, None) is None  # expired


def test_daily_recurrence_wraps(store: ProfileStore) -> None:
    profile = charging_profile(
        [period(0, limit=1000), period(12 * 3600, limit=5000)],
        purpose="TxDefaultProfile",
        kind="Recurring",
        recurrency_kind="Daily",
    )
    profile["charging_schedule"][0]["start_schedule"] = ocpp_timestamp(NOW)
    store.install(1, profile, NOW, None)

    morning = store.command_at(NOW + timedelta(days=3, hours=1), None, None)
    evening = store.command_at(NOW + timedelta(days=3, hours=13), None, None)
    assert morning is not None
    assert evening is not None
    assert (morning.limit_w, evening.limit_w) == (1000, 5000)


def test_clear_by_criteria(store: ProfileStore) -> None:
    store.install(1, charging_profile([period(limit=1)], profile_id=1, transaction_id=TX), NOW, TX)
    default = charging_profile([period(limit=1)], profile_id=2, purpose="TxDefaultProfile")
    store.install(1, default, NOW, TX)

    assert not store.clear(criteria={"charging_profile_purpose": "ChargingStationMaxProfile"})
    assert store.clear(criteria={"charging_profile_purpose": "TxDefaultProfile", "evse_id": 1})
    assert len(store) == 1
    assert store.clear()
    assert len(store) == 0


def test_dynamic_update_overrides_period(store: ProfileStore) -> None:
    dynamic = charging_profile([period(operation_mode="CentralSetpoint", setpoint=1000)], kind="Dynamic")
    store.install(1, dynamic, NOW, TX)

    assert not store.update_dynamic(99, {"setpoint": -2000})
    assert store.update_dynamic(1, {"setpoint": -2000, "limit": None})
    command = store.command_at(NOW, NOW, None)
    assert command is not None
    assert (command.operation_mode, command.setpoint_w, command.limit_w) == (
        "CentralSetpoint",
        -2000,
        None,
    )


def test_offline_expiry_temporary_and_permanent(store: ProfileStore) -> None:
    temporary = charging_profile(
        [period(limit=1000)], profile_id=1, transaction_id=TX, max_offline_duration=60
    )
    permanent = charging_profile(
        [period(limit=2000)],
        profile_id=2,
        stack_level=1,
        transaction_id=TX,
        max_offline_duration=30,
        invalid_after_offline_duration=True,
    )
    cap = charging_profile(
        [period(limit=4000)],
        profile_id=3,
        purpose="ChargingStationMaxProfile",
        max_offline_duration=60,
    )
    for evse_id, profile in ((1, temporary), (1, permanent), (0, cap)):
        store.install(evse_id, profile, NOW, TX)

    def winner(offline_s: float | None) -> int | None:
        command = store.command_at(NOW, NOW, offline_s)
        return None if command is None else command.profile_id

    assert (winner(None), winner(20), winner(45), winner(90)) == (2, 2, 1, None)
    assert store.station_limit_w(NOW, 20) == 4000
    assert store.station_limit_w(NOW, 90) is None
    store.drop_expired_offline(45)
    assert len(store) == 2
    assert winner(None) == 1  # back online: the temporary one is valid again
