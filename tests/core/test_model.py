"""The data contract: grid arithmetic, validation, plan access, serialisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import json

import numpy as np
import pytest

from custom_components.ssch.core.model import (
    FlexibilityEnvelope,
    Plan,
    SessionOutcome,
    SiteLimits,
    SolverDiagnostics,
    StepGrid,
    as_series,
)
from tests.core.conftest import NOW, SiteFactory


def _plan() -> Plan:
    grid = StepGrid(NOW, 15, 4)
    return Plan(
        grid=grid,
        evse_power_kw={"e1": np.array([1.0, 2.0, 3.0, 4.0])},
        battery_power_kw=np.array([-1.0, 0.0, 1.0, 0.0]),
        grid_import_kw=np.array([5.0, 6.0, 7.0, 8.0]),
        grid_export_kw=np.zeros(4),
        pv_curtailment_kw=np.zeros(4),
        flexibility=FlexibilityEnvelope(np.ones(4), np.full(4, 2.0)),
        session_outcomes={"s1": SessionOutcome(30.0, 40.0, True, "grid limit")},
        diagnostics=SolverDiagnostics("CLARABEL", "optimal", 0.1, False),
    )


def test_step_grid() -> None:
    local = datetime(2025, 6, 2, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    grid = StepGrid(local, 15, 4)
    assert grid.start == NOW
    assert grid.start.tzinfo == UTC
    assert grid.step_hours == 0.25
    assert grid.end == NOW + timedelta(hours=1)
    assert grid.times()[1] == NOW + timedelta(minutes=15)
    assert grid.index_of(NOW + timedelta(minutes=31)) == 2
    assert grid.offset_steps(NOW - timedelta(minutes=15)) == -1.0
    assert grid.shifted(2).start == NOW + timedelta(minutes=30)
    for outside in (NOW - timedelta(seconds=1), NOW + timedelta(hours=1)):
        with pytest.raises(ValueError, match="outside"):
            grid.index_of(outside)
    with pytest.raises(ValueError, match="timezone"):
        StepGrid(datetime(2025, 1, 1), 15, 4)
    with pytest.raises(ValueError, match="positive"):
        StepGrid(NOW, 0, 4)


def test_series_are_validated_and_read_only(site: SiteFactory) -> None:
    snapshot = site.snapshot(steps=4, pv_kw=[1, 2, 3, 4])
    assert snapshot.forecasts.pv_kw.dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        snapshot.forecasts.pv_kw[0] = 5.0
    with pytest.raises(ValueError, match="must have 4 values"):
        as_series([1, 2, 3], 4, "pv_kw")
    with pytest.raises(ValueError, match="finite"):
        as_series([np.nan], 1, "x")
    assert SiteLimits(np.array([1.0]), np.array([2.0])).import_limit_kw.tolist() == [1.0]


def test_snapshot_rejects_inconsistent_ids(site: SiteFactory) -> None:
    with pytest.raises(ValueError, match="evse ids"):
        site.snapshot(evses=(site.evse("e1"), site.evse("e1")))
    with pytest.raises(ValueError, match="session ids"):
        site.snapshot(sessions=(site.session("s"), site.session("s")))
    with pytest.raises(ValueError, match="unknown evses"):
        site.snapshot(sessions=(site.session(evse_id="x"),), evses=(site.evse("e1"),))
    with pytest.raises(ValueError, match="efficiencies"):
        site.session(efficiency=1.2)


def test_model_helpers(site: SiteFactory) -> None:
    session = site.session(energy_kwh=10.0, target_kwh=30.0)
    assert session.energy_needed_kwh == 20.0
    battery = site.battery()
    assert (battery.energy_min_kwh, battery.energy_max_kwh) == (10.0, 90.0)
    commitment = site.commitment(0, 1, requested_kw=-5.0, reference_kw=20.0)
    assert commitment.target_net_kw == 15.0
    snapshot = site.snapshot(sessions=(session,))
    assert snapshot.now == NOW
    assert snapshot.evse("e1").max_charge_kw == 11.0
    assert FlexibilityEnvelope.zeros(3).up_kw.tolist() == [0.0, 0.0, 0.0]


def test_plan_setpoints_and_shift() -> None:
    plan = _plan()
    setpoints = plan.setpoints_at(NOW + timedelta(minutes=20))
    assert setpoints.start == NOW + timedelta(minutes=15)
    assert setpoints.evse_power_kw == {"e1": 2.0}
    assert setpoints.grid_import_kw == 6.0
    shifted = plan.shifted(1)
    assert shifted.grid.start == NOW + timedelta(minutes=15)
    assert shifted.evse_power_kw["e1"].tolist() == [2.0, 3.0, 4.0, 0.0]
    assert shifted.flexibility.down_kw.tolist() == [2.0, 2.0, 2.0, 0.0]
    assert plan.shifted(9).grid_import_kw.tolist() == [0.0] * 4
    with pytest.raises(ValueError, match=">= 0"):
        plan.shifted(-1)


def test_plan_round_trips_through_json() -> None:
    plan = _plan()
    restored = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert restored.grid == plan.grid
    assert restored.evse_power_kw["e1"].tolist() == plan.evse_power_kw["e1"].tolist()
    assert restored.battery_power_kw.tolist() == plan.battery_power_kw.tolist()
    assert restored.session_outcomes == plan.session_outcomes
    assert restored.diagnostics == plan.diagnostics
    assert restored.flexibility.up_kw.tolist() == [1.0] * 4
