"""Plans made in a child process equal those made here; a child that fails never leaves a hub without one."""

from __future__ import annotations

from collections.abc import Iterator
import logging
import os
from pathlib import Path
import signal

import numpy as np
import pytest

from custom_components.ssch.core import plan_worker
from custom_components.ssch.core.model import Plan
from custom_components.ssch.core.plan_worker import PlanWorker, serve
from custom_components.ssch.core.planner import Planner, PlannerConfig
from tests.core.conftest import SiteFactory

CHEAP_AT_2 = [0.5, 0.5, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5]
BUILT_IN = PlannerConfig(engine="built-in")


@pytest.fixture
def worker() -> Iterator[PlanWorker]:
    planning = PlanWorker(BUILT_IN)
    yield planning
    planning.close()


def _snapshot(site: SiteFactory, hours: float = 0.0):  # type: ignore[no-untyped-def]
    session = site.session(energy_kwh=10.0, target_kwh=20.0, v2g=True, min_energy_kwh=5.0)
    return site.snapshot(
        import_price=CHEAP_AT_2, sessions=(session,), battery=site.battery(), pv_curtailable=True
    )


def test_the_child_plans_what_this_process_plans(site: SiteFactory, worker: PlanWorker) -> None:
    snapshot = _snapshot(site)
    remote = worker.plan(snapshot)
    local = Planner(BUILT_IN).plan(snapshot)
    assert not worker.in_process
    assert worker._process is not None
    assert worker._process.poll() is None
    assert remote.diagnostics.backend == "built-in / PIQP"
    np.testing.assert_allclose(remote.evse_power_kw["e1"], local.evse_power_kw["e1"], atol=1e-6)
    np.testing.assert_allclose(remote.battery_power_kw, local.battery_power_kw, atol=1e-6)
    assert remote.session_outcomes == local.session_outcomes
    # The same child answers again: the engine stays warm.
    pid = worker._process.pid
    worker.plan(snapshot)
    assert worker._process.pid == pid


def test_a_restored_plan_reaches_the_child(site: SiteFactory, worker: PlanWorker) -> None:
    snapshot = _snapshot(site)
    plan = worker.plan(snapshot)
    worker.restore(plan)
    assert worker.local.previous_plan is plan


def test_restoring_starts_no_child_and_the_next_plan_brings_it_along(site: SiteFactory) -> None:
    """A restore runs on Home Assistant's event loop: it must not wait for a child to start."""
    planning = PlanWorker(BUILT_IN)
    try:
        stored = Planner(BUILT_IN).plan(_snapshot(site))
        planning.restore(stored)
        assert planning._process is None
        assert planning.local.previous_plan is stored
        plan = planning.plan(_snapshot(site))
        assert plan.diagnostics.backend == "built-in / PIQP"
        assert not planning._unsent_restore
    finally:
        planning.close()


def test_a_child_that_dies_is_replaced_and_the_plan_made_here(
    site: SiteFactory, worker: PlanWorker, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = _snapshot(site)
    worker.plan(snapshot)
    assert worker._process is not None
    os.kill(worker._process.pid, signal.SIGKILL)
    worker._process.wait()
    plan = worker.plan(snapshot)  # the dead child is noticed and a new one started
    assert plan.diagnostics.backend == "built-in / PIQP"
    assert worker._process is not None
    assert worker._process.poll() is None


def test_a_child_that_fails_three_times_leaves_planning_here(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(plan_worker.sys, "executable", "/nonexistent/python")
    planning = PlanWorker(BUILT_IN)
    snapshot = _snapshot(site)
    for _ in range(3):
        plan = planning.plan(snapshot)
        assert plan.diagnostics.backend == "built-in / PIQP"
    assert planning.in_process
    assert "could not start" in caplog.text
    assert "from now on" in caplog.text
    planning.restore(plan)  # in-process only: nothing to send
    assert planning.local.previous_plan is plan


def test_a_child_that_does_not_answer_in_time_is_stopped(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    planning = PlanWorker(BUILT_IN, answer_timeout_s=0.0)
    try:
        plan = planning.plan(_snapshot(site))
        assert plan.diagnostics.backend == "built-in / PIQP"
        assert "did not answer in time" in caplog.text
        assert planning._process is None
    finally:
        planning.close()


def test_after_close_plans_are_made_here(site: SiteFactory) -> None:
    planning = PlanWorker(BUILT_IN)
    planning.plan(_snapshot(site))
    process = planning._process
    planning.close()
    assert process is not None
    assert process.poll() is not None
    assert planning.in_process
    assert isinstance(planning.plan(_snapshot(site)), Plan)


def test_the_child_loop_answers_and_forwards_its_log(site: SiteFactory, tmp_path: Path) -> None:
    """``serve`` reads a config and requests until its input ends; errors and warnings come back."""
    requests = tmp_path / "requests"
    with requests.open("wb") as stream:
        # A solver cvxpy does not know: the child's planner warns and plans with the built-in engine.
        plan_worker._write(stream, PlannerConfig(engine="cvxpy", solver="NOPE"))
        plan_worker._write(stream, plan_worker._Request("plan", _snapshot(site)))
        plan_worker._write(stream, plan_worker._Request("plan", "not a snapshot"))
        plan_worker._write(stream, plan_worker._Request("restore", None))
    answers = tmp_path / "answers"
    with requests.open("rb") as source, answers.open("wb") as sink:
        serve(source, sink)
    with answers.open("rb") as stream:
        assert plan_worker._read(stream)[0] == "ready"
        kind, plan, records = plan_worker._read(stream)
        assert kind == "plan"
        assert plan.diagnostics.backend == "built-in / PIQP"
        assert any(level == logging.WARNING and "cvxpy / NOPE failed" in text for level, _, text in records)
        kind, error, records = plan_worker._read(stream)
        assert kind == "error"
        assert "AttributeError" in error
        assert plan_worker._read(stream)[0] == "ok"


def test_warnings_of_the_child_reach_this_process_log(
    site: SiteFactory, caplog: pytest.LogCaptureFixture
) -> None:
    planning = PlanWorker(PlannerConfig(engine="cvxpy", solver="NOPE"))
    try:
        plan = planning.plan(_snapshot(site))
    finally:
        planning.close()
    assert plan.diagnostics.backend == "built-in / PIQP"
    assert not planning._failures
    assert any(
        r.name == "custom_components.ssch.core.planner" and "cvxpy / NOPE failed" in r.getMessage()
        for r in caplog.records
    )


def test_an_empty_input_ends_the_child_at_once(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    answers = tmp_path / "answers"
    with empty.open("rb") as source, answers.open("wb") as sink:
        serve(source, sink)
    assert answers.read_bytes() == b""
