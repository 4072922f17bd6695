"""Per-tick optimizer speed and peak memory at hub scale, per engine and solver.

Rolling-horizon ticks on a randomised but realistic site (the reference site scaled to the number
of chargers): every tick moves "now" by one step, applies the first step of the last plan to the
cars, lets new cars arrive and departed ones leave, and re-solves. Each (engine, size) runs in its
own process so that its peak RSS is its own.

    python -m benchmarks.optimizer_speed [--ticks N] [--sizes 12x96,50x96,100x192]
        [--engines cvxpy/CLARABEL,cvxpy/OSQP,built-in/PIQP]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

from custom_components.ssch.core.fallback import rule_based_plan
from custom_components.ssch.core.model import (
    Evse,
    EvSession,
    FloatArray,
    Forecasts,
    Plan,
    Prices,
    SiteLimits,
    SiteSnapshot,
    StationaryBattery,
    StepGrid,
)
from custom_components.ssch.core.optimizer import Optimizer, OptimizerError

STEP_MINUTES = 15
START = datetime(2025, 6, 2, 0, 0, tzinfo=UTC)
ENGINES = ("cvxpy/CLARABEL", "built-in/PIQP")


def _daily(hours: FloatArray, peak_hour: float, width: float) -> FloatArray:
    out: FloatArray = np.exp(-(((hours - peak_hour + 12) % 24 - 12) ** 2) / (2 * width**2))
    return out


class Site:
    """A reference-like site with ``chargers`` 11 kW bidirectional chargers."""

    def __init__(self, chargers: int, steps: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.chargers = chargers
        self.steps = steps
        scale = chargers / 12
        total = steps + 400
        hours = np.arange(total) * STEP_MINUTES / 60
        day_ahead = (
            0.08
            + 0.06 * _daily(hours, 19, 2.5)
            - 0.05 * _daily(hours, 13, 2.0)
            + self.rng.normal(0, 0.01, total)
        )
        self.import_price = day_ahead + 0.10
        self.export_price = day_ahead
        self.pv_kw = 60 * scale * np.clip(np.sin((hours % 24 - 6) / 14 * np.pi), 0, None) ** 1.5
        self.pv_kw *= self.rng.uniform(0.6, 1.0, total)
        self.building_kw = scale * (8 + 22 * _daily(hours, 12, 3.5)) + self.rng.normal(0, 1, total)
        self.grid_kw = max(150.0, 12.5 * chargers)
        self.evses = tuple(Evse(f"cp{i}", 11.0, 11.0) for i in range(chargers))
        self.battery = StationaryBattery(100 * scale, 50 * scale, 50 * scale, 0.1, 0.9, 0.95, 50)
        self.sessions: dict[str, EvSession] = {}
        self.next_id = 0
        self.now = START
        for evse in self.evses:
            if self.rng.random() < 0.6:
                self._arrive(evse.evse_id, plugged=True)

    def _arrive(self, evse_id: str, plugged: bool) -> None:
        rng = self.rng
        capacity = float(rng.choice([40.0, 58.0, 77.0]))
        energy = float(rng.uniform(0.15, 0.6)) * capacity
        arrival = self.now if plugged else self.now + timedelta(hours=float(rng.uniform(0.5, 6)))
        session = EvSession(
            session_id=f"ev{self.next_id}",
            evse_id=evse_id,
            max_charge_kw=11.0,
            max_discharge_kw=11.0,
            arrival=arrival,
            departure=arrival + timedelta(hours=float(rng.uniform(2, 11))),
            energy_kwh=energy,
            capacity_kwh=capacity,
            target_energy_kwh=min(capacity, energy + float(rng.uniform(5, 35))),
            min_energy_kwh=0.2 * capacity,
            v2g_allowed=bool(rng.random() < 0.5),
            plugged_in=plugged,
        )
        self.next_id += 1
        self.sessions[session.session_id] = session

    def snapshot(self) -> SiteSnapshot:
        offset = round((self.now - START) / timedelta(minutes=STEP_MINUTES))
        window = slice(offset, offset + self.steps)
        return SiteSnapshot(
            grid=StepGrid(self.now, STEP_MINUTES, self.steps),
            limits=SiteLimits(np.full(self.steps, self.grid_kw), np.full(self.steps, self.grid_kw)),
            prices=Prices(self.import_price[window], self.export_price[window], 2.0, 20.0),
            forecasts=Forecasts(self.pv_kw[window], np.clip(self.building_kw[window], 0, None)),
            battery=self.battery,
            evses=self.evses,
            sessions=tuple(self.sessions.values()),
            pv_curtailable=True,
        )

    def advance(self, plan: Plan) -> None:
        """Apply the plan's first step, move one step on, let cars come and go."""
        hours = STEP_MINUTES / 60
        battery_kw = float(plan.battery_power_kw[0])
        stored = battery_kw * 0.95 if battery_kw > 0 else battery_kw / 0.95
        self.battery = replace(self.battery, energy_kwh=self.battery.energy_kwh + stored * hours)
        self.now += timedelta(minutes=STEP_MINUTES)
        busy = set()
        for key, session in list(self.sessions.items()):
            power = float(plan.evse_power_kw[session.evse_id][0]) if session.plugged_in else 0.0
            delta = power * 0.95 if power > 0 else power / 0.95
            energy = min(session.capacity_kwh, max(0.0, session.energy_kwh + delta * hours))
            if session.departure <= self.now:
                del self.sessions[key]
                continue
            plugged = session.plugged_in or session.arrival <= self.now
            self.sessions[key] = replace(session, energy_kwh=energy, plugged_in=plugged)
            busy.add(session.evse_id)
        for evse in self.evses:
            if evse.evse_id not in busy and self.rng.random() < 0.05:
                self._arrive(evse.evse_id, plugged=True)


def run_one(engine: str, chargers: int, steps: int, ticks: int, seed: int) -> dict[str, object]:
    """``engine`` is "ENGINE/SOLVER" ("cvxpy/OSQP") or an engine with its default solver."""
    name, _, solver = engine.partition("/")
    site = Site(chargers, steps, seed)
    optimizer = Optimizer(solver=solver or None, engine=name)
    times = []
    statuses: dict[str, int] = {}
    at_risk = 0
    first = 0.0
    for tick in range(ticks + 1):
        snapshot = site.snapshot()
        started = time.perf_counter()
        try:
            plan = optimizer.solve(snapshot)
        except OptimizerError as err:
            plan = rule_based_plan(snapshot, str(err))
        elapsed = time.perf_counter() - started
        if tick == 0:
            first = elapsed  # build + compile + cold solve
        else:
            times.append(elapsed)
        statuses[plan.diagnostics.status] = statuses.get(plan.diagnostics.status, 0) + 1
        at_risk += sum(outcome.at_risk for outcome in plan.session_outcomes.values())
        site.advance(plan)
    times.sort()
    return {
        "engine": optimizer.label,
        "size": f"{chargers}x{steps}",
        "first_s": first,
        "median_s": statistics.median(times),
        "p95_s": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "max_s": times[-1],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "builds": optimizer.builds,
        "statuses": statuses,
        "ticks": ticks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--sizes", default="12x96,50x96,100x192")
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated ENGINE/SOLVER, e.g. cvxpy/OSQP"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, size = args.one.split(":")
        chargers, steps = (int(part) for part in size.split("x"))
        print(json.dumps(run_one(engine, chargers, steps, args.ticks, args.seed)))
        return
    header = f"{'engine':18} {'size':8} {'first s':>8} {'median s':>9} {'p95 s':>7} {'max s':>7}"
    print(header + f" {'peak RSS MB':>11} {'builds':>6}  statuses")
    for size in args.sizes.split(","):
        for engine in args.engines.split(","):
            command = [
                sys.executable, "-m", "benchmarks.optimizer_speed", "--one", f"{engine}:{size}",
                "--ticks", str(args.ticks), "--seed", str(args.seed),
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{engine:18} {size:8} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{row['engine']:18} {row['size']:8} {row['first_s']:8.3f} {row['median_s']:9.3f}"
                f" {row['p95_s']:7.3f} {row['max_s']:7.3f} {row['peak_rss_mb']:11.0f}"
                f" {row['builds']:6}  {row['statuses']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
