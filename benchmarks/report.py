"""KPI tables for the terminal and the JSON result file."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from custom_components.ssch.core.kpi import Comparison, KpiReport

# The perfect LP solved to leave the battery where the compared run left it.
SAME_END = "perfect, same battery end"

ROWS: tuple[tuple[str, str, str], ...] = (
    ("peak_import_kw", "grid peak", "{:.1f} kW"),
    ("energy_above_limit_kwh", "energy above import limit", "{:.2f} kWh"),
    ("steps_above_limit", "steps above import limit", "{:d}"),
    ("net_load_variance_kw2", "net load variance", "{:.0f} kW2"),
    ("import_kwh", "grid import", "{:.0f} kWh"),
    ("export_kwh", "grid export", "{:.0f} kWh"),
    ("energy_cost_eur", "energy cost (import - export)", "{:.2f} EUR"),
    ("peak_charge_eur", "peak charge", "{:.2f} EUR"),
    ("total_cost_eur", "total cost", "{:.2f} EUR"),
    ("pv_self_consumption", "PV self-consumption", "{:.1%}"),
    ("self_sufficiency", "self-sufficiency", "{:.1%}"),
    ("sessions", "sessions", "{:d}"),
    ("feasible_sessions_met_share", "feasible sessions meeting target", "{:.1%}"),
    ("unmet_kwh", "unmet energy", "{:.2f} kWh"),
    ("ev_charge_kwh", "EV charged", "{:.0f} kWh"),
    ("ev_discharge_kwh", "EV discharged (V2G)", "{:.0f} kWh"),
    ("ev_capacity_loss_kwh", "EV capacity loss (est.)", "{:.3f} kWh"),
    ("battery_throughput_kwh", "battery throughput", "{:.0f} kWh"),
    ("battery_equivalent_cycles", "battery full cycles", "{:.1f}"),
    ("battery_capacity_loss_kwh", "battery capacity loss (est.)", "{:.3f} kWh"),
    ("solve_time_median_s", "solve time median", "{:.3f} s"),
    ("solve_time_p95_s", "solve time p95", "{:.3f} s"),
    ("failed_ticks", "failed ticks", "{:d}"),
    ("flex_up_mean_kw", "flexibility up (mean)", "{:.1f} kW"),
    ("flex_down_mean_kw", "flexibility down (mean)", "{:.1f} kW"),
)


def kpi_table(
    name: str,
    report: KpiReport,
    versus_uncontrolled: Comparison | None = None,
    references: dict[str, KpiReport] | None = None,
) -> str:
    """A two-column table of one controller's indicators."""
    lines = [f"== {name} ==", f"{'KPI':<36} value"]
    for attribute, label, template in ROWS:
        lines.append(f"{label:<36} {template.format(getattr(report, attribute))}")
    if versus_uncontrolled is not None:
        lines.append(f"{'peak reduction vs uncontrolled':<36} {versus_uncontrolled.peak_reduction:.1%}")
        variance = versus_uncontrolled.variance_reduction
        lines.append(f"{'variance reduction vs uncontrolled':<36} {variance:.1%}")
        lines.append(f"{'savings vs uncontrolled':<36} {versus_uncontrolled.savings_eur:.2f} EUR")
    for reference_name, reference in (references or {}).items():
        cost_gap = gap(report.total_cost_eur, reference.total_cost_eur)
        peak_gap = gap(report.peak_import_kw, reference.peak_import_kw)
        lines.append(f"{'cost gap to ' + reference_name:<36} {cost_gap:+.2%}")
        lines.append(f"{'peak gap to ' + reference_name:<36} {peak_gap:+.2%}")
    return "\n".join(lines)


def gap(value: float, reference: float) -> float:
    """Relative excess of ``value`` over ``reference``."""
    return (value - reference) / abs(reference) if reference else 0.0


def report_dict(report: KpiReport) -> dict[str, Any]:
    """A JSON-ready dict of every indicator, including the derived costs."""
    data = asdict(report)
    data["energy_cost_eur"] = report.energy_cost_eur
    data["total_cost_eur"] = report.total_cost_eur
    return data
