"""Closed-loop replay: the controller decides each step, the simulated site advances."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.controllers import Controller
from benchmarks.dispatch import MinimumPower, StepFlows, dispatch_step
from benchmarks.forecast_view import ForecastProvider
from benchmarks.scenario import Scenario
from benchmarks.site_state import SiteState
from benchmarks.snapshots import build_snapshot
from custom_components.ssch.core.kpi import RealisedFlows, SessionResult

FEASIBILITY_TOLERANCE_KWH = 1e-6
FLOW_NAMES = (
    "grid_import_kw",
    "grid_export_kw",
    "pv_used_kw",
    "ev_charge_kw",
    "ev_discharge_kw",
    "battery_charge_kw",
    "battery_discharge_kw",
)


def replay(
    scenario: Scenario,
    state: SiteState,
    controller: Controller,
    forecasts: ForecastProvider,
    *,
    horizon_steps: int = 96,
    steps: int | None = None,
    progress: Callable[[int], None] | None = None,
    minimum: MinimumPower | None = None,
) -> RealisedFlows:
    """Run ``controller`` over the first ``steps`` steps (all by default) and return the flows;
    ``minimum`` is the cars' minimum power (see ``dispatch_step``)."""
    steps = scenario.steps if steps is None else min(steps, scenario.steps)
    series = scenario.series
    site = scenario.site
    records: dict[str, list[float]] = {name: [] for name in FLOW_NAMES}
    solve_times: list[float] = []
    failed = 0
    flex_up: list[float] = []
    flex_down: list[float] = []
    for step in range(steps):
        moment = scenario.time_of(step)
        month = (moment.year, moment.month)
        snapshot = build_snapshot(scenario, state, step, forecasts.view(step, horizon_steps))
        decision = controller.decide(step, snapshot)
        if decision.solve_time_s is not None:
            solve_times.append(decision.solve_time_s)
        failed += decision.failed
        flex_up.append(decision.flex_up_kw)
        flex_down.append(decision.flex_down_kw)
        flows = dispatch_step(
            {s.session_id: s for s in state.present(step)},
            state.battery,
            session_power_kw=decision.session_power_kw,
            battery_power_kw=decision.battery_power_kw,
            pv_curtailment_kw=decision.pv_curtailment_kw,
            pv_kw=series.pv_kw[step],
            building_kw=series.building_kw[step],
            import_limit_kw=site.import_limit_kw,
            export_limit_kw=site.export_limit_kw,
            step_hours=scenario.step_hours,
            guard=controller.guarded,
            minimum=minimum,
            billed_peak_kw=state.month_peak_kw.get(month, 0.0),
        )
        _record(records, flows)
        state.month_peak_kw[month] = max(state.month_peak_kw.get(month, 0.0), flows.grid_import_kw)
        if progress is not None:
            progress(step)
    return RealisedFlows(
        step_hours=scenario.step_hours,
        step_starts=[scenario.time_of(k) for k in range(steps)],
        grid_import_kw=np.array(records["grid_import_kw"]),
        grid_export_kw=np.array(records["grid_export_kw"]),
        import_limit_kw=np.full(steps, site.import_limit_kw),
        price_import_eur_per_kwh=np.array(series.price_import_eur_per_kwh[:steps]),
        price_export_eur_per_kwh=np.array(series.price_export_eur_per_kwh[:steps]),
        peak_price_eur_per_kw=site.peak_price_eur_per_kw,
        pv_available_kw=np.array(series.pv_kw[:steps]),
        pv_used_kw=np.array(records["pv_used_kw"]),
        building_kw=np.array(series.building_kw[:steps]),
        ev_charge_kw=np.array(records["ev_charge_kw"]),
        ev_discharge_kw=np.array(records["ev_discharge_kw"]),
        battery_charge_kw=np.array(records["battery_charge_kw"]),
        battery_discharge_kw=np.array(records["battery_discharge_kw"]),
        battery_capacity_kwh=state.battery.spec.capacity_kwh if state.battery else 0.0,
        sessions=[
            SessionResult(
                requested_kwh=s.spec.requested_kwh,
                delivered_kwh=s.delivered_kwh,
                feasible=s.spec.requested_kwh
                <= s.reachable_kwh(scenario.step_hours) + FEASIBILITY_TOLERANCE_KWH,
            )
            for s in state.sessions
            if s.end_step <= steps
        ],
        solve_times_s=solve_times,
        failed_ticks=failed,
        flex_up_kw=np.array(flex_up),
        flex_down_kw=np.array(flex_down),
    )


def _record(records: dict[str, list[float]], flows: StepFlows) -> None:
    for name in FLOW_NAMES:
        records[name].append(getattr(flows, name))
