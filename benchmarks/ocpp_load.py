"""OCPP server load benchmark.

N simulated stations on loopback, each with a car plugged in that reports meter values every
``--meter-interval`` seconds of compressed time, against a CSMS running in its own process.
Reports connect time, CALL/s, p50/p99 CALL round trip (measured by the stations), and the
server's CPU and RSS read from /proc.

    .venv/bin/python -m benchmarks.ocpp_load --stations 100
    .venv/bin/python -m benchmarks.ocpp_load --stations 1000 --clients 2 --server fixture
    .venv/bin/python -m benchmarks.ocpp_load --stations 1000 --versions 2.1,2.0.1,1.6
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass
import json
import logging
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import time
from typing import Any

from custom_components.ssch.sim import (
    OcppVersion,
    SimClock,
    SimulatedFleet,
    StationConfig,
    car_arriving,
    fleet_configs,
)
from custom_components.ssch.sim.stats import percentile
from demo.ports import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ----- client side (runs in one or two child processes) ---------------------------------------
def _client_configs(args: argparse.Namespace, clock: SimClock) -> list[StationConfig]:
    template = StationConfig(
        station_id="",
        url=args.url,
        meter_interval_s=args.meter_interval,
        validate_schemas=False,
        call_timeout_s=30.0,
        reconnect_initial_s=1.0,
        reconnect_max_s=10.0,
    )
    every = fleet_configs(
        args.url,
        args.total,
        password=PASSWORD,
        template=template,
        prefix=args.prefix,
        versions=parse_versions(args.versions),
    )
    return every[args.first : args.first + args.count]


def parse_versions(text: str) -> tuple[OcppVersion, ...]:
    """``2.1,2.0.1,1.6`` -> the versions the stations speak in turn."""
    return tuple(OcppVersion(item.strip()) for item in text.split(",") if item.strip())


async def _plug_in_spread(fleet: SimulatedFleet, spread_real_s: float) -> None:
    """Plug one car into every station, spread over one meter interval.

    Stations that all start their transaction at the same instant would report in lockstep
    forever; real sites do not, so the arrivals are spread evenly.
    """
    gap_s = spread_real_s / max(1, len(fleet.stations))
    for station in fleet.stations:
        now = fleet.clock.now()
        station.plug_in(car_arriving(now, stay_hours=1000, capacity_kwh=1000, soc_percent=10))
        await asyncio.sleep(gap_s)


async def _run_client(args: argparse.Namespace) -> dict[str, Any]:
    clock = SimClock(speed=args.speed, start=None)
    fleet = SimulatedFleet(_client_configs(args, clock), clock)
    started = time.perf_counter()
    await fleet.start()
    with contextlib.suppress(TimeoutError):
        await fleet.wait_connected(args.connect_timeout)
    connect_s = time.perf_counter() - started
    connected = fleet.connected_count
    print(json.dumps({"event": "connected", "connected": connected}), flush=True)
    # every client process starts its measured phase on the same "go" from the parent
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await _plug_in_spread(fleet, clock.to_real_seconds(args.meter_interval))
    # let the plug-in burst (Authorize, TransactionEvent Started, NotifyEVChargingNeeds) pass
    await asyncio.sleep(args.warmup)
    for station in fleet.stations:
        station.stats.round_trips_ms.clear()
    calls_before = _calls(fleet)
    window_started = time.perf_counter()
    await asyncio.sleep(args.duration)
    window_s = time.perf_counter() - window_started
    result = {
        "event": "result",
        "stations": len(fleet.stations),
        "connected": connected,
        "connected_at_end": fleet.connected_count,
        "connect_s": connect_s,
        "window_s": window_s,
        "calls": _calls(fleet) - calls_before,
        "server_calls": sum(sum(s.stats.calls_received.values()) for s in fleet.stations),
        "errors": sum(s.stats.call_errors for s in fleet.stations),
        "timeouts": sum(s.stats.call_timeouts for s in fleet.stations),
        "reconnects": sum(max(0, s.stats.connects - 1) for s in fleet.stations),
        "round_trips_ms": fleet.round_trips_ms(),
        "slow_calls": sorted(call for s in fleet.stations for call in s.stats.slow_calls),
    }
    await fleet.stop()
    return result


def _calls(fleet: SimulatedFleet) -> int:
    return sum(sum(s.stats.calls_sent.values()) for s in fleet.stations)


# ----- server process and /proc sampling ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProcSample:
    cpu_s: float
    rss_mb: float
    peak_rss_mb: float


def sample_process(pid: int) -> ProcSample:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return ProcSample(
        cpu_s=cpu_s,
        rss_mb=int(status["VmRSS"].split()[0]) / 1024,
        peak_rss_mb=int(status["VmHWM"].split()[0]) / 1024,
    )


def server_command(args: argparse.Namespace, port: int, state_dir: Path) -> list[str]:
    if args.server == "fixture":
        return [sys.executable, "-m", "tests.sim.csms_fixture", "--port", str(port)]
    ids = [c.station_id for c in fleet_configs("ws://unused", args.stations, prefix=args.prefix)]
    command = [
        sys.executable,
        "-m",
        "custom_components.ssch.csms",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--quiet",
        "--bidirectional",
        "--state-file",
        str(state_dir / "csms-state.json"),
        # 1.6 stations are told their meter interval at boot: the same as the 2.x stations use
        "--meter-interval",
        str(max(1, round(args.meter_interval))),
    ]
    for station_id in ids:
        command += ["--station", f"{station_id}:{PASSWORD}"]
    return command


def wait_listening(log: Path, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if "listening on" in log.read_text(errors="replace"):
            return
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    raise TimeoutError("server did not start listening")


def _client_command(args: argparse.Namespace, url: str, first: int, count: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.ocpp_load",
        "--as-client",
        "--url",
        url,
        "--total",
        str(args.stations),
        "--first",
        str(first),
        "--count",
        str(count),
        "--speed",
        str(args.speed),
        "--meter-interval",
        str(args.meter_interval),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--connect-timeout",
        str(args.connect_timeout),
        "--prefix",
        args.prefix,
        "--versions",
        args.versions,
    ]


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ocpp"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        state_dir = Path(tmp)
        server_log = state_dir / "server.log"
        with server_log.open("wb") as log_file:
            started = time.perf_counter()
            server = subprocess.Popen(
                server_command(args, port, state_dir),
                cwd=REPO_ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_listening(server_log, server, args.server_start_timeout)
                server_start_s = time.perf_counter() - started
                idle = sample_process(server.pid)
                results = _drive_clients(args, url, env, server.pid)
            finally:
                server.terminate()
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
    results["server_start_s"] = server_start_s
    results["server_idle_rss_mb"] = idle.rss_mb
    return results


def _drive_clients(
    args: argparse.Namespace, url: str, env: dict[str, str], server_pid: int
) -> dict[str, Any]:
    share = -(-args.stations // args.clients)
    clients = [
        subprocess.Popen(
            _client_command(args, url, first, min(share, args.stations - first)),
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for first in range(0, args.stations, share)
    ]
    for client in clients:
        assert client.stdout is not None
        json.loads(client.stdout.readline())  # the "connected" line
    for client in clients:
        assert client.stdin is not None
        client.stdin.write("go\n")
        client.stdin.flush()
    time.sleep(args.warmup + args.meter_interval / args.speed)
    before = sample_process(server_pid)
    clients_before = [sample_process(client.pid) for client in clients]
    window_started = time.perf_counter()
    window_started_wall = time.time()
    time.sleep(args.duration * 0.95)
    after = sample_process(server_pid)
    clients_after = [sample_process(client.pid) for client in clients]
    window_s = time.perf_counter() - window_started
    outputs = []
    for client in clients:
        assert client.stdout is not None
        outputs.append(json.loads(client.stdout.readline()))
        client.wait(30)
    client_cpu_s = sum(a.cpu_s - b.cpu_s for a, b in zip(clients_after, clients_before, strict=True))
    round_trips = sorted(rtt for out in outputs for rtt in out["round_trips_ms"])
    slow_calls = sorted(
        tuple(call) for out in outputs for call in out["slow_calls"] if call[0] >= window_started_wall
    )
    for when, action, rtt in (*slow_calls[:3], *slow_calls[-3:]):
        print(f"slow call at {when - window_started_wall:5.1f} s: {action} {rtt:.0f} ms", file=sys.stderr)
    calls = sum(out["calls"] for out in outputs)
    return {
        "stations": args.stations,
        "connected": sum(out["connected"] for out in outputs),
        "connected_at_end": sum(out["connected_at_end"] for out in outputs),
        "connect_s": max(out["connect_s"] for out in outputs),
        "window_s": max(out["window_s"] for out in outputs),
        "calls": calls,
        "calls_per_s": calls / max(out["window_s"] for out in outputs),
        "server_initiated_calls": sum(out["server_calls"] for out in outputs),
        "errors": sum(out["errors"] for out in outputs),
        "timeouts": sum(out["timeouts"] for out in outputs),
        "reconnects": sum(out["reconnects"] for out in outputs),
        "rtt_p50_ms": percentile(round_trips, 0.50),
        "rtt_p99_ms": percentile(round_trips, 0.99),
        "rtt_max_ms": round_trips[-1] if round_trips else float("nan"),
        "calls_over_1s": len(slow_calls),
        "server_cpu_percent": 100 * (after.cpu_s - before.cpu_s) / window_s,
        "client_cpu_percent": 100 * client_cpu_s / window_s,
        "load_average_1min": os.getloadavg()[0],
        "server_rss_mb": after.rss_mb,
        "server_peak_rss_mb": after.peak_rss_mb,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--clients", type=int, default=0, help="client processes (0: auto)")
    parser.add_argument("--server", choices=("ssch", "fixture"), default="ssch")
    parser.add_argument("--speed", type=float, default=1.0, help="compressed-time factor")
    parser.add_argument("--meter-interval", type=float, default=10.0, help="simulated seconds")
    parser.add_argument("--duration", type=float, default=60.0, help="measured window, s")
    parser.add_argument("--warmup", type=float, default=10.0, help="after connect, s")
    parser.add_argument("--connect-timeout", type=float, default=180.0)
    parser.add_argument("--server-start-timeout", type=float, default=180.0)
    parser.add_argument("--prefix", default="SIM")
    parser.add_argument(
        "--versions", default="2.1", help="OCPP versions the stations speak in turn, e.g. 2.1,2.0.1,1.6"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    # internal: one client process
    parser.add_argument("--as-client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--total", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.as_client:
        logging.basicConfig(level=logging.ERROR)
        print(json.dumps(asyncio.run(_run_client(args))), flush=True)
        return
    if not args.clients:
        args.clients = 1 if args.stations <= 200 else 2
    results = run_benchmark(args)
    results.update(
        server=args.server,
        clients=args.clients,
        speed=args.speed,
        meter_interval_s=args.meter_interval,
        versions=args.versions,
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    for key, value in results.items():
        print(f"{key:24} {value:.1f}" if isinstance(value, float) else f"{key:24} {value}")


if __name__ == "__main__":
    main()
