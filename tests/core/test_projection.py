"""Projection never violates a limit (random property tests) and keeps what is feasible."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.ssch.core.model import SiteSnapshot, StepSetpoints
from custom_components.ssch.core.projection import project_setpoints, setpoint_bounds
from custom_components.ssch.core.windows import session_windows
from tests.core.conftest import NOW, SiteFactory

TOL = 1e-6


def _setpoints(evse: dict[str, float], battery: float = 0.0, curtail: float = 0.0) -> StepSetpoints:
    return StepSetpoints(NOW, evse, battery, 0.0, 0.0, curtail)


def _random_case(site: SiteFactory, rng: np.random.Generator) -> tuple[SiteSnapshot, StepSetpoints]:
    count = int(rng.integers(0, 6))
    evses = tuple(
        site.evse(
            f"e{i}",
            charge_kw=float(rng.uniform(3, 22)),
            discharge_kw=float(rng.uniform(0, 11)),
            controllable=bool(rng.random() > 0.15),
        )
        for i in range(count)
    )
    sessions = tuple(
        site.session(
            f"s{i}",
            f"e{i}",
            arrival_h=float(rng.choice([0.0, 2.0])),
            departure_h=float(rng.uniform(0.2, 8)),
            energy_kwh=float(rng.uniform(0, 60)),
            capacity_kwh=60.0,
            target_kwh=float(rng.uniform(0, 60)),
            min_energy_kwh=float(rng.uniform(0, 40)),
            v2g=bool(rng.random() > 0.5),
            charge_kw=float(rng.uniform(3, 22)),
            discharge_kw=float(rng.uniform(0, 22)),
        )
        for i in range(count)
        if rng.random() > 0.2
    )
    battery = site.battery(energy_kwh=float(rng.uniform(0, 100))) if rng.random() > 0.3 else None
    snapshot = site.snapshot(
        steps=4,
        step_minutes=15,
        import_limit_kw=float(rng.uniform(0, 60)),
        export_limit_kw=float(rng.uniform(0, 60)),
        pv_kw=float(rng.uniform(0, 80)),
        building_kw=float(rng.uniform(0, 50)),
        battery=battery,
        evses=evses,
        sessions=sessions,
        pv_curtailable=bool(rng.random() > 0.5),
    )
    setpoints = _setpoints(
        {evse.evse_id: float(rng.uniform(-30, 30)) for evse in evses},
        float(rng.uniform(-80, 80)),
        float(rng.uniform(-10, 90)),
    )
    return snapshot, setpoints


@pytest.mark.parametrize("seed", range(300))
def test_projection_never_violates_limits(site: SiteFactory, seed: int) -> None:
    snapshot, setpoints = _random_case(site, np.random.default_rng(seed))
    result = project_setpoints(snapshot, setpoints)
    dt = snapshot.grid.step_hours
    windows = {w.evse.evse_id: w for w in session_windows(snapshot) if w.availability[0] > 0}
    for evse in snapshot.evses:
        power = result.evse_power_kw[evse.evse_id]
        if not evse.controllable:
            assert power == setpoints.evse_power_kw[evse.evse_id]
            continue
        window = windows.get(evse.evse_id)
        if window is None:
            assert power == 0.0
            continue
        session = window.session
        assert power <= min(session.max_charge_kw, evse.max_charge_kw) + TOL
        end_energy = (
            session.energy_kwh
            + (power * session.charge_efficiency if power > 0 else power / session.discharge_efficiency) * dt
        )
        assert end_energy <= max(session.capacity_kwh, session.energy_kwh) + TOL
        if power < 0:
            assert session.v2g_allowed
            assert -power <= min(session.max_discharge_kw, evse.max_discharge_kw) + TOL
            assert end_energy >= session.min_energy_kwh - TOL
    battery = snapshot.battery
    if battery is None:
        assert result.battery_power_kw == 0.0
    else:
        power = result.battery_power_kw
        assert -battery.max_discharge_kw - TOL <= power <= battery.max_charge_kw + TOL
        end = battery.energy_kwh + (power * 0.95 if power > 0 else power / 0.95) * dt
        assert end <= max(battery.energy_max_kwh, battery.energy_kwh) + TOL
        assert end >= min(battery.energy_min_kwh, battery.energy_kwh) - TOL
    pv = float(snapshot.forecasts.pv_kw[0])
    assert -TOL <= result.pv_curtailment_kw <= (pv if snapshot.pv_curtailable else 0.0) + TOL
    net = result.grid_import_kw - result.grid_export_kw
    expected_net = (
        float(snapshot.forecasts.building_kw[0])
        - pv
        + result.pv_curtailment_kw
        + result.battery_power_kw
        + sum(result.evse_power_kw.values())
    )
    assert net == pytest.approx(expected_net, abs=1e-6)
    controllable = [e.evse_id for e in snapshot.evses if e.controllable]
    if result.grid_import_kw > float(snapshot.limits.import_limit_kw[0]) + TOL:
        # Only when nothing is left to give: no charging, every discharge at its bound.
        assert all(result.evse_power_kw[e] <= TOL for e in controllable)
        assert result.battery_power_kw <= TOL
        assert result.pv_curtailment_kw <= TOL
        _assert_at_low_bound(snapshot, result)
    if result.grid_export_kw > float(snapshot.limits.export_limit_kw[0]) + TOL:
        assert all(result.evse_power_kw[e] >= -TOL for e in controllable)
        assert result.battery_power_kw >= -TOL
        assert not snapshot.pv_curtailable or result.pv_curtailment_kw >= pv - TOL
        evse_bounds, battery_bounds = setpoint_bounds(snapshot)
        assert result.battery_power_kw == pytest.approx(battery_bounds[1], abs=1e-6)
        for evse_id, (_low, high) in evse_bounds.items():
            assert result.evse_power_kw[evse_id] == pytest.approx(high, abs=1e-6)


def _assert_at_low_bound(snapshot: SiteSnapshot, result: StepSetpoints) -> None:
    evse_bounds, battery_bounds = setpoint_bounds(snapshot)
    assert result.battery_power_kw == pytest.approx(battery_bounds[0], abs=1e-6)
    for evse_id, (low, _high) in evse_bounds.items():
        assert result.evse_power_kw[evse_id] == pytest.approx(low, abs=1e-6)


def test_feasible_setpoints_pass_unchanged(site: SiteFactory) -> None:
    session = site.session(v2g=True, energy_kwh=30.0, min_energy_kwh=10.0)
    snapshot = site.snapshot(sessions=(session,), battery=site.battery(), pv_kw=5.0, pv_curtailable=True)
    result = project_setpoints(snapshot, _setpoints({"e1": -7.0}, 12.0, 2.0))
    assert result.evse_power_kw == {"e1": -7.0}
    assert result.battery_power_kw == 12.0
    assert result.pv_curtailment_kw == 2.0
    assert result.grid_import_kw == pytest.approx(-5.0 + 2.0 - 7.0 + 12.0)


def test_import_limit_scales_charging_proportionally(site: SiteFactory) -> None:
    sessions = (site.session("a", "e1"), site.session("b", "e2"))
    snapshot = site.snapshot(sessions=sessions, import_limit_kw=11.0)
    result = project_setpoints(snapshot, _setpoints({"e1": 11.0, "e2": 5.5}))
    assert result.evse_power_kw["e1"] == pytest.approx(2 * result.evse_power_kw["e2"])
    assert result.grid_import_kw == pytest.approx(11.0)


def test_export_limit_uses_curtailment_before_charging(site: SiteFactory) -> None:
    snapshot = site.snapshot(
        sessions=(site.session(),), pv_kw=40.0, export_limit_kw=10.0, pv_curtailable=True
    )
    result = project_setpoints(snapshot, _setpoints({"e1": 0.0}))
    assert result.pv_curtailment_kw == pytest.approx(30.0)
    assert result.evse_power_kw["e1"] == 0.0
    blocked = site.snapshot(sessions=(site.session(),), pv_kw=40.0, export_limit_kw=10.0)
    result = project_setpoints(blocked, _setpoints({"e1": 0.0}))
    assert result.evse_power_kw["e1"] == pytest.approx(11.0)
    assert result.grid_export_kw == pytest.approx(40.0 - 11.0)
