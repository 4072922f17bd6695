"""Closed-loop benchmark runner.

    python -m benchmarks.run S1|S2|S4|SCENARIO.json [--controller mpc|fallback|uncontrolled|perfect]
        [--forecast-noise 0.2] [--sessions learned|none|oracle] [--steps N] [--json OUT]
        [--min-current-a 6 [--phases 3] [--voltage 230] [--dispatch-only]]

The uncontrolled counterfactual always runs too (it is the reference for peak, variance and
savings); when the perfect-foresight LP runs, every controller also reports its gap to it. A
controller that ends a full replay with the battery fuller or emptier than the LP is also compared
with the LP solved to end where it ended: stored energy is worth something, so only that LP is the
lower bound of the same outcome.

With ``--min-current-a`` every replay (the LPs too, which do not know the rule) sets each car's power
to 0 or at least the minimum current's power, as the hub's dispatch layer does; the MPC and the
fallback also take each car's setpoint from its planned series consolidated into blocks of at least
that power, as the hub does (``core/minimum_power.py``), unless ``--dispatch-only``.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
import json
from pathlib import Path
import sys
import time
from typing import Any

from benchmarks.build import BUILDERS, ensure_scenario
from benchmarks.closed_loop import replay
from benchmarks.controllers import Controller, PerfectController, UncontrolledController
from benchmarks.core_controllers import fallback_controller, learned_sessions, mpc_controller
from benchmarks.dispatch import MinimumPower
from benchmarks.hub_forecasts import FORECAST_MODES, PastSeries, forecast_provider, past_series
from benchmarks.report import SAME_END, gap, kpi_table, report_dict
from benchmarks.scenario import Scenario, load_scenario
from benchmarks.session_history import history_sessions
from benchmarks.session_oracle import oracle_sessions
from benchmarks.site_state import SiteState, initial_state
from custom_components.ssch.core.kpi import KpiReport, compare, compute_kpis
from custom_components.ssch.core.planner import ENGINE_CHOICES

SESSION_SOURCES = ("none", "learned", "oracle")
END_TOLERANCE_KWH = 0.1


@dataclass(frozen=True)
class ControllerRun:
    """One replay: its KPIs, wall time and where it left the stationary battery."""

    report: KpiReport
    wall_time_s: float
    battery_end_kwh: float | None


def make_controller(
    name: str,
    scenario: Scenario,
    state: SiteState,
    solver: str | None = None,
    sessions: str = "learned",
    *,
    session_scale: float | None = None,
    end_battery_kwh: float | None = None,
    engine: str = "auto",
    minimum_kw: float | None = None,
) -> Controller:
    """A fresh controller by name; ``solver`` picks the MPC's primary solver, ``sessions`` what the
    MPC knows about cars not plugged in yet (``SESSION_SOURCES``), ``end_battery_kwh`` where the
    perfect LP must leave the battery, ``minimum_kw`` the minimum charging power the MPC's and the
    fallback's setpoints keep (``PlanController``)."""
    if name == "uncontrolled":
        return UncontrolledController()
    if name == "perfect":
        return PerfectController(scenario, state, end_battery_kwh)
    if name == "mpc":
        if sessions == "oracle":
            return mpc_controller(solver, oracle_sessions(scenario, state), engine, minimum_kw)
        if sessions == "learned":
            zone = scenario.extra.get("time_zone", "UTC")
            zone_name = zone if isinstance(zone, str) else "UTC"
            source = learned_sessions(zone_name, history_sessions(scenario), session_scale)
            return mpc_controller(solver, source, engine, minimum_kw)
        return mpc_controller(solver, engine=engine, minimum_kw=minimum_kw)
    return fallback_controller(minimum_kw)


ORDER = ("uncontrolled", "perfect", "mpc", "fallback")


ROUND_UP_CEILINGS = ("peak", "limit")


def minimum_power(
    current_a: float | None, phases: int = 3, voltage_v: float = 230.0, round_up_below: str = "peak"
) -> MinimumPower | None:
    """The cars' minimum power for a minimum current per phase; None without one (or at 0 A)."""
    if not current_a:
        return None
    return MinimumPower(current_a * phases * voltage_v / 1000.0, round_up_below == "peak")


def resolve_scenario(name_or_path: str) -> Scenario:
    """A scenario by builder name (built on demand) or by file path."""
    if name_or_path in BUILDERS:
        return ensure_scenario(name_or_path)
    return load_scenario(Path(name_or_path))


def run_controller(
    scenario: Scenario,
    name: str,
    *,
    noise: float,
    seed: int,
    horizon_steps: int,
    steps: int | None,
    progress_every: int = 0,
    solver: str | None = None,
    sessions: str = "learned",
    session_scale: float | None = None,
    end_battery_kwh: float | None = None,
    engine: str = "auto",
    minimum: MinimumPower | None = None,
    consolidate: bool = True,
    forecast_mode: str = "exact",
    past: PastSeries | None = None,
) -> ControllerRun:
    """Replay one controller; ``minimum`` is the cars' minimum power (None: none), which the MPC and
    the fallback also keep in their setpoints with ``consolidate``."""
    started = time.perf_counter()

    def progress(step: int) -> None:
        if progress_every and (step + 1) % progress_every == 0:
            elapsed = time.perf_counter() - started
            print(f"{name}: {step + 1} steps in {elapsed:.0f} s", file=sys.stderr, flush=True)

    state = initial_state(scenario)
    controller = make_controller(
        name,
        scenario,
        state,
        solver,
        sessions,
        session_scale=session_scale,
        end_battery_kwh=end_battery_kwh,
        engine=engine,
        minimum_kw=minimum.power_kw if minimum is not None and consolidate else None,
    )
    # The perfect LP knows the future whatever the others are told, uncontrolled reads no forecast
    # (``hub``: benchmarks/hub_forecasts.py).
    mode = forecast_mode if name not in ("perfect", "uncontrolled") else "exact"
    forecasts = forecast_provider(scenario, mode, noise if name != "perfect" else 0.0, seed, past)
    flows = replay(
        scenario,
        state,
        controller,
        forecasts,
        horizon_steps=horizon_steps,
        steps=steps,
        progress=progress,
        minimum=minimum,
    )
    battery_end = None if state.battery is None else state.battery.energy_kwh
    return ControllerRun(compute_kpis(flows), time.perf_counter() - started, battery_end)


def ends_elsewhere(runs: dict[str, ControllerRun], full_replay: bool) -> dict[str, float]:
    """The controllers that left the battery elsewhere than the perfect LP, and where."""
    perfect = runs.get("perfect")
    if not full_replay or perfect is None or perfect.battery_end_kwh is None:
        return {}
    return {
        name: run.battery_end_kwh
        for name, run in runs.items()
        if name not in ("uncontrolled", "perfect")
        and run.battery_end_kwh is not None
        and abs(run.battery_end_kwh - perfect.battery_end_kwh) > END_TOLERANCE_KWH
    }


def reference_reports(
    name: str, reports: dict[str, KpiReport], same_end: dict[str, KpiReport] | None = None
) -> dict[str, KpiReport]:
    """What a controller is measured against: the perfect LP (also solved to end with the battery
    where the controller left it), and the MPC for the fallback."""
    wanted = ["perfect"] if name != "fallback" else ["perfect", "mpc"]
    references = {other: reports[other] for other in wanted if other in reports and other != name}
    if same_end is not None and name in same_end:
        references[SAME_END] = same_end[name]
    return references


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one KPI table per controller."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("scenario", help="S1, S2, S4 or a scenario JSON file")
    parser.add_argument("--controller", action="append", choices=ORDER, help="repeatable; default: all")
    parser.add_argument(
        "--forecast-noise",
        type=float,
        default=0.0,
        help="relative forecast error of PV and load (0 = perfect forecasts)",
    )
    parser.add_argument(
        "--forecasts",
        choices=FORECAST_MODES,
        default="exact",
        help="PV and building forecasts: exact (with --forecast-noise: noisy), what the hub computes "
        "from its past and a day-ahead PV forecast series (hub), or that with the present step at the "
        "last measured value (hub-now); see benchmarks/hub_forecasts.py",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--horizon", type=int, default=96, help="planning horizon in steps")
    parser.add_argument("--steps", type=int, default=None, help="replay only the first N steps")
    parser.add_argument("--progress", type=int, default=0, help="report progress every N steps on stderr")
    parser.add_argument(
        "--engine",
        choices=ENGINE_CHOICES,
        default="auto",
        help="the MPC's engine: auto (cvxpy where it imports, as the hub does), cvxpy or built-in",
    )
    parser.add_argument(
        "--solver", default=None, help="the engine's solver (cvxpy: CLARABEL, OSQP, PIQP; built-in: PIQP)"
    )
    parser.add_argument(
        "--sessions",
        choices=SESSION_SOURCES,
        default="learned",
        help="future cars the MPC plans for: learned from the recorded history and the sessions "
        "seen so far (default, as the hub does), none, or the true upcoming sessions (oracle)",
    )
    parser.add_argument(
        "--session-scale",
        type=float,
        default=None,
        help="with --sessions learned: multiple of the learned mean the forecast expects (default 2)",
    )
    parser.add_argument(
        "--min-current-a",
        type=float,
        default=None,
        help="the cars' minimum AC current per phase (e.g. 6): every car's power is 0 or at least "
        "current x phases x voltage, in both directions (default: no minimum)",
    )
    parser.add_argument("--phases", type=int, choices=(1, 2, 3), default=3, help="with --min-current-a")
    parser.add_argument("--voltage", type=float, default=230.0, help="with --min-current-a: phase voltage")
    parser.add_argument(
        "--round-up-below",
        choices=ROUND_UP_CEILINGS,
        default="peak",
        help="with --min-current-a: how far rounding a car up to the minimum may raise the net import: "
        "to the month's billed peak or the plan's own import (default), or to the import limit",
    )
    parser.add_argument(
        "--dispatch-only",
        action="store_true",
        help="with --min-current-a: the MPC and the fallback send their plans' setpoints unconsolidated "
        "and only the dispatch applies the minimum",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all KPIs to this file")
    args = parser.parse_args(argv)
    if args.min_current_a is not None and args.min_current_a < 0:
        parser.error("--min-current-a must be >= 0")
    minimum = minimum_power(args.min_current_a, args.phases, args.voltage, args.round_up_below)

    if args.forecasts != "exact" and args.forecast_noise:
        parser.error(f"--forecasts {args.forecasts} makes its own errors; leave out --forecast-noise")
    scenario = resolve_scenario(args.scenario)
    chosen = args.controller or list(ORDER)
    names = [name for name in ORDER if name in chosen or name == "uncontrolled"]
    options: dict[str, Any] = {
        "noise": args.forecast_noise,
        "seed": args.seed,
        "horizon_steps": args.horizon,
        "steps": args.steps,
        "progress_every": args.progress,
        "minimum": minimum,
        "consolidate": not args.dispatch_only,
        "forecast_mode": args.forecasts,
        # The PV and office load before the start exist only for the scenarios built here.
        "past": past_series(scenario) if args.forecasts != "exact" and args.scenario in BUILDERS else None,
    }
    runs: dict[str, ControllerRun] = {}
    for name in names:
        runs[name] = run_controller(
            scenario,
            name,
            solver=args.solver,
            sessions=args.sessions,
            session_scale=args.session_scale,
            engine=args.engine,
            **options,
        )
    reports = {name: run.report for name, run in runs.items()}
    steps = scenario.steps if args.steps is None else min(args.steps, scenario.steps)
    same_end = {
        name: run_controller(scenario, "perfect", end_battery_kwh=end, **options).report
        for name, end in ends_elsewhere(runs, steps == scenario.steps).items()
    }
    baseline = reports["uncontrolled"]
    print(
        f"scenario {scenario.name}: {steps} steps of {scenario.step_minutes} min, "
        f"{len(scenario.sessions)} sessions, forecast noise {args.forecast_noise}, "
        f"forecasts {args.forecasts}, "
        f"future sessions: {args.sessions}"
        + (
            ""
            if minimum is None
            else f", minimum power {minimum.power_kw:.2f} kW ({args.min_current_a:g} A x {args.phases}), "
            f"rounding up below the {'billed peak' if minimum.below_billed_peak else 'import limit'}"
            + (", dispatch only" if args.dispatch_only else "")
        )
    )
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "steps": steps,
        "forecast_noise": args.forecast_noise,
        "forecasts": args.forecasts,
        "sessions": args.sessions,
        "session_scale": args.session_scale,
        "engine": args.engine,
        "solver": args.solver,
        "controllers": {},
    }
    if minimum is not None:
        result["minimum"] = {
            "current_a": args.min_current_a,
            "phases": args.phases,
            "voltage_v": args.voltage,
            "power_kw": minimum.power_kw,
            "round_up_below": args.round_up_below,
            "consolidated": not args.dispatch_only,
        }
    for name in names:
        report = reports[name]
        versus = compare(report, baseline) if name != "uncontrolled" else None
        references = reference_reports(name, reports, same_end)
        run = runs[name]
        print()
        print(kpi_table(name, report, versus, references))
        if run.battery_end_kwh is not None:
            print(f"{'battery energy at the end':<36} {run.battery_end_kwh:.1f} kWh")
        print(f"{'wall time of the run':<36} {run.wall_time_s:.1f} s")
        result["controllers"][name] = {
            "kpis": report_dict(report),
            "versus_uncontrolled": None if versus is None else asdict(versus),
            "gaps": {
                other: {
                    "total_cost": gap(report.total_cost_eur, reference.total_cost_eur),
                    "peak_import": gap(report.peak_import_kw, reference.peak_import_kw),
                }
                for other, reference in references.items()
            },
            "battery_end_kwh": run.battery_end_kwh,
            "wall_time_s": run.wall_time_s,
        }
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
