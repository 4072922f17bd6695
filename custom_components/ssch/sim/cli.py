"""Command line: run a fleet of simulated stations against a CSMS."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime
import logging
import os
import sys

from .clock import SimClock, parse_ocpp_timestamp
from .config import CHARGING_RATE_UNIT_CHOICES, Misbehaviour, OcppVersion, StationConfig
from .fleet import SimulatedFleet, fleet_configs

PASSWORD_ENV = "SSCH_SIM_PASSWORD"
_VERSION_NAMES = ", ".join(version.value for version in OcppVersion)


def ocpp_versions(text: str) -> tuple[OcppVersion, ...]:
    """Parse ``--version``: one version, or a comma-separated list cycled over the stations."""
    try:
        return tuple(OcppVersion(item.strip()) for item in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: versions are {_VERSION_NAMES}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.ssch.sim",
        description=(
            "Simulated OCPP 2.1 / 2.0.1 / 1.6J charging stations with EV battery physics. "
            "OCPP 1.6 stations are one-connector wallboxes limited in amperes per phase."
        ),
    )
    parser.add_argument("--url", required=True, help="CSMS websocket URL; the id is appended")
    parser.add_argument("--stations", type=int, default=1)
    parser.add_argument(
        "--version",
        type=ocpp_versions,
        default=(OcppVersion.V21,),
        help=f"OCPP version ({_VERSION_NAMES}); a list such as 2.1,2.0.1,1.6 is cycled over the stations",
    )
    parser.add_argument("--password", default=None, help=f"Basic-auth password (or set {PASSWORD_ENV})")
    parser.add_argument("--prefix", default="SIM", help="station ids are PREFIX01, PREFIX02, ...")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random car schedules")
    parser.add_argument("--days", type=int, default=2, help="days of car schedule to draw")
    parser.add_argument("--start", type=parse_ocpp_timestamp, default=None, help="simulated start (ISO 8601)")
    parser.add_argument("--meter-interval", type=float, default=60.0, help="simulated seconds")
    parser.add_argument("--evse-max-kw", type=float, default=11.0, help="e.g. 7.4 for 32 A on one phase")
    parser.add_argument("--phases", type=int, choices=(1, 2, 3), default=3, help="phases of the AC supply")
    parser.add_argument("--voltage", type=float, default=230.0, help="nominal phase voltage (V)")
    parser.add_argument(
        "--min-current", type=float, default=6.0, help="car's minimum current (A); below it the car pauses"
    )
    parser.add_argument(
        "--rate-units",
        choices=CHARGING_RATE_UNIT_CHOICES,
        default="Current",
        metavar="UNITS",
        help="1.6: ChargingScheduleAllowedChargingRateUnit, one of Current (default), Power, Current,Power",
    )
    parser.add_argument("--duration", type=float, default=0.0, help="real seconds; 0 = forever")
    parser.add_argument("--status-every", type=float, default=30.0, help="real seconds")
    parser.add_argument("--ignore-setpoints", action="store_true", help="misbehave: ignore them")
    parser.add_argument(
        "--malformed-every", type=float, default=None, help="misbehave: garbage frame period (s)"
    )
    parser.add_argument("--log-level", default="WARNING")
    return parser


def configs_from_args(args: argparse.Namespace, start: datetime) -> list[StationConfig]:
    template = StationConfig(
        station_id="",
        url=args.url,
        evse_max_power_kw=args.evse_max_kw,
        phases=args.phases,
        nominal_voltage_v=args.voltage,
        min_current_a=args.min_current,
        charging_rate_units=args.rate_units,
        meter_interval_s=args.meter_interval,
        misbehaviour=Misbehaviour(
            ignore_setpoints=args.ignore_setpoints, malformed_frame_every_s=args.malformed_every
        ),
    )
    return fleet_configs(
        args.url,
        args.stations,
        prefix=args.prefix,
        password=args.password or os.environ.get(PASSWORD_ENV),
        versions=args.version,
        seed=args.seed,
        start=start,
        days=args.days,
        template=template,
    )


def status_line(fleet: SimulatedFleet) -> str:
    charging = [s for s in fleet.stations if s.power_kw != 0]
    total_kw = sum(s.power_kw for s in fleet.stations)
    return (
        f"{fleet.clock.now():%Y-%m-%d %H:%M} connected {fleet.connected_count}/"
        f"{len(fleet.stations)}, active {len(charging)}, total {total_kw:.1f} kW, "
        f"messages {fleet.messages_total()}"
    )


async def run(args: argparse.Namespace) -> None:
    clock = SimClock(speed=args.speed, start=args.start or datetime.now(UTC))
    fleet = SimulatedFleet(configs_from_args(args, clock.start), clock)
    await fleet.start()
    try:
        async with asyncio.timeout(args.duration or None):
            while True:
                await asyncio.sleep(args.status_every)
                print(status_line(fleet), flush=True)
    except TimeoutError:
        pass
    finally:
        print(status_line(fleet), flush=True)
        await fleet.stop()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    return 0
