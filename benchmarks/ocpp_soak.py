"""OCPP server soak: a compressed day of N stations with cars, dropped connections and server crashes.

The standalone CSMS runs in its own process with its state file and journal. Simulated stations (in
this process) follow a day of car visits at ``--speed`` times real time; every few seconds some of them
lose their connection, and the server is killed (SIGKILL, no shutdown save) or stopped (SIGTERM) and
started again several times. The stations keep their unanswered requests and send them again, as real
ones do. At the end the energy the hub counted for every EVSE is compared with the station's own meter:
nothing acknowledged may be lost and nothing may be counted twice.

    python -m benchmarks.ocpp_soak --stations 100 --speed 240 --restarts 6 [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from datetime import timedelta
import json
from pathlib import Path
import random
import signal
import subprocess
import tempfile
import time
from typing import Any

from benchmarks.ocpp_load import PASSWORD, sample_process, server_command, wait_listening
from custom_components.ssch.csms.journal import StateJournal
from custom_components.ssch.csms.persistence import Persistence
from custom_components.ssch.csms.store import JsonFileStore
from custom_components.ssch.sim import SimClock, SimulatedFleet, StationConfig, fleet_configs
from custom_components.ssch.sim.schedule import car_arriving
from demo.ports import free_port

DAY_HOURS = 24.0


def _visits(rng: random.Random, start: Any) -> tuple[Any, ...]:
    """Two cars a day: one in the morning, one in the afternoon, a few hours each."""
    morning = car_arriving(start + timedelta(hours=rng.uniform(0.2, 6.0)), stay_hours=rng.uniform(2.0, 5.0))
    afternoon = car_arriving(
        start + timedelta(hours=rng.uniform(12.0, 18.0)), stay_hours=rng.uniform(2.0, 5.0)
    )
    return (morning, afternoon)


def _fleet(url: str, count: int, clock: SimClock, seed: int) -> SimulatedFleet:
    rng = random.Random(seed)
    start = clock.now()
    template = StationConfig(
        station_id="",
        url=url,
        meter_interval_s=60.0,
        validate_schemas=False,
        call_timeout_s=10.0,
        reconnect_initial_s=0.5,
        reconnect_max_s=4.0,
    )
    configs = fleet_configs(url, count, password=PASSWORD, template=template)
    return SimulatedFleet([replace(config, visits=_visits(rng, start)) for config in configs], clock)


def _start_server(args: argparse.Namespace, port: int, state_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    namespace = argparse.Namespace(server="ssch", stations=args.stations, prefix="SIM")
    with log.open("ab") as out:
        server = subprocess.Popen(server_command(namespace, port, state_dir), stdout=out, stderr=out)
    wait_listening(log, server, 60.0)
    return server


async def _hub_counters(state_file: Path) -> dict[str, dict[str, Any]]:
    """What the hub stored: the snapshot with the journal replayed over it."""
    journal = StateJournal(f"{state_file}.journal")
    persistence = Persistence(JsonFileStore(state_file), journal, dict, lambda station_id: None, 1.0)
    data = await persistence.load()
    await persistence.release()
    return dict(data.get("stations", {}))


async def _soak(args: argparse.Namespace, state_dir: Path, log: Path) -> dict[str, Any]:
    port = free_port()
    server = _start_server(args, port, state_dir, log)
    clock = SimClock(speed=args.speed)
    fleet = _fleet(f"ws://127.0.0.1:{port}/ocpp", args.stations, clock, args.seed)
    rng = random.Random(args.seed + 1)
    real_s = DAY_HOURS * 3600.0 / args.speed
    restart_at = sorted(rng.uniform(0.1, 0.9) * real_s for _ in range(args.restarts))
    rss: list[float] = []
    kills = stops = drops = 0
    await fleet.start(stagger_s=0.01)
    await fleet.wait_connected(120.0)
    started = time.monotonic()
    try:
        while (elapsed := time.monotonic() - started) < real_s:
            await asyncio.sleep(args.drop_every)
            for station in rng.sample(fleet.stations, max(1, len(fleet.stations) // 10)):
                await station.drop_connection()
                drops += 1
            if restart_at and elapsed >= restart_at[0]:
                restart_at.pop(0)
                rss.append(sample_process(server.pid).rss_mb)
                if (kills + stops) % 2 == 0:
                    server.send_signal(signal.SIGKILL)
                    kills += 1
                else:
                    server.send_signal(signal.SIGTERM)
                    stops += 1
                server.wait(30)
                server = _start_server(args, port, state_dir, log)
        # The day is over: every car leaves, every station sends what it still holds.
        for station in fleet.stations:
            if station.battery is not None:
                station.unplug()
        deadline = time.monotonic() + 120.0
        while any(s.pending_requests or not s.connected for s in fleet.stations):
            if time.monotonic() > deadline:
                raise RuntimeError("stations did not deliver their queued requests within 2 minutes")
            await asyncio.sleep(0.5)
        rss.append(sample_process(server.pid).rss_mb)
    finally:
        await fleet.stop()
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    exit_code = server.returncode
    stored = await _hub_counters(state_dir / "csms-state.json")
    lost: dict[str, float] = {}
    metered_total = counted_total = 0.0
    for station in fleet.stations:
        metered = station.energy_import_wh / 1000.0
        counted = float(
            stored.get(station.station_id, {}).get("evses", {}).get("1", {}).get("charged_kwh", 0.0)
        )
        metered_total += metered
        counted_total += counted
        if abs(metered - counted) > 0.001:
            lost[station.station_id] = round(metered - counted, 4)
    return {
        "stations": args.stations,
        "speed": args.speed,
        "real_minutes": round(real_s / 60.0, 1),
        "server_kills": kills,
        "server_stops": stops,
        "connection_drops": drops,
        "metered_kwh": round(metered_total, 3),
        "counted_kwh": round(counted_total, 3),
        "stations_off_by_more_than_1_wh": lost,
        "server_exit_code": exit_code,
        "server_rss_mb_before_each_restart_and_at_end": [round(value, 1) for value in rss],
    }


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--speed", type=float, default=240.0, help="simulated seconds per real second")
    parser.add_argument("--restarts", type=int, default=6)
    parser.add_argument(
        "--drop-every", type=float, default=10.0, help="real seconds between connection drops"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        state_dir = Path(folder)
        result = asyncio.run(_soak(args, state_dir, state_dir / "server.log"))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
