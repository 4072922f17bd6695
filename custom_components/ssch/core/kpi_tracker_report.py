"""Indicators derived from the retained step totals: load shape against the uncontrolled
counterfactual, PV and self-sufficiency shares, and extra stationary-battery ageing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import math

import numpy as np

from .battery_health import incremental_degradation
from .kpi import RealisedFlows, compare, compute_kpis
from .kpi_tracker_steps import StepLedger, StepTotals
from .model import FloatArray

# Steps observed for less than this share of their length are left out of peaks and variance:
# their mean power says little (the step in progress, a restart).
MIN_STEP_COVERAGE = 0.5


@dataclass(frozen=True, slots=True)
class LoadComparison:
    """Peaks (kW) and relative reductions (1.0 = 100 %) versus the uncontrolled site."""

    peak_import_kw: float | None = None
    uncontrolled_peak_import_kw: float | None = None
    peak_reduction: float | None = None
    variance_reduction: float | None = None


def _mean_kw(rows: Sequence[StepTotals], name: str) -> FloatArray:
    return np.array([getattr(row, name) / row.hours for row in rows], dtype=np.float64)


def _flows(rows: Sequence[StepTotals], step_hours: float, *, uncontrolled: bool) -> RealisedFlows:
    zeros = np.zeros(len(rows))
    prefix = "uncontrolled_" if uncontrolled else ""
    pv = _mean_kw(rows, "pv_kwh")

    def flow(name: str) -> FloatArray:
        return zeros if uncontrolled else _mean_kw(rows, name)

    return RealisedFlows(
        step_hours=step_hours,
        step_starts=[row.start for row in rows],
        grid_import_kw=_mean_kw(rows, f"{prefix}import_kwh"),
        grid_export_kw=_mean_kw(rows, f"{prefix}export_kwh"),
        import_limit_kw=np.full(len(rows), np.inf),
        price_import_eur_per_kwh=zeros,
        price_export_eur_per_kwh=zeros,
        peak_price_eur_per_kw=0.0,
        pv_available_kw=pv,
        pv_used_kw=pv,
        building_kw=_mean_kw(rows, "building_kwh"),
        ev_charge_kw=flow("ev_charge_kwh"),
        ev_discharge_kw=flow("ev_discharge_kwh"),
        battery_charge_kw=flow("battery_charge_kwh"),
        battery_discharge_kw=flow("battery_discharge_kwh"),
    )


def _defined(reduction: float, value: float, baseline: float) -> float | None:
    """A relative reduction, or None when the baseline is zero and the value is not."""
    return None if baseline == 0.0 and value != 0.0 else reduction


def compare_load(ledger: StepLedger) -> LoadComparison:
    rows = ledger.observed(MIN_STEP_COVERAGE)
    if not rows:
        return LoadComparison()
    realised = compute_kpis(_flows(rows, ledger.step_hours, uncontrolled=False))
    baseline = compute_kpis(_flows(rows, ledger.step_hours, uncontrolled=True))
    comparison = compare(realised, baseline)
    return LoadComparison(
        peak_import_kw=realised.peak_import_kw,
        uncontrolled_peak_import_kw=baseline.peak_import_kw,
        peak_reduction=_defined(comparison.peak_reduction, realised.peak_import_kw, baseline.peak_import_kw),
        variance_reduction=_defined(
            comparison.variance_reduction, realised.net_load_variance_kw2, baseline.net_load_variance_kw2
        ),
    )


def _share(part: float, whole: float) -> float | None:
    return min(1.0, max(0.0, part / whole)) if whole > 1e-9 else None


def pv_self_consumption(rows: Iterable[StepTotals]) -> float | None:
    """Share of the PV energy used on site (not exported)."""
    rows = list(rows)
    produced = sum(row.pv_kwh for row in rows)
    return _share(produced - sum(row.pv_exported_kwh for row in rows), produced)


def self_sufficiency(rows: Iterable[StepTotals]) -> float | None:
    """Share of the building and EV consumption not imported from the grid."""
    rows = list(rows)
    consumed = sum(row.building_kwh + row.ev_charge_kwh for row in rows)
    return _share(consumed - sum(row.import_kwh for row in rows), consumed)


def battery_degradation_increase(
    rows: Iterable[StepTotals], capacity_kwh: float, step_hours: float
) -> float | None:
    """Relative extra ageing of the stationary battery versus leaving it idle at its first SoC."""
    tracked = [row for row in rows if row.battery_start_kwh is not None and row.battery_end_kwh is not None]
    if capacity_kwh <= 0.0 or not tracked:
        return None
    series = np.array([tracked[0].battery_start_kwh, *(row.battery_end_kwh for row in tracked)])
    idle = np.full_like(series, series[0])
    increase = incremental_degradation(series, idle, capacity_kwh, step_hours)
    return increase if math.isfinite(increase) else None
