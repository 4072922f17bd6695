"""Markdown summary of result files written by ``benchmarks.run --json``.

python -m benchmarks.summarize benchmarks/out/S1-exact.json benchmarks/out/S2-exact.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.report import SAME_END

HEADER = (
    "| scenario | noise | controller | peak kW | total cost EUR | cost gap | cost gap, same battery end "
    "| peak gap | variance red. | targets met | kWh above limit | solve median / p95 ms | failed ticks |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _label(
    name: str, sessions: str, scale: float | None, engine: str = "auto", solver: str | None = None
) -> str:
    """The MPC as the hub runs it (learned arrivals, automatic engine) is plain "mpc"; other runs say
    what they knew and which engine planned."""
    if name != "mpc":
        return name
    known = {"learned": [], "none": ["plugged-in cars only"]}.get(sessions, [f"{sessions} sessions"])
    if scale is not None:
        known.append(f"scale {scale}")
    if engine != "auto" or solver:
        known.append(" / ".join(part for part in (engine, solver) if part))
    return f"mpc ({', '.join(known)})" if known else "mpc"


def _same_end_gap(data: dict[str, Any]) -> float | None:
    """The cost gap to the LP that left the battery where this run did; None when the result file
    predates that comparison or has no LP."""
    gaps = data.get("gaps", {})
    if SAME_END in gaps:
        return float(gaps[SAME_END]["total_cost"])
    if "battery_end_kwh" in data and "perfect" in gaps:
        return float(gaps["perfect"]["total_cost"])
    return None


def summary_rows(result: dict[str, Any]) -> list[str]:
    """One table row per controller of one result file."""
    rows: list[str] = []
    for name, data in result["controllers"].items():
        kpis = data["kpis"]
        gaps = data.get("gaps", {}).get("perfect")
        versus = data.get("versus_uncontrolled")
        solve = (
            f"{kpis['solve_time_median_s'] * 1000:.0f} / {kpis['solve_time_p95_s'] * 1000:.0f}"
            if name in ("mpc", "fallback")
            else "-"
        )
        sessions = result.get("sessions", "none")
        scale = result.get("session_scale")
        label = _label(name, sessions, scale, result.get("engine", "auto"), result.get("solver"))
        # ``--forecasts hub``: the hub's own forecasts (benchmarks/hub_forecasts.py), no added noise.
        mode = result.get("forecasts", "exact")
        noise = mode if mode != "exact" else result["forecast_noise"]
        rows.append(
            f"| {result['scenario']} | {noise} | {label} "
            f"| {kpis['peak_import_kw']:.1f} | {kpis['total_cost_eur']:.2f} "
            f"| {_percent(None if gaps is None else gaps['total_cost'])} "
            f"| {_percent(_same_end_gap(data))} "
            f"| {_percent(None if gaps is None else gaps['peak_import'])} "
            f"| {_percent(None if versus is None else versus['variance_reduction'])} "
            f"| {kpis['feasible_sessions_met_share']:.1%} "
            f"| {kpis['energy_above_limit_kwh']:.2f} | {solve} | {kpis['failed_ticks']} |"
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print one markdown table for all given result files."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(HEADER)
    for path in args.results:
        for row in summary_rows(json.loads(path.read_text(encoding="utf-8"))):
            print(row)


if __name__ == "__main__":
    main()
