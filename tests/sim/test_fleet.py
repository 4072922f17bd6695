"""Fleets, random schedules and the command line."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
import random

import pytest

from custom_components.ssch.sim import (
    OcppVersion,
    SimClock,
    SimulatedFleet,
    fleet_configs,
    random_visits,
)
from custom_components.ssch.sim.cli import build_parser, configs_from_args, main, run
from demo.ports import free_port
from tests.sim.conftest import PASSWORD, eventually
from tests.sim.csms_fixture import FixtureCsms

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_random_visits_are_seeded_and_sane() -> None:
    first = random_visits(random.Random(7), START, days=3)
    again = random_visits(random.Random(7), START, days=3)
    assert first == again
    assert len(first) >= 2
    assert all(visit.arrival >= START for visit in first)
    assert all(visit.departure > visit.arrival for visit in first)
    assert any(visit.v2x for visit in random_visits(random.Random(1), START, 5, v2x_share=1.0))
    assert not any(visit.v2x for visit in random_visits(random.Random(1), START, 5, v2x_share=0))


def test_cars_already_parked_at_the_start_are_plugged_in_from_the_start() -> None:
    """Starting mid-morning, the workplace cars drawn for 07:00-10:00 that stay on are there at once."""
    visits = [random_visits(random.Random(seed), START, days=1) for seed in range(40)]
    first = [day[0] for day in visits if day]
    at_start = [visit for visit in first if visit.arrival == START]
    assert at_start, "some cars drawn before 09:00 stay on past it"
    assert all(visit.departure - START >= timedelta(minutes=30) for visit in at_start)


def test_fleet_configs_number_the_stations() -> None:
    configs = fleet_configs("ws://x/ocpp", 12, prefix="CP", password="pw", start=START, days=1)
    assert [c.station_id for c in configs][:2] == ["CP01", "CP02"]
    assert configs[-1].station_id == "CP12"
    assert configs[0].endpoint == "ws://x/ocpp/CP01"
    assert all(c.password == "pw" for c in configs)
    assert fleet_configs("ws://x", 100)[0].station_id == "SIM001"
    assert fleet_configs("ws://x", 2)[0].visits == ()


async def test_fleet_connects_every_station(csms: FixtureCsms) -> None:
    configs = fleet_configs(csms.url, 3, password=PASSWORD, version=OcppVersion.V201)
    fleet = SimulatedFleet(configs, SimClock(speed=60))
    await fleet.start(stagger_s=0.01)
    try:
        await fleet.wait_connected(5)
        assert fleet.connected_count == 3
        assert fleet["SIM02"].station_id == "SIM02"
        with pytest.raises(KeyError):
            fleet["SIM09"]
        await eventually(lambda: len(fleet.round_trips_ms()) >= 6)  # boot + status each
        assert fleet.messages_total() >= 6
    finally:
        await fleet.stop()
    assert fleet.connected_count == 0


async def test_cli_run_drives_a_fleet(csms: FixtureCsms, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        [
            "--url",
            csms.url,
            "--stations",
            "2",
            "--password",
            PASSWORD,
            "--speed",
            "36000",
            "--start",
            "2026-06-01T06:30:00Z",
            "--duration",
            "1.0",
            "--status-every",
            "0.2",
            "--meter-interval",
            "1800",
        ]
    )
    await run(args)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 2
    assert "connected 2/2" in lines[-2]
    assert csms.messages("SIM01", "BootNotification")
    # the seeded schedule brings both cars within the first 80 simulated minutes
    assert csms.messages("SIM01", "TransactionEvent") or csms.messages("SIM02", "TransactionEvent")


def test_cli_main_keeps_retrying_an_absent_server(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    code = main(
        [
            "--url",
            f"ws://127.0.0.1:{port}",
            "--duration",
            "0.3",
            "--status-every",
            "5",
            "--ignore-setpoints",
            "--malformed-every",
            "1",
            "--log-level",
            "error",
        ]
    )
    assert code == 0
    assert "connected 0/1" in capsys.readouterr().out


def test_parser_defaults() -> None:
    args: argparse.Namespace = build_parser().parse_args(["--url", "ws://h:1"])
    assert (args.stations, args.version, args.prefix, args.speed) == (1, (OcppVersion.V21,), "SIM", 1.0)


def test_fleet_configs_cycle_versions() -> None:
    mixed = (OcppVersion.V21, OcppVersion.V201, OcppVersion.V16)
    configs = fleet_configs("ws://x", 5, versions=mixed)
    assert [c.ocpp_version for c in configs] == [*mixed, OcppVersion.V21, OcppVersion.V201]
    assert {c.ocpp_version for c in fleet_configs("ws://x", 3, version=OcppVersion.V16)} == {OcppVersion.V16}


async def test_mixed_fleet_speaks_each_version(csms: FixtureCsms) -> None:
    mixed = (OcppVersion.V21, OcppVersion.V201, OcppVersion.V16)
    fleet = SimulatedFleet(fleet_configs(csms.url, 3, password=PASSWORD, versions=mixed), SimClock(speed=60))
    await fleet.start()
    try:
        await fleet.wait_connected(5)
        links = [csms.charge_points[station.station_id].connection for station in fleet.stations]
        protocols = [link.websocket.ws_protocol for link in links]
        assert protocols == ["ocpp2.1", "ocpp2.0.1", "ocpp1.6"]
        assert "charge_point_vendor" in csms.messages("SIM03", "BootNotification")[0]
    finally:
        await fleet.stop()


def test_cli_options_of_16_wallboxes() -> None:
    args = build_parser().parse_args(
        [
            "--url",
            "ws://h:1",
            "--stations",
            "2",
            "--version",
            "1.6,2.1",
            "--phases",
            "1",
            "--voltage",
            "240",
            "--min-current",
            "8",
            "--rate-units",
            "Current,Power",
        ]
    )
    configs = configs_from_args(args, START)
    assert [c.ocpp_version for c in configs] == [OcppVersion.V16, OcppVersion.V21]
    first = configs[0]
    assert (first.phases, first.nominal_voltage_v, first.min_current_a) == (1, 240.0, 8.0)
    assert first.charging_rate_units == "Current,Power"
    assert build_parser().parse_args(["--url", "u", "--version", "1.6"]).version == (OcppVersion.V16,)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--url", "u", "--version", "1.5"])


async def test_cli_run_with_16_wallboxes(csms: FixtureCsms, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        [
            *("--url", csms.url, "--stations", "2", "--password", PASSWORD, "--version", "1.6"),
            *("--speed", "36000", "--start", "2026-06-01T06:30:00Z", "--duration", "1.0"),
            *("--status-every", "0.2", "--meter-interval", "1800"),
        ]
    )
    await run(args)
    assert "connected 2/2" in capsys.readouterr().out.strip().splitlines()[-2]
    assert csms.messages("SIM01", "StartTransaction") or csms.messages("SIM02", "StartTransaction")
