"""Command-line options of ``./scripts/demo``."""

from __future__ import annotations

import argparse
from pathlib import Path

from demo.settings import ROOT, DemoSettings

DESCRIPTION = (
    "Run a real Home Assistant with a complete charging hub: simulated OCPP 2.1, 2.0.1 and 1.6 stations, PV, "
    "an office and a battery from real-data profiles, day-ahead prices and a dashboard."
)


def parse_args(argv: list[str] | None = None) -> DemoSettings:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="./scripts/demo", description=DESCRIPTION)
    parser.add_argument(
        "--config", type=Path, default=ROOT / "demo-config", help="configuration directory (recreated)"
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant HTTP port")
    parser.add_argument("--ocpp-port", type=int, default=9000, help="the hub's OCPP server port")
    parser.add_argument(
        "--exit-after-setup", action="store_true", help="stop once the hub is set up (for tests)"
    )
    parser.add_argument("--stations", type=int, default=12, help="simulated stations on OCPP 2.1 (V2G)")
    parser.add_argument(
        "--legacy-stations", type=int, default=2, help="simulated stations on OCPP 2.0.1 (charge only)"
    )
    parser.add_argument(
        "--ocpp16-stations",
        type=int,
        default=2,
        help="simulated household wallboxes on OCPP 1.6J (charge only)",
    )
    parser.add_argument("--speed", type=float, default=1.0, help="simulated time runs this many times faster")
    parser.add_argument(
        "--no-site", action="store_true", help="no PV, office, battery or price sensors (fixed prices)"
    )
    parser.add_argument(
        "--engine",
        choices=("auto", "cvxpy", "built-in"),
        default="auto",
        help="built-in: run Home Assistant without cvxpy, OSQP and Clarabel, as Home Assistant OS and "
        "Container do, so the hub plans with its built-in engine; cvxpy: the hub's engine option set "
        "to cvxpy; auto (default): the hub picks, cvxpy where it is installed",
    )
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be positive")
    return DemoSettings(
        config_dir=args.config.resolve(),
        port=args.port,
        ocpp_port=args.ocpp_port,
        exit_after_setup=args.exit_after_setup,
        stations=args.stations,
        speed=args.speed,
        legacy_stations=args.legacy_stations,
        ocpp16_stations=args.ocpp16_stations,
        site=not args.no_site,
        dashboard=True,
        engine=args.engine,
    )
