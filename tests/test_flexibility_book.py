"""The flexibility book on its own: what a plan lets the hub commit, and how delivery is measured."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from custom_components.ssch.core.flexibility_book import (
    MAX_MEASUREMENT_GAP,
    FlexDirection,
    FlexibilityBook,
)
from custom_components.ssch.core.model import FlexibilityEnvelope, Plan, SolverDiagnostics, StepGrid

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _plan() -> Plan:
    """Four 15-minute steps: net 20, 20, -5, 20 kW; up 6, 8, 3, 9 kW; down 12, 4, 7, 7 kW."""
    grid = StepGrid(START, 15, 4)
    return Plan(
        grid=grid,
        evse_power_kw={},
        battery_power_kw=np.zeros(4),
        grid_import_kw=np.array([20.0, 20.0, 0.0, 20.0]),
        grid_export_kw=np.array([0.0, 0.0, 5.0, 0.0]),
        pv_curtailment_kw=np.zeros(4),
        flexibility=FlexibilityEnvelope(np.array([6.0, 8.0, 3.0, 9.0]), np.array([12.0, 4.0, 7.0, 7.0])),
    )


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_commitment_is_the_smallest_of_request_and_envelope() -> None:
    book = FlexibilityBook()
    # Steps 0 and 1 (down 12, 4): at most 4 kW.
    down = book.add(
        _plan(), direction=FlexDirection.DOWN, start=_at(5), end=_at(20), requested_kw=10, price_per_kwh=0.3
    )
    assert down.committed_kw == 4.0
    assert [(s.start, s.end, s.net_kw) for s in down.baseline] == [
        (_at(5), _at(15), 20.0),
        (_at(15), _at(20), 20.0),
    ]
    # Within the envelope the request is committed in full; the baseline follows the plan's net power.
    up = book.add(
        _plan(), direction=FlexDirection.UP, start=_at(30), end=_at(60), requested_kw=2.5, price_per_kwh=0.1
    )
    assert up.committed_kw == 2.5
    assert [s.net_kw for s in up.baseline] == [-5.0, 20.0]
    assert [p.target_net_kw for p in up.for_planner()] == [-2.5, 22.5]
    assert [p.target_net_kw for p in down.for_planner()] == [16.0, 16.0]
    assert book.committed_kw(_at(10)) == 4.0
    assert book.committed_kw(_at(40), FlexDirection.UP) == 2.5
    assert book.committed_kw(_at(40), FlexDirection.DOWN) == 0.0
    # Parts that are over are not planned any more.
    assert len(book.for_planner(_at(16))) == 3


def test_window_outside_the_plan_or_a_fallback_plan_commits_nothing() -> None:
    book = FlexibilityBook()
    late = book.add(
        _plan(), direction=FlexDirection.UP, start=_at(30), end=_at(90), requested_kw=1, price_per_kwh=0
    )
    early = book.add(
        _plan(), direction=FlexDirection.UP, start=_at(-5), end=_at(10), requested_kw=1, price_per_kwh=0
    )
    assert late.committed_kw == early.committed_kw == 0.0
    fallback = replace(_plan(), diagnostics=SolverDiagnostics("fallback", "ok", 0.0, fallback_used=True))
    unkept = book.add(
        fallback, direction=FlexDirection.UP, start=_at(0), end=_at(10), requested_kw=1, price_per_kwh=0
    )
    assert unkept.committed_kw == 0.0
    assert book.commitments == []


def test_delivery_is_measured_against_the_baseline_and_capped() -> None:
    book = FlexibilityBook()
    up = book.add(
        _plan(), direction=FlexDirection.UP, start=_at(30), end=_at(45), requested_kw=3, price_per_kwh=0.2
    )
    assert book.observe(_at(29.5), 0.0) == ([], [])
    # Step 2's baseline is -5 kW: measured -3.5 kW is 1.5 kW delivered, from the window's start on.
    started, ended = book.observe(_at(30.5), -3.5)
    assert started == [up]
    assert ended == []
    delivered = 1.5 * 0.5 / 60
    assert up.delivered_kwh == pytest.approx(delivered)
    # More than committed counts as committed; less than the baseline counts as nothing.
    book.observe(_at(31.5), 10.0)
    delivered += 3.0 / 60
    assert up.delivered_kwh == pytest.approx(delivered)
    book.observe(_at(32.5), -8.0)
    assert up.delivered_kwh == pytest.approx(delivered)
    # A gap longer than the measurement allows (a restart) is not counted.
    book.observe(_at(32.5) + MAX_MEASUREMENT_GAP + timedelta(seconds=1), 10.0)
    assert up.delivered_kwh == pytest.approx(delivered)
    assert book.revenue == pytest.approx(delivered * 0.2)
    assert book.delivered_kwh == pytest.approx(delivered)
    started, ended = book.observe(_at(45), 10.0)
    assert (started, ended) == ([], [up])
    assert book.commitments == []
    assert book.revenue == pytest.approx(up.revenue)


def test_book_round_trips_through_json() -> None:
    book = FlexibilityBook()
    book.add(
        _plan(), direction=FlexDirection.DOWN, start=_at(0), end=_at(30), requested_kw=3, price_per_kwh=0.2
    )
    book.observe(_at(1), 0.0)
    book.observe(_at(2), 0.0)
    restored = FlexibilityBook.from_dict(book.to_dict())
    assert restored.to_dict() == book.to_dict()
    assert restored.commitments[0].started
    assert restored.revenue == pytest.approx(3.0 / 60 * 0.2)
    cleared = restored.clear()
    assert [c.commitment_id for c in cleared] == [book.commitments[0].commitment_id]
    assert restored.commitments == []
