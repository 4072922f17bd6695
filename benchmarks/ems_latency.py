"""End-to-end grid-signal latency: a real Home Assistant, N simulated stations, ``ssch.set_grid_limit``.

For each round the import limit is lowered through Home Assistant's REST API while every station is
charging at full power. The latency of a round is the time from sending the action until the last station
that must slow down has received its new setpoint over OCPP. Between rounds the limit is cleared and the
stations return to full power.

    python -m benchmarks.ems_latency --stations 20 --rounds 20 [--engine auto|cvxpy|built-in] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
import json
from pathlib import Path
import secrets
import statistics
import tempfile
import time
from typing import Any

import aiohttp

from custom_components.ssch.sim.clock import SimClock
from custom_components.ssch.sim.config import CarVisit
from custom_components.ssch.sim.fleet import SimulatedFleet, fleet_configs
from custom_components.ssch.sim.station import SimulatedStation
from demo import flows as demo_flows, launcher as demo_launcher
from demo.ha_ws import HomeAssistantWebsocket
from demo.ports import free_port
from demo.settings import DemoSettings

ROOT = Path(__file__).resolve().parent.parent

FULL_KW = 11.0
KEEP = bool(__import__("os").environ.get("SSCH_KEEP_BENCH_DIR"))


async def _until(predicate: Any, timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.002)
    return False


async def _call(
    session: aiohttp.ClientSession, url: str, token: str, service: str, data: dict[str, Any]
) -> None:
    async with session.post(
        f"{url}/api/services/ssch/{service}", json=data, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        response.raise_for_status()


async def recorder_settled(session: aiohttp.ClientSession, url: str, token: str, timeout_s: float) -> None:
    """Wait until the recorder has written the states of the set-up.

    Adding N chargers one by one writes every entity's state many times; measured while the recorder is
    still writing that backlog, the rounds would measure the set-up rather than the grid signal.
    """
    deadline = time.perf_counter() + timeout_s
    empty_polls = 0
    async with HomeAssistantWebsocket(session, url, token) as ws:
        while time.perf_counter() < deadline:
            empty_polls = empty_polls + 1 if (await ws.call("recorder/info"))["backlog"] == 0 else 0
            if empty_polls == 3:
                return
            await asyncio.sleep(0.5)
    raise RuntimeError("the recorder did not catch up with the set-up")


async def measure_round(
    session: aiohttp.ClientSession, url: str, token: str, stations: list[SimulatedStation], limit_kw: float
) -> tuple[float, float]:
    """Lower the limit; return (seconds until every station got its setpoint, seconds the action took)."""
    before = {station.station_id: station.last_setpoint for station in stations}
    started = time.perf_counter()
    call = asyncio.create_task(_call(session, url, token, "set_grid_limit", {"import_limit_kw": limit_kw}))
    reached = await _until(
        lambda: all(station.last_setpoint is not before[station.station_id] for station in stations), 10.0
    )
    delivered = time.perf_counter() - started
    await call
    answered = time.perf_counter() - started
    if not reached:
        raise RuntimeError("not every station received a new setpoint within 10 s")
    return delivered, answered


async def run(stations_count: int, rounds: int, engine: str = "auto") -> dict[str, Any]:
    """Start Home Assistant and the stations, measure, stop everything."""
    with tempfile.TemporaryDirectory(delete=not KEEP) as folder:
        settings = DemoSettings(
            config_dir=Path(folder) / "config",
            port=free_port(),
            ocpp_port=free_port(),
            exit_after_setup=True,
            stations=stations_count,
            speed=1.0,
            engine=engine,
        )
        demo_launcher.write_config(settings)
        log = (settings.config_dir / "ha.log").open("wb")
        hass = await demo_launcher.start_hass(settings, log)
        password = secrets.token_urlsafe(18)
        fleet: SimulatedFleet | None = None
        try:
            async with aiohttp.ClientSession() as session:
                await demo_launcher.wait_until_up(session, settings, hass)
                token = await demo_launcher.onboard(session, settings, secrets.token_urlsafe(12))
                # A connection large enough for every car at full power, so each round starts unconstrained.
                entry_id = await demo_flows.set_up_hub(session, settings, token, stations_count * FULL_KW * 2)
                await demo_flows.add_chargers(session, settings, token, entry_id, password)
                clock = SimClock()
                url = f"ws://127.0.0.1:{settings.ocpp_port}/ocpp"
                fleet = SimulatedFleet(fleet_configs(url, stations_count, password=password), clock)
                await fleet.start()
                await fleet.wait_connected(60)
                now = clock.now()
                for station in fleet.stations:
                    # Nearly empty and leaving in four hours: every car charges at full power.
                    station.plug_in(
                        CarVisit(now, now + timedelta(hours=4), 3.0, 60.0, target_soc_percent=100.0)
                    )
                await recorder_settled(session, settings.url, token, 300.0)
                full = stations_count * FULL_KW
                low_limit = round(full * 0.3, 1)
                delivered: list[float] = []
                answered: list[float] = []
                for _ in range(rounds):
                    await _call(session, settings.url, token, "clear_grid_signal", {})
                    if not await _until(
                        lambda: all(s.power_kw > FULL_KW - 0.5 for s in fleet.stations), 60.0
                    ):
                        raise RuntimeError("stations did not return to full power")
                    took, answer = await measure_round(
                        session, settings.url, token, fleet.stations, low_limit
                    )
                    delivered.append(took)
                    answered.append(answer)
        finally:
            if fleet is not None:
                await fleet.stop()
            await demo_launcher.stop(hass)
            log.close()
    ordered = sorted(delivered)
    return {
        "engine": engine,
        "stations": stations_count,
        "rounds": rounds,
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        "max_ms": round(1000 * ordered[-1], 1),
        "action_p50_ms": round(1000 * statistics.median(answered), 1),
        "rounds_ms": [round(1000 * value, 1) for value in delivered],
    }


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--engine",
        choices=("auto", "cvxpy", "built-in"),
        default="auto",
        help="built-in: Home Assistant without cvxpy, as on Home Assistant OS (see ./scripts/demo --engine)",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = asyncio.run(run(args.stations, args.rounds, args.engine))
    print(
        f"engine {result['engine']}, {result['stations']} stations, {result['rounds']} rounds: "
        "grid signal -> every station's setpoint "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms "
        f"(action answered p50 {result['action_p50_ms']} ms)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
