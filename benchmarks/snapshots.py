"""The site as a controller sees it at one step: a ``SiteSnapshot`` of the hub brain."""

from __future__ import annotations

import numpy as np

from benchmarks.forecast_view import ForecastView
from benchmarks.scenario import Scenario
from benchmarks.site_state import SessionState, SiteState
from custom_components.ssch.core.model import (
    Evse,
    EvSession,
    Forecasts,
    Prices,
    SiteLimits,
    SiteSnapshot,
    StationaryBattery,
    StepGrid,
)


def ev_session(scenario: Scenario, session: SessionState) -> EvSession:
    """A plugged-in car as the brain sees it (whole-step arrival and departure), with a soft target
    as the hub sets it (``site_snapshot.py``): a hard one is planned over the grid limit when power
    is short, and the projection then cuts every car alike."""
    spec = session.spec
    charger = session.charger
    return EvSession(
        session_id=session.session_id,
        evse_id=charger.id,
        max_charge_kw=charger.max_charge_kw,
        max_discharge_kw=charger.max_discharge_kw if spec.v2g else 0.0,
        arrival=scenario.time_of(session.first_step),
        departure=scenario.time_of(session.end_step),
        energy_kwh=session.energy_kwh,
        capacity_kwh=spec.capacity_kwh,
        target_energy_kwh=spec.target_energy_kwh,
        min_energy_kwh=session.floor_kwh,
        v2g_allowed=spec.v2g,
        charge_efficiency=charger.efficiency,
        discharge_efficiency=charger.efficiency,
    )


def build_snapshot(scenario: Scenario, state: SiteState, step: int, view: ForecastView) -> SiteSnapshot:
    """Everything known at the start of ``step``: the present, forecasts, plugged-in cars."""
    horizon = view.pv_kw.size
    now = scenario.time_of(step)
    site = scenario.site
    battery = None
    if state.battery is not None:
        spec = state.battery.spec
        battery = StationaryBattery(
            capacity_kwh=spec.capacity_kwh,
            max_charge_kw=spec.max_charge_kw,
            max_discharge_kw=spec.max_discharge_kw,
            soc_min=spec.soc_min,
            soc_max=spec.soc_max,
            efficiency=spec.efficiency,
            energy_kwh=state.battery.energy_kwh,
        )
    return SiteSnapshot(
        grid=StepGrid(now, scenario.step_minutes, horizon),
        limits=SiteLimits(np.full(horizon, site.import_limit_kw), np.full(horizon, site.export_limit_kw)),
        prices=Prices(
            view.price_import_eur_per_kwh,
            view.price_export_eur_per_kwh,
            peak_eur_per_kw=site.peak_price_eur_per_kw,
            peak_already_kw=state.month_peak_kw.get((now.year, now.month), 0.0),
        ),
        forecasts=Forecasts(view.pv_kw, view.building_kw),
        battery=battery,
        evses=tuple(Evse(c.id, c.max_charge_kw, c.max_discharge_kw) for c in scenario.chargers),
        sessions=tuple(ev_session(scenario, s) for s in state.present(step)),
        pv_curtailable=True,
    )
