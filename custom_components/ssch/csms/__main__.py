"""Run the CSMS standalone.

``python -m custom_components.ssch.csms --port 9000 --station CS01:secret``
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import asdict
import logging
import os
from pathlib import Path
import signal

from .auth import hash_password
from .events import CsmsEvent
from .handshake import MAX_STATION_ID_LENGTH
from .journal import StateJournal
from .registry import StationConfig, StationRegistry
from .server import CsmsServer
from .settings import CsmsSettings
from .store import JsonFileStore
from .tls import server_ssl_context

_LOGGER = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m custom_components.ssch.csms")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--station", action="append", default=[], metavar="ID:PASSWORD", help="repeatable")
    parser.add_argument("--bidirectional", action="store_true", help="stations may discharge")
    parser.add_argument("--evses", type=int, default=1, help="EVSEs per station")
    parser.add_argument("--max-charge-kw", type=float, default=11.0)
    parser.add_argument("--max-discharge-kw", type=float, default=11.0)
    parser.add_argument("--adopt-unknown", action="store_true")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=default_state_dir(),
        help="where the station state and its journal are kept (default: %(default)s)",
    )
    parser.add_argument(
        "--state-file", type=Path, help="the state file itself (default: STATE_DIR/state.json)"
    )
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    parser.add_argument("--client-ca", help="CA of the stations' certificates (security profile 3)")
    parser.add_argument("--quiet", action="store_true", help="do not print events")
    parser.add_argument(
        "--meter-interval", type=int, default=60, help="seconds between a 1.6 station's meter values"
    )
    return parser


def default_state_dir() -> Path:
    """The user's state directory (XDG), never the directory the server happens to start in."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "ssch-csms"


# Where earlier versions kept the state by default: the directory the server was started in.
LEGACY_STATE_FILE = Path("csms-state.json")


def state_file(args: argparse.Namespace) -> Path:
    """The state file to use; its directory is created. A state file an earlier version left in the
    current directory is kept in use (and named in the log), so an upgrade loses no station state."""
    if args.state_file is None and LEGACY_STATE_FILE.exists():
        _LOGGER.warning(
            "Using the station state in %s (where earlier versions kept it); move it to %s "
            "or pass --state-file to keep it there",
            LEGACY_STATE_FILE.resolve(),
            args.state_dir / "state.json",
        )
        return LEGACY_STATE_FILE
    path: Path = args.state_file or args.state_dir / "state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build_registry(args: argparse.Namespace) -> StationRegistry:
    stations: dict[str, StationConfig] = {}
    # Load tests pass a thousand stations with one password: hash each distinct password once.
    hashes: dict[str, str] = {}
    for item in args.station:
        station_id, separator, password = item.partition(":")
        if not separator or not station_id or not password:
            raise SystemExit(f"--station expects ID:PASSWORD, got {item!r}")
        if len(station_id) > MAX_STATION_ID_LENGTH:
            raise SystemExit(f"station ids have at most {MAX_STATION_ID_LENGTH} characters: {station_id!r}")
        if password not in hashes:
            hashes[password] = hash_password(password)
        stations[station_id] = StationConfig(
            password_hash=hashes[password],
            evse_count=args.evses,
            bidirectional=args.bidirectional,
            max_charge_kw=args.max_charge_kw,
            max_discharge_kw=args.max_discharge_kw if args.bidirectional else 0.0,
        )
    return StationRegistry(stations)


def print_event(event: CsmsEvent) -> None:
    print(type(event).__name__, asdict(event), flush=True)


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> bool:
    """Run until ``stop`` is set (or SIGINT / SIGTERM arrives); returns whether the final save worked."""
    ssl_context = server_ssl_context(args.certfile, args.keyfile, args.client_ca) if args.certfile else None
    path = state_file(args)
    server = CsmsServer(
        args.host,
        args.port,
        build_registry(args),
        JsonFileStore(path),
        adopt_unknown=args.adopt_unknown,
        ssl_context=ssl_context,
        journal=StateJournal(f"{path}.journal"),
        settings=CsmsSettings(meter_interval_s=args.meter_interval),
    )
    if not args.quiet:
        server.listen(print_event)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    await server.start()
    print(f"listening on {'wss' if ssl_context else 'ws'}://{args.host}:{server.port}/", flush=True)
    try:
        await stop.wait()
    finally:
        saved = await server.stop()
    return saved


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not asyncio.run(serve(args)):
        # The last state could not be written: fail, so a supervisor notices.
        raise SystemExit("saving the station state failed (see the log)")


if __name__ == "__main__":
    main()
