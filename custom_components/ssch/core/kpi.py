"""Key performance indicators computed from realised flows, the same way for every controller.

All powers are step means in kW; charge and discharge flows are magnitudes (>= 0) measured at the
grid side of the charger or battery inverter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .model import FloatArray

# A session counts as served when it got at least this share of the energy it asked for.
TARGET_MET_SHARE = 0.99
# Capacity lost per equivalent full cycle: NMC car batteries (~80 % after 2,000 cycles) and an
# LFP stationary battery (~80 % after 6,000 cycles). Only an estimate for comparing controllers.
EV_FADE_PER_CYCLE = 0.2 / 2000
BATTERY_FADE_PER_CYCLE = 0.2 / 6000
EPSILON_KW = 1e-6


@dataclass(frozen=True, slots=True)
class SessionResult:
    """What one EV asked for and got; ``feasible`` is False when no controller could deliver it."""

    requested_kwh: float
    delivered_kwh: float
    feasible: bool = True

    @property
    def met(self) -> bool:
        return self.delivered_kwh >= TARGET_MET_SHARE * self.requested_kwh - 1e-9

    @property
    def unmet_kwh(self) -> float:
        return max(0.0, self.requested_kwh - self.delivered_kwh)


def _zeros() -> FloatArray:
    return np.zeros(0)


@dataclass(frozen=True, slots=True, eq=False)
class RealisedFlows:
    """Everything that happened on the site, one value per step."""

    step_hours: float
    step_starts: Sequence[datetime]
    grid_import_kw: FloatArray
    grid_export_kw: FloatArray
    import_limit_kw: FloatArray
    price_import_eur_per_kwh: FloatArray
    price_export_eur_per_kwh: FloatArray
    peak_price_eur_per_kw: float
    pv_available_kw: FloatArray
    pv_used_kw: FloatArray
    building_kw: FloatArray
    ev_charge_kw: FloatArray
    ev_discharge_kw: FloatArray
    battery_charge_kw: FloatArray
    battery_discharge_kw: FloatArray
    battery_capacity_kwh: float = 0.0
    sessions: Sequence[SessionResult] = ()
    solve_times_s: Sequence[float] = ()
    failed_ticks: int = 0
    flex_up_kw: FloatArray = field(default_factory=_zeros)
    flex_down_kw: FloatArray = field(default_factory=_zeros)


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The indicators of one run."""

    peak_import_kw: float
    energy_above_limit_kwh: float
    steps_above_limit: int
    net_load_variance_kw2: float
    import_kwh: float
    export_kwh: float
    import_cost_eur: float
    export_revenue_eur: float
    peak_charge_eur: float
    pv_self_consumption: float
    self_sufficiency: float
    sessions: int
    feasible_sessions: int
    feasible_sessions_met_share: float
    unmet_kwh: float
    ev_charge_kwh: float
    ev_discharge_kwh: float
    ev_capacity_loss_kwh: float
    battery_throughput_kwh: float
    battery_equivalent_cycles: float
    battery_capacity_loss_kwh: float
    solve_time_median_s: float
    solve_time_p95_s: float
    failed_ticks: int
    flex_up_mean_kw: float
    flex_down_mean_kw: float

    @property
    def energy_cost_eur(self) -> float:
        """Import cost minus export revenue."""
        return self.import_cost_eur - self.export_revenue_eur

    @property
    def total_cost_eur(self) -> float:
        """Energy cost plus the demand (peak) charge."""
        return self.energy_cost_eur + self.peak_charge_eur


@dataclass(frozen=True, slots=True)
class Comparison:
    """A run against the uncontrolled counterfactual on the same sessions."""

    peak_reduction: float
    variance_reduction: float
    savings_eur: float
    savings_share: float


def monthly_peak_charge(flows: RealisedFlows) -> float:
    """The demand charge: the highest import of each calendar month (UTC) times the price."""
    peaks: dict[tuple[int, int], float] = {}
    for start, power in zip(flows.step_starts, flows.grid_import_kw, strict=True):
        key = (start.year, start.month)
        peaks[key] = max(peaks.get(key, 0.0), float(power))
    return flows.peak_price_eur_per_kw * sum(peaks.values())


def compute_kpis(flows: RealisedFlows) -> KpiReport:
    """All indicators of one run."""
    hours = flows.step_hours
    grid_import = flows.grid_import_kw
    export = flows.grid_export_kw
    overrun = np.clip(grid_import - flows.import_limit_kw, 0.0, None)
    pv_used_kwh = float(np.sum(flows.pv_used_kw)) * hours
    pv_exported_kwh = float(np.sum(np.minimum(export, flows.pv_used_kw))) * hours
    consumption_kwh = float(np.sum(flows.building_kw + flows.ev_charge_kw)) * hours
    import_kwh = float(np.sum(grid_import)) * hours
    ev_charge_kwh = float(np.sum(flows.ev_charge_kw)) * hours
    ev_discharge_kwh = float(np.sum(flows.ev_discharge_kw)) * hours
    battery_kwh = float(np.sum(flows.battery_charge_kw + flows.battery_discharge_kw)) * hours
    battery_cycles = battery_kwh / (2.0 * flows.battery_capacity_kwh) if flows.battery_capacity_kwh else 0.0
    feasible = [s for s in flows.sessions if s.feasible]
    solve_times = np.array(flows.solve_times_s, dtype=np.float64)
    return KpiReport(
        peak_import_kw=float(np.max(grid_import, initial=0.0)),
        energy_above_limit_kwh=float(np.sum(overrun)) * hours,
        steps_above_limit=int(np.count_nonzero(overrun > EPSILON_KW)),
        net_load_variance_kw2=float(np.var(grid_import - export)) if grid_import.size else 0.0,
        import_kwh=import_kwh,
        export_kwh=float(np.sum(export)) * hours,
        import_cost_eur=float(np.sum(grid_import * flows.price_import_eur_per_kwh)) * hours,
        export_revenue_eur=float(np.sum(export * flows.price_export_eur_per_kwh)) * hours,
        peak_charge_eur=monthly_peak_charge(flows),
        pv_self_consumption=_share(pv_used_kwh - pv_exported_kwh, pv_used_kwh),
        self_sufficiency=_share(consumption_kwh - import_kwh, consumption_kwh),
        sessions=len(flows.sessions),
        feasible_sessions=len(feasible),
        feasible_sessions_met_share=(sum(s.met for s in feasible) / len(feasible) if feasible else 1.0),
        unmet_kwh=sum(s.unmet_kwh for s in flows.sessions),
        ev_charge_kwh=ev_charge_kwh,
        ev_discharge_kwh=ev_discharge_kwh,
        ev_capacity_loss_kwh=(ev_charge_kwh + ev_discharge_kwh) / 2.0 * EV_FADE_PER_CYCLE,
        battery_throughput_kwh=battery_kwh,
        battery_equivalent_cycles=battery_cycles,
        battery_capacity_loss_kwh=battery_cycles * flows.battery_capacity_kwh * BATTERY_FADE_PER_CYCLE,
        solve_time_median_s=float(np.median(solve_times)) if solve_times.size else 0.0,
        solve_time_p95_s=float(np.percentile(solve_times, 95)) if solve_times.size else 0.0,
        failed_ticks=flows.failed_ticks,
        flex_up_mean_kw=float(np.mean(flows.flex_up_kw)) if flows.flex_up_kw.size else 0.0,
        flex_down_mean_kw=float(np.mean(flows.flex_down_kw)) if flows.flex_down_kw.size else 0.0,
    )


def compare(report: KpiReport, baseline: KpiReport) -> Comparison:
    """Peak, variance and cost of ``report`` relative to ``baseline`` (positive = better)."""
    return Comparison(
        peak_reduction=_reduction(report.peak_import_kw, baseline.peak_import_kw),
        variance_reduction=_reduction(report.net_load_variance_kw2, baseline.net_load_variance_kw2),
        savings_eur=baseline.total_cost_eur - report.total_cost_eur,
        savings_share=_reduction(report.total_cost_eur, baseline.total_cost_eur),
    )


def _share(part: float, whole: float) -> float:
    if whole <= 0.0:
        return 0.0
    return min(1.0, max(0.0, part / whole))


def _reduction(value: float, baseline: float) -> float:
    if baseline == 0.0:
        return 0.0
    return (baseline - value) / abs(baseline)
