"""Pure helpers: timestamps, metering, profiles, state round trips, stores, credentials, CLI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
from ocpp.messages import get_validator
import pytest

from custom_components.ssch.csms import __main__ as cli
from custom_components.ssch.csms.clock import format_timestamp, parse_timestamp, station_time_or_now
from custom_components.ssch.csms.credentials import ChecksBusy, CredentialCache, parse_basic_auth
from custom_components.ssch.csms.metering import read_meter_values
from custom_components.ssch.csms.persistence import Persistence
from custom_components.ssch.csms.profiles import (
    SetpointPlan,
    clamp_setpoint,
    set_charging_profile_request,
    update_dynamic_schedule_request,
)
from custom_components.ssch.csms.state import EnergyMeter, StationState
from custom_components.ssch.csms.store import MemoryStore

from .conftest import PASSWORD, PASSWORD_HASH, basic_auth


def test_timestamps() -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert format_timestamp(moment) == "2025-01-02T03:04:05.678Z"
    assert format_timestamp(moment.replace(tzinfo=None)) == "2025-01-02T03:04:05.678Z"
    assert format_timestamp(moment.astimezone(timezone(timedelta(hours=2)))) == "2025-01-02T03:04:05.678Z"
    assert parse_timestamp("2025-01-02T05:04:05+02:00") == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_timestamp("2025-01-02T03:04:05") == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(None) is None


def test_a_station_clock_is_believed_only_when_plausible() -> None:
    now = datetime(2025, 1, 2, 12, tzinfo=UTC)
    bounds = {"lead": timedelta(minutes=5), "lag": timedelta(hours=24)}
    late = now - timedelta(hours=3)  # queued while the station was offline
    assert station_time_or_now(late, now, **bounds) == (late, True)
    # a clock a little fast counts as now; one far off, or none, is not believed
    assert station_time_or_now(now + timedelta(minutes=4), now, **bounds) == (now, True)
    assert station_time_or_now(now + timedelta(minutes=6), now, **bounds) == (now, False)
    assert station_time_or_now(now - timedelta(days=2), now, **bounds) == (now, False)
    assert station_time_or_now(None, now, **bounds) == (now, False)


def test_energy_meter_never_goes_backwards() -> None:
    meter = EnergyMeter()
    for reading in (100.0, 101.5, -3.0, 2.0, 2.5):
        meter.add_reading(reading)
    assert meter.total_kwh == 4.0
    assert meter.last_register_kwh == 2.5


def test_meter_readings_units_and_signs() -> None:
    readings = read_meter_values(
        [
            {
                "sampledValue": [
                    {"value": 3, "measurand": "Power.Active.Export", "unitOfMeasure": {"unit": "kW"}},
                    {
                        "value": 2,
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "Wh", "multiplier": 3},
                    },
                    {"value": "7", "measurand": "Energy.Active.Export.Register"},
                    {"value": 1, "unitOfMeasure": {"unit": "Wh", "multiplier": 1.5}},
                    {"value": 50, "measurand": "SoC", "location": "EV"},
                    {"value": 60, "measurand": "SoC", "location": "Inlet"},
                    {"value": "high", "measurand": "SoC"},
                ]
            }
        ]
    )
    assert readings.power_kw == -3.0
    assert readings.import_register_kwh == 2.0
    assert readings.export_register_kwh is None
    assert readings.soc_pct == 50
    assert read_meter_values([]).power_kw is None
    # Numbers too large for a float are no readings (the register keeps what it had).
    huge = [
        {"value": 1e308, "measurand": "Energy.Active.Import.Register", "unitOfMeasure": {"multiplier": 9}},
        {"value": 1, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW", "multiplier": 400}},
    ]
    too_large = read_meter_values([{"sampledValue": huge}])
    assert too_large.import_register_kwh is None
    assert too_large.power_kw is None


def test_clamping() -> None:
    assert clamp_setpoint(-5, max_charge_kw=11, max_discharge_kw=4, discharge_possible=True).applied_kw == -4
    assert clamp_setpoint(-5, max_charge_kw=11, max_discharge_kw=4, discharge_possible=False).applied_kw == 0
    assert (
        clamp_setpoint(12, max_charge_kw=11, max_discharge_kw=4, discharge_possible=True).reason
        == "above the charging limit"
    )
    assert clamp_setpoint(3, max_charge_kw=11, max_discharge_kw=4, discharge_possible=True).reason is None


@pytest.mark.parametrize(("version", "central"), [("2.1", True), ("2.1", False), ("2.0.1", False)])
def test_profiles_match_the_schema(central: bool, version: str) -> None:
    plan = SetpointPlan(1, "tx", -2.5, 11.0, 5.0, central_setpoint=central, duration_s=600)
    request = set_charging_profile_request(plan, datetime(2025, 1, 1, tzinfo=UTC))
    get_validator(2, "SetChargingProfile", version).validate(request)
    period = request["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0]
    if central:
        assert (period["setpoint"], period["limit"], period["dischargeLimit"]) == (-2500, 11000, -5000)
        get_validator(2, "UpdateDynamicSchedule", "2.1").validate(update_dynamic_schedule_request(plan))
    else:
        assert period == {"startPeriod": 0, "limit": 0.0}
        assert (
            request["chargingProfile"]["chargingSchedule"][0]["startSchedule"] == "2025-01-01T00:00:00.000Z"
        )


def test_state_round_trip() -> None:
    state = StationState("CS1", ocpp_version="2.1", vendor="V", reconnects=3)
    evse = state.evse(2)
    evse.charged.add_reading(1.0)
    evse.charged.add_reading(3.0)
    evse.start_session("t", datetime(2030, 1, 1, 6, 30, tzinfo=UTC))
    evse.departure_time = datetime(2030, 1, 1, 7, tzinfo=UTC)
    evse.energy_request_kwh = 12.5
    copy = StationState.from_dict("CS1", state.to_dict())
    assert copy.to_dict() == state.to_dict()
    assert copy.evses[2].energy_charged_kwh == 2.0
    assert copy.evses[2].session_started_at == datetime(2030, 1, 1, 6, 30, tzinfo=UTC)
    assert copy.evse_of_transaction("t") == 2
    assert copy.evse_of_transaction("x") is None


def test_a_new_car_does_not_inherit_the_last_ones_soc() -> None:
    evse = StationState("CS1").evse(1)
    evse.start_session("t1")
    evse.ev_soc_pct = 80.0
    evse.end_session()
    assert evse.ev_soc_pct is None
    assert evse.session_started_at is None
    evse.ev_soc_pct = 75.0  # a session that ended without a TransactionEvent(Ended)
    evse.start_session("t2")
    assert evse.ev_soc_pct is None


def test_basic_auth_parsing() -> None:
    assert parse_basic_auth(basic_auth("CS1", "a:b")) == ("CS1", "a:b")
    assert parse_basic_auth(None) is None
    assert parse_basic_auth("Basic " + "//79") is None


async def test_credential_cache_skips_scrypt_on_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = CredentialCache(failure_lockout_s=0.0)
    assert await cache.verify("CS1", PASSWORD, PASSWORD_HASH)
    assert not await cache.verify("CS1", "wrong", PASSWORD_HASH)
    calls: list[str] = []

    def counting_verify(password: str, password_hash: str) -> bool:
        calls.append(password)
        return False

    monkeypatch.setattr("custom_components.ssch.csms.credentials.verify_password", counting_verify)
    assert await cache.verify("CS1", PASSWORD, PASSWORD_HASH)
    assert calls == []
    assert not await cache.verify("CS1", PASSWORD, "scrypt$other")
    cache.forget("CS1")
    assert not await cache.verify("CS1", PASSWORD, PASSWORD_HASH)
    await cache.close()
    await cache.close()


async def test_background_saves_survive_store_errors_and_say_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class BrokenStore(MemoryStore):
        broken = True

        async def save(self, data: dict[str, Any]) -> None:
            if self.broken:
                raise OSError("disk full")
            await super().save(data)

    store = BrokenStore()
    persistence = Persistence(store, None, dict, lambda station_id: None, 0.01)
    for _ in range(3):
        await persistence.persist("CS1")
        await asyncio.sleep(0.05)
    assert caplog.text.count("Saving the station state failed") == 1
    store.broken = False
    persistence.mark_dirty()
    await asyncio.sleep(0.05)
    assert "works again" in caplog.text
    assert store.saves == 1
    store.broken = True
    with pytest.raises(OSError, match="disk full"):
        await persistence.close()


def test_cli_registry() -> None:
    args = cli.build_parser().parse_args(
        ["--station", "A:pw", "--station", "B:pw2", "--bidirectional", "--evses", "2"]
    )
    registry = cli.build_registry(args)
    assert sorted(registry.ids()) == ["A", "B"]
    config = registry.get("A")
    assert config is not None
    assert config.bidirectional
    assert config.evse_count == 2
    assert config.max_discharge_kw == 11.0
    other = registry.get("B")
    assert other is not None
    assert other.password_hash != config.password_hash
    same = cli.build_registry(cli.build_parser().parse_args(["--station", "C:pw", "--station", "D:pw"]))
    assert same.configs()["C"].password_hash == same.configs()["D"].password_hash
    with pytest.raises(SystemExit):
        cli.build_registry(cli.build_parser().parse_args(["--station", "nopassword"]))


async def test_cli_serves_until_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(
        ["--port", "0", "--station", "A:pw", "--state-file", str(tmp_path / "s.json")]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(cli.serve(args, stop))
    for _ in range(100):
        if "listening" in capsys.readouterr().out:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await task
    assert (tmp_path / "s.json").exists()


def test_cli_keeps_its_state_in_a_state_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not in whatever directory the server was started from."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    args = cli.build_parser().parse_args(["--station", "A:pw"])
    assert cli.state_file(args) == tmp_path / "state" / "ssch-csms" / "state.json"
    assert (tmp_path / "state" / "ssch-csms").is_dir()
    monkeypatch.delenv("XDG_STATE_HOME")
    assert cli.default_state_dir() == Path.home() / ".local" / "state" / "ssch-csms"


def test_cli_keeps_using_the_state_file_of_an_earlier_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An upgrade must not start the stations' state afresh."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "csms-state.json").write_text("{}")
    assert cli.state_file(cli.build_parser().parse_args([])) == Path("csms-state.json")
    assert "earlier versions" in caplog.text
    assert cli.state_file(cli.build_parser().parse_args(["--state-file", "x.json"])) == Path("x.json")


def test_cli_event_printing(capsys: pytest.CaptureFixture[str]) -> None:
    from custom_components.ssch.csms.events import StationConnected

    cli.print_event(StationConnected("A", "2.1", 0))
    assert "StationConnected {'station_id': 'A'" in capsys.readouterr().out


async def test_cli_connect_with_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(
        ["--port", "0", "--station", "A:pw", "--state-file", str(tmp_path / "s.json")]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(cli.serve(args, stop))
    port = None
    for _ in range(100):
        out = capsys.readouterr().out
        if "listening" in out:
            port = int(out.strip().rsplit(":", 1)[1].strip("/"))
            break
        await asyncio.sleep(0.02)
    assert port is not None
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{port}/A",
            protocols=("ocpp2.1",),
            headers={"Authorization": basic_auth("A", "pw")},
        )
        await ws.close()
    stop.set()
    await task
    assert "StationConnected" in capsys.readouterr().out


def test_replayed_older_readings_do_not_count_as_a_reset() -> None:
    from custom_components.ssch.csms.metering import apply_readings
    from custom_components.ssch.csms.state import EvseState

    def reading(at: str, import_wh: float, power_w: float) -> list[dict[str, Any]]:
        return [
            {
                "timestamp": at,
                "sampledValue": [
                    {"value": import_wh, "measurand": "Energy.Active.Import.Register"},
                    {"value": power_w, "measurand": "Power.Active.Import"},
                ],
            }
        ]

    evse = EvseState()
    apply_readings(evse, read_meter_values(reading("2025-01-01T10:00:00Z", 10_000, 1000)))
    apply_readings(evse, read_meter_values(reading("2025-01-01T10:10:00Z", 12_000, 2000)))
    # a reading queued while offline arrives late: ignored, power not rolled back
    apply_readings(evse, read_meter_values(reading("2025-01-01T10:05:00Z", 11_000, 500)))
    assert (evse.energy_charged_kwh, evse.power_kw) == (2.0, 2.0)
    # a lower register with a newer timestamp is held until the next reading confirms a reset
    problems = apply_readings(evse, read_meter_values(reading("2025-01-01T10:20:00Z", 300, 1500)))
    assert (evse.energy_charged_kwh, evse.power_kw) == (2.0, 1.5)
    assert problems == ["import register went backwards to 0.3 kWh; held until confirmed"]
    # the station clock jumps back after a reboot: the reading goes on from the reset register,
    # which confirms the reset and counts everything since it
    apply_readings(evse, read_meter_values(reading("2020-01-01T00:00:00Z", 800, 900)))
    assert (evse.energy_charged_kwh, evse.power_kw) == (2.8, 0.9)
    assert evse.last_sampled_at == datetime(2020, 1, 1, tzinfo=UTC)


async def test_wrong_passwords_lock_out_the_address_not_the_station() -> None:
    cache = CredentialCache(failure_lockout_s=60.0)
    assert not await cache.verify("CS1", "guess", PASSWORD_HASH, "192.0.2.7")
    # the guessing address is locked out, scrypt not even run, whatever station it names
    assert not await cache.verify("CS1", PASSWORD, PASSWORD_HASH, "192.0.2.7")
    assert not await cache.verify("CS2", PASSWORD, PASSWORD_HASH, "192.0.2.7")
    # the station itself, from its own address, gets in
    assert await cache.verify("CS1", PASSWORD, PASSWORD_HASH, "192.0.2.1")
    await cache.close()


async def test_a_flood_of_password_checks_is_capped() -> None:
    cache = CredentialCache(failure_lockout_s=0.0, max_queued_checks=2)
    checks = [cache.verify(f"CS{index}", "guess", PASSWORD_HASH, f"192.0.2.{index}") for index in range(6)]
    outcomes = await asyncio.gather(*checks, return_exceptions=True)
    assert sum(isinstance(outcome, ChecksBusy) for outcome in outcomes) == 4
    assert outcomes[:2] == [False, False]
    await cache.close()
